import middy from '@middy/core';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { API_DOCS_FILES } from '../shared/api-docs-files';
import { DOCS_PATH, DOCS_ROUTES, OPENAPI_PATH } from '../shared/api-paths';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { BASE_HEADERS, NotFoundError, type ApiEvent, type ApiResult, BadRequestError } from '../shared/http-errors';
import { httpPipeline } from '../shared/http-pipeline';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { observability } from '../shared/observability';

/**
 * The public documentation: the OpenAPI document built at synth time (read from the files beside
 * the bundle, with this stage's server and token URLs filled in) and Swagger UI, served from the
 * `swagger-ui-dist` files shipped with it, so a partner can get a token and try every route from
 * the page. No zod, no contract schemas and no generator are loaded here.
 */

const tools = observability('api-docs');

interface Docs {
  readonly baseUrl: string;
  readonly tokenOrigin: string;
  readonly files: Readonly<Record<string, { readonly body: string; readonly type: string }>>;
}

const INITIALIZER = 'swagger-initializer.js';
let docs: Docs | undefined;

/** Read on the first request that needs them (a redirect or an error needs none). */
function loadDocs(): Docs {
  if (docs) return docs;
  const config = loadConfig('api-docs', { baseUrl: ENV.apiBaseUrl, tokenUrl: ENV.apiTokenUrl });
  const dir = process.env[ENV.apiDocsDir] ?? path.join(process.env.LAMBDA_TASK_ROOT ?? process.cwd(), API_DOCS_FILES.dir);
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  const baseUrl = config.baseUrl.replace(/\/+$/, '');
  const document = JSON.parse(read(API_DOCS_FILES.openApi)) as {
    servers: { url: string; description?: string }[];
    components: { securitySchemes: Record<string, { flows?: { clientCredentials?: { tokenUrl: string } } }> };
  };
  document.servers = [{ url: baseUrl, description: 'This stage' }];
  for (const scheme of Object.values(document.components.securitySchemes)) {
    if (scheme.flows?.clientCredentials) scheme.flows.clientCredentials.tokenUrl = config.tokenUrl;
  }
  const js = 'text/javascript; charset=utf-8';
  docs = {
    baseUrl,
    tokenOrigin: new URL(config.tokenUrl).origin,
    files: {
      [API_DOCS_FILES.openApi]: { body: JSON.stringify(document), type: 'application/json; charset=utf-8' },
      [API_DOCS_FILES.script]: { body: read(API_DOCS_FILES.script), type: js },
      [API_DOCS_FILES.styles]: { body: read(API_DOCS_FILES.styles), type: 'text/css; charset=utf-8' },
      [INITIALIZER]: { body: initializer(`${baseUrl}${OPENAPI_PATH}`), type: js },
    },
  };
  return docs;
}

/** Swagger UI's start-up, a file of its own: the page allows no inline script. */
const initializer = (specUrl: string) => `window.onload = function () {
  window.ui = SwaggerUIBundle({
    url: ${JSON.stringify(specUrl)},
    dom_id: '#swagger-ui',
    deepLinking: true,
    tryItOutEnabled: true,
    displayRequestDuration: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
};
`;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/**
 * Scripts and styles from this origin only (Swagger UI sets inline styles), requests to this API
 * and to the token endpoint, nothing else.
 */
export const docsContentSecurityPolicy = (tokenOrigin: string) =>
  [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self' data:",
    `connect-src 'self' ${tokenOrigin}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');

function page({ baseUrl }: Docs): string {
  const asset = (file: string) => escapeHtml(`${baseUrl}${DOCS_PATH}/${file}`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>FX Platform partner API</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="${asset(API_DOCS_FILES.styles)}"></head>
<body><noscript>This page needs JavaScript; the API is described in <a href="${escapeHtml(baseUrl + OPENAPI_PATH)}">openapi.json</a>.</noscript>
<div id="swagger-ui"></div>
<script src="${asset(API_DOCS_FILES.script)}"></script>
<script src="${asset(INITIALIZER)}"></script>
</body></html>
`;
}

const respond = (body: string, type: string, headers: Record<string, string> = {}): ApiResult => ({
  statusCode: 200,
  headers: { ...BASE_HEADERS, 'content-type': type, ...headers },
  body,
});

/** Swagger UI's files never change for a deployment: browsers may keep them a day. */
const STATIC = { 'cache-control': 'public, max-age=86400' };

const serve: Record<(typeof DOCS_ROUTES)[number]['operationId'], (event: ApiEvent) => ApiResult> = {
  openApi: () => {
    const { body, type } = loadDocs().files[API_DOCS_FILES.openApi];
    return respond(body, type);
  },
  docs: () => {
    const loaded = loadDocs();
    return respond(page(loaded), 'text/html; charset=utf-8', { 'content-security-policy': docsContentSecurityPolicy(loaded.tokenOrigin) });
  },
  docsAsset: (event) => {
    const name = String(event.path ?? '').split('/').pop() ?? '';
    const file = name === API_DOCS_FILES.openApi ? undefined : loadDocs().files[name];
    if (!file) throw new NotFoundError(`No file ${name.slice(0, 100)} in the docs`);
    return respond(file.body, file.type, STATIC);
  },
  apiRoot: () => redirectToDocs(),
  versionRoot: () => redirectToDocs(),
};

function redirectToDocs(): ApiResult {
  const location = `${loadConfig('api-docs', { baseUrl: ENV.apiBaseUrl }).baseUrl.replace(/\/+$/, '')}${DOCS_PATH}`;
  return {
    statusCode: 302,
    headers: { ...BASE_HEADERS, location, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify({ docs: location, openapi: location.replace(new RegExp(`${DOCS_PATH}$`), OPENAPI_PATH) }),
  };
}

/** The documentation takes no query parameters: a misspelt one is an error, as everywhere in the API. */
function noQuery(event: ApiEvent): void {
  const names = Object.keys(event.queryStringParameters ?? {});
  if (names.length > 0) {
    throw new BadRequestError(`Unknown query parameter ${names[0].slice(0, 50)}`, {
      issues: names.slice(0, 10).map((name) => ({ in: 'query', path: name.slice(0, 50), message: 'unknown parameter' })),
    });
  }
}

const http = httpPipeline(
  DOCS_ROUTES.map((route) => ({
    method: route.method,
    path: route.path,
    handler: async (event: ApiEvent) => {
      noQuery(event);
      return serve[route.operationId](event);
    },
  })),
  { allRoutes: DOCS_ROUTES, logger: tools.logger, metrics: tools.metrics },
);

/** GET /, /v1, /v1/docs (Swagger UI), /v1/docs/{file} and /v1/openapi.json: public. */
export const handler = withPowertools(middy(http), tools, { correlationId: correlationIds.apiGateway });
