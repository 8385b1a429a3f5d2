import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { API_KEY_SCHEME, OAUTH_SCHEME } from '../../../lib/api-docs/openapi-document';
import { writeApiDocs } from '../../../lib/api-docs/api-docs-files';
import { ROUTES, SCOPES, SCOPE_DESCRIPTIONS, Schemas, fullScope, type Scope } from '../../../lambdas/shared/api-contract';
import { ENV } from '../../../lambdas/shared/env-names';
import type { ApiHandler } from '../../../lambdas/shared/http';
import { QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { validateOpenApi } from '../../support/openapi-validator';
import { apiEvent, bodyOf } from './fakes';

const BASE_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com/dev';
const TOKEN_URL = 'https://fx-partners-dev-123456789012.auth.eu-west-1.amazoncognito.com/oauth2/token';

interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; example?: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown; example?: unknown }> };
  responses: Record<string, { $ref?: string }>;
}
interface Document {
  openapi: string;
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, unknown>;
    responses: Record<string, { content: Record<string, { example: unknown }> }>;
    securitySchemes: Record<string, { type: string; in?: string; name?: string; flows?: { clientCredentials: { tokenUrl: string; scopes: Record<string, string> } } }>;
  };
}

let handler: ApiHandler;
let restoreEnv: () => void;
let docsDir: string;

beforeAll(async () => {
  docsDir = writeApiDocs(mkdtempSync(path.join(tmpdir(), 'fx-api-docs-')));
  restoreEnv = setEnv({ ...QUIET_POWERTOOLS, [ENV.apiDocsDir]: docsDir, [ENV.apiBaseUrl]: BASE_URL, [ENV.apiTokenUrl]: TOKEN_URL });
  ({ handler } = await import('../../../lambdas/handlers/api-docs'));
});
afterAll(() => {
  restoreEnv();
  rmSync(docsDir, { recursive: true, force: true });
});

const get = (urlPath: string) => handler(apiEvent({ method: 'GET', path: urlPath, claims: null, apiKeyId: null }));

async function openApi(): Promise<Document> {
  const result = await get('/v1/openapi.json');
  expect(result.statusCode).toBe(200);
  expect(result.headers['content-type']).toMatch(/^application\/json/);
  return bodyOf(result) as unknown as Document;
}

const operations = (doc: Document) =>
  Object.entries(doc.paths).flatMap(([p, methods]) => Object.entries(methods).map(([method, op]) => ({ path: p, method, op })));

describe('GET /v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document (the published JSON schema of the spec)', async () => {
    const doc = await openApi();
    const result = validateOpenApi(doc);

    expect(doc.openapi).toBe('3.1.0');
    expect(result).toEqual({ valid: true });
  });

  it('has every route of the contract and nothing else', async () => {
    const doc = await openApi();
    expect(operations(doc).map(({ path: p, method, op }) => `${method.toUpperCase()} ${p} ${op.operationId}`).sort()).toEqual(
      ROUTES.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort(),
    );
  });

  it('names this stage as its server and the stage’s Cognito token endpoint, absolute, for the client-credentials flow', async () => {
    const doc = await openApi();
    expect(doc.servers).toEqual([{ url: BASE_URL, description: 'This stage' }]);
    expect(doc.components.securitySchemes[OAUTH_SCHEME].flows?.clientCredentials.tokenUrl).toBe(TOKEN_URL);
  });

  it('asks for the token (with the operation’s scope) and the x-api-key on every protected operation, and neither on the public ones', async () => {
    const doc = await openApi();
    expect(doc.components.securitySchemes[API_KEY_SCHEME]).toMatchObject({ type: 'apiKey', in: 'header', name: 'x-api-key' });
    for (const route of ROUTES) {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      expect({ op: route.operationId, security: op.security }).toEqual({
        op: route.operationId,
        security: route.scopes.map((s) => ({ [OAUTH_SCHEME]: [fullScope(s)], [API_KEY_SCHEME]: [] })),
      });
    }
  });

  it('advertises only the scopes some route needs', async () => {
    const doc = await openApi();
    const used = [...new Set(ROUTES.flatMap((r): readonly Scope[] => r.scopes))];
    expect(doc.components.securitySchemes[OAUTH_SCHEME].flows?.clientCredentials.scopes).toEqual(
      Object.fromEntries(used.map((s) => [fullScope(s), SCOPE_DESCRIPTIONS[s]])),
    );
    expect(used).toContain(SCOPES.alertsRead);
  });

  it('shows an example for every parameter, header and body a request takes', async () => {
    const doc = await openApi();
    for (const { op } of operations(doc)) {
      for (const parameter of op.parameters?.filter((p) => p.required) ?? []) {
        expect({ op: op.operationId, parameter: parameter.name, example: parameter.example }).toEqual({
          op: op.operationId,
          parameter: parameter.name,
          example: expect.any(String),
        });
      }
      const body = op.requestBody?.content['application/json'];
      if (body) expect({ op: op.operationId, example: body.example }).toEqual({ op: op.operationId, example: expect.anything() });
    }
    // The examples are requests the contract accepts.
    for (const route of ROUTES) {
      if ('body' in route && 'example' in route) expect(route.body.safeParse(route.example.body).success).toBe(true);
      if ('query' in route && 'example' in route && 'query' in route.example) expect(route.query.strict().safeParse(route.example.query).success).toBe(true);
    }
  });

  it('shows an example of every error, in the API’s error shape, and every operation lists its errors', async () => {
    const doc = await openApi();
    for (const [name, response] of Object.entries(doc.components.responses)) {
      const example = response.content['application/json'].example;
      expect({ name, valid: Schemas.Error.strict().safeParse(example).success }).toEqual({ name, valid: true });
    }
    const create = doc.paths['/v1/conversions'].post;
    expect(Object.keys(create.responses)).toEqual(['201', '400', '401', '403', '404', '405', '409', '413', '415', '422', '429', '500']);
    expect(Object.keys(doc.paths['/v1/docs'].get.responses)).not.toContain('401');
  });
});

