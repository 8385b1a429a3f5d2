import { z } from 'zod';
import { MAX_BODY_BYTES, ROUTES, SCOPE_DESCRIPTIONS, Schemas, fullScope, type RouteDefinition, type Scope, IDEMPOTENCY_REPLAYED_HEADER } from './api-contract';

type JsonSchema = { readonly [key: string]: unknown };

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header';
  readonly required: boolean;
  readonly description?: string;
  readonly schema: JsonSchema;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly summary: string;
  readonly tags: readonly string[];
  readonly security: readonly Record<string, readonly string[]>[];
  readonly parameters: readonly OpenApiParameter[];
  readonly requestBody?: { readonly required: true; readonly content: Record<string, { readonly schema: JsonSchema }> };
  readonly responses: Record<string, JsonSchema>;
}

export interface OpenApiDocument {
  readonly openapi: '3.1.0';
  readonly info: { readonly title: string; readonly version: string; readonly description: string };
  readonly servers?: readonly { readonly url: string }[];
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: {
    readonly schemas: Record<string, JsonSchema>;
    readonly responses: Record<string, JsonSchema>;
    readonly securitySchemes: Record<string, JsonSchema>;
  };
}

export interface OpenApiOptions {
  /** The API's base URL, stage included; without it clients use the document's own origin. */
  readonly serverUrl?: string;
  /**
   * The OAuth2 token endpoint (the stage's Cognito domain + `/oauth2/token`; locally `tokenUrl` in
   * `.local/endpoints.json`). @default '/oauth2/token'
   */
  readonly tokenUrl?: string;
}

export const SECURITY_SCHEME = 'partnerOAuth';

const ERRORS = {
  BadRequest: [400, 'Parameters, headers or body do not match the schema (VALIDATION_ERROR, INVALID_JSON, INVALID_AMOUNT, INVALID_CURSOR)'],
  Unauthorized: [401, 'No valid access token'],
  Forbidden: [403, 'The access token lacks the scope this operation needs'],
  NotFound: [404, 'No such route, or no such resource for this partner'],
  MethodNotAllowed: [405, 'The path exists but not with this method (the Allow header lists the methods)'],
  Conflict: [409, 'The Idempotency-Key was used with a different request (IDEMPOTENCY_CONFLICT) or is in use right now (IDEMPOTENCY_IN_PROGRESS)'],
  PayloadTooLarge: [413, `The body is larger than ${MAX_BODY_BYTES} bytes`],
  UnsupportedMediaType: [415, 'The body is not sent as Content-Type: application/json'],
  Unprocessable: [422, 'Well-formed but not servable: unsupported or disabled currency (UNSUPPORTED_CURRENCY), no rate (RATE_NOT_FOUND), result over 38 digits (AMOUNT_OUT_OF_RANGE)'],
  TooManyRequests: [429, 'Throttled by API Gateway (the usage plan of the API key)'],
  InternalError: [500, 'Unexpected failure; details carry the request id'],
} as const satisfies Record<string, readonly [number, string]>;

type ErrorName = keyof typeof ERRORS;

const DESCRIPTION = [
  'Exchange rates, quotes and conversions for partners. Amounts and rates are decimal strings, never JSON numbers.',
  'Rates are the providers\u2019 published numbers; a cross rate is computed from them exactly (60 significant digits, shown to 38 decimal places), its as-of time is that of its older leg and its provider lists every leg\u2019s provider.',
  'Converted amounts are rounded once, half-even, to the target currency\u2019s minor units.',
  'Every error is `{ "error": { "code", "message", "details" } }`. Unknown query parameters are rejected (400).',
  'POST /v1/conversions needs an Idempotency-Key: repeating the same request with it returns the first result again (201, same body, header Idempotent-Replayed: true); another request with the same key is a 409.',
].join('\n\n');

