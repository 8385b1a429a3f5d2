import { ROUTES, SCOPE_DESCRIPTIONS, fullScope, type Scope } from '../../../lambdas/shared/api-contract';
import type { ApiHandler } from '../../../lambdas/shared/http';
import { SECURITY_SCHEME, type OpenApiDocument } from '../../../lambdas/shared/openapi';
import { QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { apiEvent, bodyOf } from './fakes';

let handler: ApiHandler;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv(QUIET_POWERTOOLS);
  ({ handler } = await import('../../../lambdas/handlers/api-docs'));
});
afterAll(() => restoreEnv());

const stageEvent = (path: string) => ({
  ...apiEvent({ method: 'GET', path, claims: null }),
  headers: { Host: 'abc.execute-api.eu-west-1.amazonaws.com' },
  requestContext: { requestId: 'r', path: `/dev${path}`, domainName: 'abc.execute-api.eu-west-1.amazonaws.com' },
});

async function openApi(): Promise<OpenApiDocument> {
  const result = await handler(stageEvent('/v1/openapi.json'));
  expect(result.statusCode).toBe(200);
  expect(result.headers['content-type']).toMatch(/^application\/json/);
  return bodyOf(result) as OpenApiDocument;
}

function refsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(refsIn);
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value).flatMap(([key, v]) => (key === '$ref' && typeof v === 'string' ? [v] : refsIn(v)));
}

describe('GET /v1/openapi.json', () => {
  it('is an OpenAPI 3.1 document of every route of the contract, needing no token', async () => {
    const doc = await openApi();

    expect(doc.openapi).toBe('3.1.0');
    expect(doc.servers).toEqual([{ url: 'https://abc.execute-api.eu-west-1.amazonaws.com/dev' }]);
    const operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(operations.sort()).toEqual(ROUTES.map((r) => `${r.method} ${r.path} ${r.operationId}`).sort());
  });

  it('declares OAuth2 client credentials with every scope, and each operation’s scopes', async () => {
    const doc = await openApi();

    expect(doc.components.securitySchemes[SECURITY_SCHEME]).toMatchObject({
      type: 'oauth2',
      flows: {
        clientCredentials: {
          tokenUrl: expect.any(String),
          scopes: Object.fromEntries(Object.entries(SCOPE_DESCRIPTIONS).map(([s, text]) => [fullScope(s as Scope), text])),
        },
      },
    });
    for (const route of ROUTES) {
      const op = doc.paths[route.path][route.method.toLowerCase()];
      expect({ op: route.operationId, security: op.security }).toEqual({
        op: route.operationId,
        security: route.scopes.map((s) => ({ [SECURITY_SCHEME]: [fullScope(s)] })),
      });
    }
  });

  it('names shared schemas by their .meta id and resolves every $ref', async () => {
    const doc = await openApi();

    expect(Object.keys(doc.components.schemas)).toEqual(
      expect.arrayContaining(['Error', 'Currency', 'CurrencyUpdate', 'Rate', 'HistoryPoint', 'Quote', 'Conversion', 'ConversionRequest', 'LatestRates', 'RateHistoryPage', 'ConversionPage']),
    );
    for (const ref of refsIn(doc)) {
      const [, section, name] = /^#\/components\/(schemas|responses)\/(.+)$/.exec(ref) ?? [];
      expect({ ref, found: Boolean(section && (doc.components as Record<string, Record<string, unknown>>)[section][name]) }).toEqual({ ref, found: true });
    }
    expect(doc.paths['/v1/conversions'].post.requestBody?.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/ConversionRequest' });
  });

  it('documents parameters, the Idempotency-Key header and the error responses', async () => {
    const doc = await openApi();
    const convert = doc.paths['/v1/convert'].get;
    const create = doc.paths['/v1/conversions'].post;

    expect(convert.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ['from', 'query', true],
      ['to', 'query', true],
      ['amount', 'query', true],
      ['date', 'query', false],
      ['at', 'query', false],
    ]);
    expect(create.parameters).toEqual([expect.objectContaining({ name: 'Idempotency-Key', in: 'header', required: true })]);
    expect(Object.keys(create.responses)).toEqual(['201', '400', '401', '403', '404', '405', '409', '413', '415', '422', '429', '500']);
    expect(doc.components.responses.Conflict).toMatchObject({ content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } });
    expect(Object.keys(doc.paths['/v1/docs'].get.responses)).not.toContain('401');
  });
});

describe('GET /v1/docs', () => {
  it('is a self-contained HTML page of every operation that loads nothing from the network', async () => {
    const result = await handler(stageEvent('/v1/docs'));

    expect(result.statusCode).toBe(200);
    expect(result.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(result.headers['content-security-policy']).toContain("default-src 'none'");
    for (const route of ROUTES) {
      expect(result.body).toContain(`id="${route.operationId}"`);
      expect(result.body).toContain(`<code>${route.path}</code>`);
    }
    expect(result.body).toContain('fx-api/conversions.write');
    expect(result.body).not.toMatch(/<script|<link|<img|@import|url\(|src=/i);
    expect(result.body).not.toMatch(/(href)="https?:/);
  });

  it('answers other methods with 405 and unknown query parameters with 400', async () => {
    expect((await handler({ ...stageEvent('/v1/docs'), httpMethod: 'POST' })).statusCode).toBe(405);
    expect((await handler({ ...stageEvent('/v1/docs'), queryStringParameters: { x: '1' } })).statusCode).toBe(400);
  });
});