describe('GET /v1/docs (Swagger UI)', () => {
  it('loads Swagger UI from this API (no CDN) and lets it talk to this API and the token endpoint only', async () => {
    const result = await get('/v1/docs');

    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    const sources = [...result.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(sources).toEqual([
      'data:,',
      `${BASE_URL}/v1/docs/swagger-ui.css`,
      `${BASE_URL}/v1/openapi.json`,
      `${BASE_URL}/v1/docs/swagger-ui-bundle.js`,
      `${BASE_URL}/v1/docs/swagger-initializer.js`,
    ]);
    const csp = result.headers['content-security-policy'];
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).toContain(`connect-src 'self' ${new URL(TOKEN_URL).origin};`);
    expect(result.body).not.toMatch(/<script>/);
  });

  it('serves Swagger UI’s files from the swagger-ui-dist package, and its start-up pointing at this document', async () => {
    const script = await get('/v1/docs/swagger-ui-bundle.js');
    const styles = await get('/v1/docs/swagger-ui.css');
    const initializer = await get('/v1/docs/swagger-initializer.js');

    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(script.body).toBe(readFileSync(require.resolve('swagger-ui-dist/swagger-ui-bundle.js'), 'utf8'));
    expect(styles.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(styles.body).toBe(readFileSync(require.resolve('swagger-ui-dist/swagger-ui.css'), 'utf8'));
    expect(initializer.body).toContain(`url: ${JSON.stringify(`${BASE_URL}/v1/openapi.json`)}`);
    for (const missing of ['/v1/docs/index.html', '/v1/docs/..%2Fopenapi.json', '/v1/docs/openapi.json']) {
      expect({ missing, status: (await get(missing)).statusCode }).toEqual({ missing, status: 404 });
    }
  });

  it('is what GET / and GET /v1 point to', async () => {
    for (const entry of ['/', '/v1']) {
      const result = await get(entry);
      expect(result.statusCode).toBe(302);
      expect(result.headers.location).toBe(`${BASE_URL}/v1/docs`);
      expect(bodyOf(result)).toEqual({ docs: `${BASE_URL}/v1/docs`, openapi: `${BASE_URL}/v1/openapi.json` });
    }
  });

  it('answers other methods with 405 and unknown query parameters with 400', async () => {
    expect((await handler(apiEvent({ method: 'POST', path: '/v1/docs', claims: null }))).statusCode).toBe(405);
    expect((await get('/v1/docs?x=1')).statusCode).toBe(400);
  });
});