/** The OpenAPI 3.1 document of the contract: schemas from zod (components named by `.meta({ id })`). */
export function openApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const routes: readonly RouteDefinition[] = ROUTES;
  const inputs = jsonSchemas('input', routes, (r) => ({ path: r.pathParams, query: r.query, body: r.body }));
  const outputs = jsonSchemas('output', routes, (r) => ({ response: r.response.schema }), { Error: Schemas.Error });

  const paths: Record<string, Record<string, OpenApiOperation>> = {};
  for (const route of routes) {
    const own = (part: string) => inputs.properties[`${route.operationId}.${part}`];
    const body = own('body');
    (paths[route.path] ??= {})[route.method.toLowerCase()] = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.function],
      security: route.scopes.map((scope) => ({ [SECURITY_SCHEME]: [fullScope(scope)] })),
      parameters: [
        ...parametersOf(own('path'), 'path'),
        ...parametersOf(own('query'), 'query'),
        ...(route.requiredHeaders ?? []).map(
          (name): OpenApiParameter => ({
            name,
            in: 'header',
            required: true,
            description: 'Your unique key for this request (e.g. a UUID); a retry repeats it',
            schema: { type: 'string', pattern: '^[\\x21-\\x7e]{1,255}$' },
          }),
        ),
      ],
      ...(body ? { requestBody: { required: true, content: { 'application/json': { schema: body } } } } : {}),
      responses: {
        [String(route.response.status)]: successResponse(route, outputs.properties[`${route.operationId}.response`]),
        ...Object.fromEntries(errorsOf(route).map((name) => [String(ERRORS[name][0]), { $ref: `#/components/responses/${name}` }])),
      },
    };
  }

  const errorBody = { content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return {
    openapi: '3.1.0',
    info: { title: 'FX Platform partner API', version: '1', description: DESCRIPTION },
    ...(options.serverUrl ? { servers: [{ url: options.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { ...outputs.defs, ...inputs.defs },
      responses: Object.fromEntries(
        Object.entries(ERRORS).map(([name, [, description]]) => [name, { description, ...errorBody }]),
      ),
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: 'oauth2',
          description: 'Cognito access tokens from the client-credentials grant (HTTP Basic client authentication)',
          flows: {
            clientCredentials: {
              tokenUrl: options.tokenUrl ?? '/oauth2/token',
              scopes: Object.fromEntries(
                (Object.entries(SCOPE_DESCRIPTIONS) as [Scope, string][]).map(([scope, text]) => [fullScope(scope), text]),
              ),
            },
          },
        },
      },
    },
  };
}

/** Every schema of one direction converted together, so schemas with an id become shared components. */
function jsonSchemas(
  io: 'input' | 'output',
  routes: readonly RouteDefinition[],
  parts: (route: RouteDefinition) => Record<string, z.ZodType | undefined>,
  extra: Record<string, z.ZodType> = {},
): { properties: Record<string, JsonSchema>; defs: Record<string, JsonSchema> } {
  const shape: Record<string, z.ZodType> = { ...extra };
  for (const route of routes) {
    for (const [part, schema] of Object.entries(parts(route))) if (schema) shape[`${route.operationId}.${part}`] = schema;
  }
  const converted = toComponentRefs(z.toJSONSchema(z.object(shape), { io })) as {
    properties: Record<string, JsonSchema>;
    $defs?: Record<string, JsonSchema>;
  };
  return { properties: converted.properties, defs: converted.$defs ?? {} };
}

/** `#/$defs/Rate` -> `#/components/schemas/Rate`, and no per-schema `$schema`. */
function toComponentRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toComponentRefs);
  if (!value || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => key !== '$schema')
      .map(([key, v]) => [
        key,
        key === '$ref' && typeof v === 'string' ? v.replace('#/$defs/', '#/components/schemas/') : toComponentRefs(v),
      ]),
  );
}

function parametersOf(schema: JsonSchema | undefined, where: 'path' | 'query'): OpenApiParameter[] {
  const properties = (schema?.properties ?? {}) as Record<string, JsonSchema>;
  const required = (schema?.required ?? []) as string[];
  return Object.entries(properties).map(([name, { description, ...rest }]) => ({
    name,
    in: where,
    required: where === 'path' || required.includes(name),
    ...(typeof description === 'string' ? { description } : {}),
    schema: rest,
  }));
}

function successResponse(route: RouteDefinition, schema: JsonSchema | undefined): JsonSchema {
  if (route.response.status === 204) return { description: 'Done; no body' };
  const contentType = route.response.contentType ?? 'application/json';
  const idempotent = route.requiredHeaders?.includes('Idempotency-Key');
  return {
    description: idempotent ? 'Created, or the same result again for a repeated Idempotency-Key and request' : route.summary,
    content: { [contentType]: { schema: schema ?? (contentType === 'text/html' ? { type: 'string' } : { type: 'object' }) } },
    ...(idempotent
      ? { headers: { [IDEMPOTENCY_REPLAYED_HEADER]: { description: '"true" when this repeats an earlier result', schema: { type: 'string', enum: ['true', 'false'] } } } }
      : {}),
  };
}

