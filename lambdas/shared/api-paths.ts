/**
 * The parts of the API contract that carry no schema, so api-docs (which must not load zod or the
 * contract's schemas) shares them with api-contract.ts: the API functions' names, path matching,
 * and the public documentation routes. api-contract.ts lists these routes in ROUTES.
 */

export type ApiFunctionName = 'currencies-api' | 'rates-api' | 'conversions-api' | 'alerts-api' | 'api-docs';

/**
 * A route path as a matcher: `/v1/conversions/{id}` matches `/v1/conversions/01AB` with the
 * named group `id` (still percent-encoded).
 */
export function pathPattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      return param ? `(?<${param[1]}>[^/]+)` : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}$`);
}

/** Where Swagger UI's files are served: `<DOCS_ASSETS_PATH>/<file>`. */
export const DOCS_PATH = '/v1/docs';
export const OPENAPI_PATH = '/v1/openapi.json';

/** The public routes, served by api-docs; no token and no API key. */
export const DOCS_ROUTES = [
  {
    operationId: 'openApi',
    method: 'GET',
    path: OPENAPI_PATH,
    summary: 'This API as an OpenAPI 3.1 document',
    scopes: [],
    function: 'api-docs',
    response: { status: 200, contentType: 'application/json' },
  },
  {
    operationId: 'docs',
    method: 'GET',
    path: DOCS_PATH,
    summary: 'Interactive API documentation (Swagger UI): get a token and try every operation',
    scopes: [],
    function: 'api-docs',
    response: { status: 200, contentType: 'text/html' },
  },
  {
    operationId: 'docsAsset',
    method: 'GET',
    path: `${DOCS_PATH}/{file}`,
    summary: 'A static file of the documentation page (Swagger UI script and styles)',
    scopes: [],
    function: 'api-docs',
    response: { status: 200, contentType: 'text/plain' },
  },
  {
    operationId: 'apiRoot',
    method: 'GET',
    path: '/',
    summary: 'Points to the documentation',
    scopes: [],
    function: 'api-docs',
    response: { status: 302 },
  },
  {
    operationId: 'versionRoot',
    method: 'GET',
    path: '/v1',
    summary: 'Points to the documentation',
    scopes: [],
    function: 'api-docs',
    response: { status: 302 },
  },
] as const;