function errorsOf(route: RouteDefinition): ErrorName[] {
  const hasInput = Boolean(route.pathParams || route.query || route.body || route.requiredHeaders?.length);
  const quotesRates = route.function === 'rates-api' || route.operationId === 'createConversion';
  const names: (ErrorName | false)[] = [
    hasInput && 'BadRequest',
    route.scopes.length > 0 && 'Unauthorized',
    route.scopes.length > 0 && 'Forbidden',
    'NotFound',
    'MethodNotAllowed',
    Boolean(route.requiredHeaders?.includes('Idempotency-Key')) && 'Conflict',
    Boolean(route.body) && 'PayloadTooLarge',
    Boolean(route.body) && 'UnsupportedMediaType',
    quotesRates && 'Unprocessable',
    route.scopes.length > 0 && 'TooManyRequests',
    'InternalError',
  ];
  return names.filter((n): n is ErrorName => n !== false);
}

// ---- the docs page ---------------------------------------------------------------------

const escapeHtml = (text: unknown) =>
  String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Strict enough that the page cannot load anything: no scripts, no fonts, no network. */
export const DOCS_CONTENT_SECURITY_POLICY = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const STYLE = `body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d2330}
h2{margin-top:2.5rem;border-top:1px solid #ccd;padding-top:1rem}code,pre{font:13px ui-monospace,monospace}
pre{background:#f4f5f8;padding:.75rem;overflow:auto}.m{display:inline-block;min-width:4.5rem;font-weight:700}
.get{color:#0a6}.post{color:#06c}.put{color:#b60}.delete{color:#c22}table{border-collapse:collapse}
td,th{border:1px solid #ccd;padding:.25rem .5rem;text-align:left;vertical-align:top}nav a{display:block}`;

/** A self-contained HTML page (inline CSS only) rendering the operations of the document. */
export function docsPage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({ path, method, operation })),
  );
  const ref = (schema: unknown) => {
    const target = (schema as { $ref?: string } | undefined)?.$ref;
    return target ? `<a href="#schema-${escapeHtml(target.split('/').pop())}">${escapeHtml(target.split('/').pop())}</a>` : '';
  };
  const sections = operations.map(({ path, method, operation: op }) => {
    const scopes = op.security.flatMap((s) => Object.values(s).flat());
    const params = op.parameters.map(
      (p) => `<tr><td><code>${escapeHtml(p.name)}</code></td><td>${p.in}</td><td>${p.required ? 'yes' : 'no'}</td>` +
        `<td>${escapeHtml(p.description ?? '')} <code>${escapeHtml(JSON.stringify(p.schema))}</code></td></tr>`,
    );
    const responses = Object.entries(op.responses).map(([status, response]) => {
      const refName = (response.$ref as string | undefined)?.split('/').pop() as ErrorName | undefined;
      const description = refName ? ERRORS[refName]?.[1] : (response.description as string);
      const content = response.content as Record<string, { schema: unknown }> | undefined;
      const schema = content && Object.values(content)[0]?.schema;
      return `<li><b>${status}</b> ${escapeHtml(description)} ${refName ? ref({ $ref: '#/components/schemas/Error' }) : ref(schema)}</li>`;
    });
    const body = op.requestBody?.content['application/json']?.schema;
    return `<section id="${escapeHtml(op.operationId)}"><h2><span class="m ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h2>
<p>${escapeHtml(op.summary)}</p><p>Scopes: ${scopes.length ? scopes.map((s) => `<code>${escapeHtml(s)}</code>`).join(' or ') : 'none (public)'}</p>
${params.length ? `<table><tr><th>Parameter</th><th>In</th><th>Required</th><th>Schema</th></tr>${params.join('')}</table>` : ''}
${body ? `<p>Body (application/json): ${ref(body) || `<code>${escapeHtml(JSON.stringify(body))}</code>`}</p>` : ''}
<ul>${responses.join('')}</ul></section>`;
  });
  const schemas = Object.entries(document.components.schemas).map(
    ([name, schema]) => `<h3 id="schema-${escapeHtml(name)}">${escapeHtml(name)}</h3><pre>${escapeHtml(JSON.stringify(schema, null, 2))}</pre>`,
  );
  const flows = document.components.securitySchemes[SECURITY_SCHEME] as { flows: { clientCredentials: { tokenUrl: string } } };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>${escapeHtml(document.info.title)}</title><style>${STYLE}</style></head><body>
<h1>${escapeHtml(document.info.title)}</h1>
${document.info.description.split('\n\n').map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
<p>Authentication: OAuth2 client credentials at <code>${escapeHtml(flows.flows.clientCredentials.tokenUrl)}</code>; send <code>Authorization: Bearer &lt;access token&gt;</code>. The machine-readable document is <a href="openapi.json">openapi.json</a>.</p>
<nav>${operations.map(({ path, method, operation }) => `<a href="#${escapeHtml(operation.operationId)}">${method.toUpperCase()} ${escapeHtml(path)}</a>`).join('')}</nav>
${sections.join('\n')}
<h2>Schemas</h2>${schemas.join('\n')}
</body></html>`;
}
