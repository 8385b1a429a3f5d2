import { mkdtempSync, rmSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  LocalApiGateway,
  startLocalApiGateway,
  type GatewayApiKey,
  type GatewayRequest,
  type GatewayResponse,
  type LocalApiGatewayOptions,
} from '../../../lib/local-platform/api-gateway';
import {
  TokenIssuer,
  loadOrCreateSigningKey,
  signJwt,
  type SigningKey,
} from '../../../lib/local-platform/token-service';
import {
  MAX_PAYLOAD_BYTES,
  isPublicRoute,
  requiredParameters,
} from '../../../lib/definitions/partner-api';
import {
  ROUTES,
  SCOPES,
  Schemas,
  fullScope,
  type ApiFunctionName,
  type OperationId,
  type RouteDefinition,
  type Scope,
} from '../../../lambdas/shared/api-contract';

const ISSUER = 'http://127.0.0.1:9999';
const ALL_SCOPES = (Object.values(SCOPES) as Scope[]).map(fullScope);
const CLIENT_A = 'clientaclientaclientaclien';
const CLIENT_B = 'clientbclientbclientbclien';
const KEY_A: GatewayApiKey = {
  value: 'A'.repeat(40),
  id: 'keya',
  name: 'partner-a',
  clientId: CLIENT_A,
  throttle: { rateLimit: 1000, burstLimit: 1000 },
  quotaPerDay: 1_000_000,
};
const KEY_B: GatewayApiKey = { ...KEY_A, value: 'B'.repeat(40), id: 'keyb', name: 'partner-b', clientId: CLIENT_B };

/** A request that passes the request validator for each route (the gateway checks presence and the body model). */
const SAMPLE: Record<
  OperationId,
  { path: string; query?: string; headers?: Record<string, string>; body?: unknown }
> = {
  listCurrencies: { path: '/v1/currencies' },
  putCurrency: { path: '/v1/currencies/USD', body: { enabled: false } },
  deleteCurrency: { path: '/v1/currencies/USD' },
  latestRates: { path: '/v1/rates/latest', query: 'base=USD' },
  rateHistory: {
    path: '/v1/rates/history',
    query: 'base=EUR&quote=USD&from=2024-01-01&to=2024-01-31',
  },
  convert: { path: '/v1/convert', query: 'from=EUR&to=JPY&amount=10.50' },
  createConversion: {
    path: '/v1/conversions',
    headers: { 'Idempotency-Key': 'key-1' },
    body: { from: 'EUR', to: 'USD', amount: '125.50' },
  },
  listConversions: { path: '/v1/conversions' },
  getConversion: { path: '/v1/conversions/abc_123' },
  createAlertRule: {
    path: '/v1/alerts',
    headers: { 'Idempotency-Key': 'key-1' },
    body: { base: 'EUR', quote: 'USD', condition: 'above', threshold: '1.10', email: 'ops@example.com' },
  },
  listAlertRules: { path: '/v1/alerts' },
  getAlertRule: { path: '/v1/alerts/01J2Z8Q5N3V7W9X1Y3Z5A7B9C1' },
  updateAlertRule: { path: '/v1/alerts/01J2Z8Q5N3V7W9X1Y3Z5A7B9C1', body: { active: false } },
  deleteAlertRule: { path: '/v1/alerts/01J2Z8Q5N3V7W9X1Y3Z5A7B9C1' },
  openApi: { path: '/v1/openapi.json' },
  docs: { path: '/v1/docs' },
  docsAsset: { path: '/v1/docs/swagger-ui.css' },
  apiRoot: { path: '/' },
  versionRoot: { path: '/v1' },
};

interface Harness {
  gateway: LocalApiGateway;
  events: { fn: ApiFunctionName; event: APIGatewayProxyEvent }[];
  /** The gateway's clock (throttling, quotas, requestTime); tokens use the real one. */
  clock: { now: number };
  token: (scopes?: readonly string[], clientId?: string) => string;
  send: (
    request: Partial<GatewayRequest> & {
      token?: string | null;
      apiKey?: string | null;
      json?: unknown;
    },
  ) => Promise<GatewayResponse>;
}

describe('local API gateway', () => {
  let dir: string;
  let key: SigningKey;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fx-gateway-'));
    key = loadOrCreateSigningKey(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const harness = (
    overrides: Partial<LocalApiGatewayOptions> = {},
    result?: (fn: ApiFunctionName) => unknown,
  ): Harness => {
    const clock = { now: Date.UTC(2026, 5, 1, 10, 0, 0) };
    const events: Harness['events'] = [];
    const issuer = new TokenIssuer({
      key,
      issuer: ISSUER,
      clients: [
        { clientId: CLIENT_A, clientSecret: 's', scopes: ALL_SCOPES },
        { clientId: CLIENT_B, clientSecret: 's', scopes: ALL_SCOPES },
      ],
      // Tokens are signed on the real clock: aws-jwt-verify checks expiry against it.
    });
    const gateway = new LocalApiGateway({
      issuer: ISSUER,
      jwks: issuer.jwks,
      clientIds: [CLIENT_A, CLIENT_B],
      apiKeys: [KEY_A, KEY_B],
      stageThrottle: { rateLimit: 10_000, burstLimit: 10_000 },
      publicThrottle: { rateLimit: 10_000, burstLimit: 10_000 },
      now: () => clock.now,
      invoke: async (fn, event) => {
        events.push({ fn, event });
        return result
          ? result(fn)
          : {
              statusCode: 200,
              headers: { 'Content-Type': 'application/json' },
              body: `{"fn":"${fn}"}`,
            };
      },
      ...overrides,
    });
    const token = (scopes: readonly string[] = ALL_SCOPES, clientId = CLIENT_A) =>
      issuer.sign(clientId, scopes);
    const send: Harness['send'] = (r) => {
      const headers: (readonly [string, string])[] = [...(r.headers ?? [])];
      const auth = r.token === undefined ? token() : r.token;
      if (auth !== null) headers.push(['Authorization', `Bearer ${auth}`]);
      const apiKey = r.apiKey === undefined ? KEY_A.value : r.apiKey;
      if (apiKey !== null) headers.push(['x-api-key', apiKey]);
      if (r.json !== undefined) headers.push(['Content-Type', 'application/json']);
      return gateway.handle({
        method: r.method ?? 'GET',
        url: r.url ?? '/v1/currencies',
        headers,
        body: r.body ?? Buffer.from(r.json === undefined ? '' : JSON.stringify(r.json)),
        bodyBytes: r.bodyBytes,
      });
    };
    return { gateway, events, clock, token, send };
  };

  const json = (response: GatewayResponse) => JSON.parse(response.body.toString());
  const expectError = (response: GatewayResponse, status: number, code: string) => {
    expect({ status: response.status, code: json(response).error?.code }).toEqual({ status, code });
    expect(response.headers['content-type']).toBe('application/json');
    expect(Schemas.Error.safeParse(json(response)).success).toBe(true);
  };
  const sampleRequest = (route: RouteDefinition) => {
    const sample = SAMPLE[route.operationId as OperationId];
    return {
      method: route.method,
      url: sample.query ? `${sample.path}?${sample.query}` : sample.path,
      headers: Object.entries(sample.headers ?? {}),
      json: sample.body,
    };
  };

  it('has a sample request for every route of the contract', () => {
    expect(Object.keys(SAMPLE).sort()).toEqual(ROUTES.map((r) => r.operationId).sort());
  });

  it.each(ROUTES.map((r) => [`${r.method} ${r.path}`, r] as const))(
    '%s reaches its function with an API Gateway proxy event',
    async (_name, route) => {
      const h = harness();
      const response = await h.send(sampleRequest(route));
      expect(response.status).toBe(200);
      expect(h.events).toHaveLength(1);
      const { fn, event } = h.events[0];
      expect(fn).toBe(route.function);
      expect(event).toEqual(
        expect.objectContaining({
          resource: route.path,
          httpMethod: route.method,
          isBase64Encoded: false,
        }),
      );
      expect(event.requestContext).toEqual(
        expect.objectContaining({
          resourcePath: route.path,
          httpMethod: route.method,
          stage: 'local',
        }),
      );
    },
  );

  it('builds the v1 event like API Gateway: decoded parameters, headers as sent, claims as strings, the API key', async () => {
    const h = harness();
    const token = h.token();
    const response = await h.send({
      url: '/v1/conversions/abc%5F123?limit=5&cursor=a%2Bb&cursor=c',
      headers: [
        ['X-Trace', 'one'],
        ['X-Trace', 'two'],
        ['User-Agent', 'partner-sdk/1.0'],
      ],
      token,
    });
    expect(response.status).toBe(200);
    const { event } = h.events[0];
    expect(event.path).toBe('/v1/conversions/abc%5F123');
    expect(event.pathParameters).toEqual({ id: 'abc_123' });
    expect(event.queryStringParameters).toEqual({ limit: '5', cursor: 'c' });
    expect(event.multiValueQueryStringParameters).toEqual({ limit: ['5'], cursor: ['a+b', 'c'] });
    expect(event.headers['X-Trace']).toBe('two');
    expect(event.multiValueHeaders['X-Trace']).toEqual(['one', 'two']);
    expect(event.headers.Authorization).toBe(`Bearer ${token}`);
    expect(event.body).toBeNull();
    expect(event.stageVariables).toBeNull();
    const claims = event.requestContext.authorizer?.claims as Record<string, string>;
    const signed = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
    const javaDate = (seconds: number) => {
      const [day, date, month, year, time] = new Date(seconds * 1000)
        .toUTCString()
        .replace(',', '')
        .split(' ');
      return `${day} ${month} ${date} ${time} UTC ${year}`;
    };
    expect(claims).toEqual({
      client_id: CLIENT_A,
      sub: CLIENT_A,
      token_use: 'access',
      scope: ALL_SCOPES.join(' '),
      iss: ISSUER,
      version: '2',
      jti: signed.jti,
      auth_time: String(signed.auth_time),
      exp: javaDate(signed.exp),
      iat: javaDate(signed.iat),
    });
    expect(claims.exp).toMatch(/^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2} UTC \d{4}$/);
    for (const value of Object.values(claims)) expect(typeof value).toBe('string');
    expect(event.requestContext.identity).toEqual(
      expect.objectContaining({
        apiKey: KEY_A.value,
        apiKeyId: KEY_A.id,
        userAgent: 'partner-sdk/1.0',
        sourceIp: '127.0.0.1',
      }),
    );
    expect(event.requestContext.requestId).toBe(response.headers['x-amzn-requestid']);
    expect(event.requestContext.requestTime).toBe('01/Jun/2026:10:00:00 +0000');
    expect(event.requestContext.path).toBe(`/local${event.path}`);
  });

  it('passes the JSON body through as the raw string it was', async () => {
    const h = harness();
    const raw = '{ "from": "EUR", "to": "USD", "amount": "1.10" }';
    await h.send({
      method: 'POST',
      url: '/v1/conversions',
      headers: [
        ['Content-Type', 'application/json; charset=utf-8'],
        ['idempotency-key', 'k'],
      ],
      body: Buffer.from(raw),
    });
    expect(h.events[0].event.body).toBe(raw);
  });

  it('serves public routes without token or API key, and without authorizer claims', async () => {
    const h = harness();
    for (const route of ROUTES.filter(isPublicRoute)) {
      const response = await h.send({ ...sampleRequest(route), token: null, apiKey: null });
      expect(response.status).toBe(200);
    }
    expect(h.events.every((e) => e.event.requestContext.authorizer === undefined)).toBe(true);
    expect(h.events.map((e) => e.event.requestContext.identity.apiKey)).toEqual(ROUTES.filter(isPublicRoute).map(() => null));
  });

  describe('answers itself, in the API error shape, without invoking a function', () => {
    const protectedRoute = ROUTES.find((r) => r.operationId === 'listConversions')!;

    it('404 for a path no route has', async () => {
      const h = harness();
      // `/` and `/v1` are routes: they point to the docs.
      for (const url of [
        '/v0',
        '/v1/docs/a/b',
        '/v1/nope',
        '/v2/currencies',
        '/v1/currencies/USD/extra',
        '/v1/convert/',
      ]) {
        expectError(await h.send({ url }), 404, 'NOT_FOUND');
      }
      expect(h.events).toHaveLength(0);
    });

    it('405 with Allow for a known path and another method', async () => {
      const h = harness();
      const response = await h.send({ method: 'PATCH', url: '/v1/currencies/USD' });
      expectError(response, 405, 'METHOD_NOT_ALLOWED');
      expect(response.headers.allow).toBe('PUT, DELETE');
      expect(h.events).toHaveLength(0);
    });

    it('401 for a missing, malformed, expired, never-expiring, tampered or foreign token', async () => {
      const h = harness();
      const valid = h.token();
      const [header, payload, signature] = valid.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      const tampered = `${header}.${Buffer.from(JSON.stringify({ ...claims, scope: ALL_SCOPES.join(' ') + ' fx-api/x' })).toString('base64url')}.${signature}`;
      const otherKey: SigningKey = {
        ...key,
        privateKey: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey,
      };
      const now = Math.floor(Date.now() / 1000);
      const base = { ...claims, iat: now, exp: now + 3600 };
      const bad = {
        missing: null,
        empty: '',
        garbage: 'not-a-jwt',
        tampered,
        'signed by another key': signJwt(otherKey, base),
        expired: signJwt(key, { ...base, iat: now - 7200, exp: now - 3600 }),
        // Cognito access tokens always expire; one that never does is not Cognito's.
        'without exp': signJwt(key, { ...base, exp: undefined }),
        'with a non-numeric exp': signJwt(key, { ...base, exp: String(now + 3600) }),
        'another issuer': signJwt(key, {
          ...base,
          iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x',
        }),
        'an id token': signJwt(key, { ...base, token_use: 'id' }),
        'an unknown app client': signJwt(key, { ...base, client_id: 'someone-else' }),
        'alg none': `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`,
      };
      for (const [name, token] of Object.entries(bad)) {
        const response = await h.send({ url: '/v1/conversions', token });
        expect([name, response.status]).toEqual([name, 401]);
        expectError(response, 401, 'UNAUTHORIZED');
      }
      expect(h.events).toHaveLength(0);
    });

    it('403 for a valid token without any of the route’s scopes; any one scope suffices', async () => {
      const h = harness();
      const response = await h.send({
        url: '/v1/conversions',
        token: h.token([fullScope(SCOPES.ratesRead)]),
      });
      expectError(response, 403, 'FORBIDDEN');
      expect(json(response).error.details.requiredScopes).toEqual(
        protectedRoute.scopes.map(fullScope),
      );
      const ok = await h.send({
        url: '/v1/conversions',
        token: h.token([fullScope(SCOPES.conversionsRead)]),
      });
      expect(ok.status).toBe(200);
    });

    it('403 for a missing or unknown API key, even with a valid token', async () => {
      const h = harness();
      expectError(await h.send({ url: '/v1/conversions', apiKey: null }), 403, 'INVALID_API_KEY');
      expectError(
        await h.send({ url: '/v1/conversions', apiKey: 'C'.repeat(40) }),
        403,
        'INVALID_API_KEY',
      );
      expect(h.events).toHaveLength(0);
    });

    it('403 API_KEY_MISMATCH for one partner’s token with another partner’s key, metered to the key as API Gateway does', async () => {
      const h = harness({ apiKeys: [KEY_A, { ...KEY_B, quotaPerDay: 1 }] });
      const response = await h.send({ url: '/v1/conversions', token: h.token(ALL_SCOPES, CLIENT_A), apiKey: KEY_B.value });
      expectError(response, 403, 'API_KEY_MISMATCH');
      expect(json(response).error.message).toBe('The API key does not belong to the app client of the access token');
      expect(h.events).toHaveLength(0);
      // API Gateway counts the request against the key's usage plan before any function can refuse it.
      const own = await h.send({ url: '/v1/conversions', token: h.token(ALL_SCOPES, CLIENT_B), apiKey: KEY_B.value });
      expectError(own, 429, 'QUOTA_EXCEEDED');
      // Each partner with its own key is served.
      const a = await h.send({ url: '/v1/conversions', token: h.token(ALL_SCOPES, CLIENT_A), apiKey: KEY_A.value });
      expect(a.status).toBe(200);
      expect(h.events[0].event.requestContext.identity.apiKeyId).toBe(KEY_A.id);
    });

    it('413 for a body over API Gateway’s 10 MB', async () => {
      const h = harness();
      const response = await h.send({
        method: 'POST',
        url: '/v1/conversions',
        headers: [['Idempotency-Key', 'k']],
        body: Buffer.alloc(16),
        bodyBytes: MAX_PAYLOAD_BYTES + 1,
      });
      expectError(response, 413, 'PAYLOAD_TOO_LARGE');
    });

    it('400 naming the required query parameters and headers that are missing', async () => {
      const h = harness();
      const convert = await h.send({ url: '/v1/convert?from=EUR&amount=' });
      expectError(convert, 400, 'VALIDATION_ERROR');
      expect(json(convert).error.details.missing).toEqual(['to', 'amount']);
      const create = await h.send({
        method: 'POST',
        url: '/v1/conversions',
        json: { from: 'EUR', to: 'USD', amount: '1' },
      });
      expectError(create, 400, 'VALIDATION_ERROR');
      expect(json(create).error.details.missing).toEqual(['Idempotency-Key']);
      // Optional parameters may be left out; header names are case-insensitive.
      expect((await h.send({ url: '/v1/rates/latest?base=EUR' })).status).toBe(200);
      const lower = await h.send({
        method: 'POST',
        url: '/v1/conversions',
        headers: [['idempotency-key', 'k']],
        json: { from: 'EUR', to: 'USD', amount: '1' },
      });
      expect(lower.status).toBe(200);
    });

    it('derives the required parameters from the zod schemas (.optional() = not required)', () => {
      const history = ROUTES.find((r) => r.operationId === 'rateHistory')!;
      expect(requiredParameters(history)).toEqual({
        path: [],
        query: ['base', 'quote', 'from', 'to'],
        headers: [],
      });
    });

    it.each([
      ['not JSON', '{"from": "EUR",'],
      ['an array', '[]'],
      ['a missing field', '{"from":"EUR","to":"USD"}'],
      ['a number amount', '{"from":"EUR","to":"USD","amount":125.5}'],
      ['an unknown field', '{"from":"EUR","to":"USD","amount":"1","note":"x"}'],
      ['a lower-case currency', '{"from":"eur","to":"USD","amount":"1"}'],
      ['an empty body', ''],
    ])('400 for a JSON body with %s (the model check)', async (_case, raw) => {
      const h = harness();
      const response = await h.send({
        method: 'POST',
        url: '/v1/conversions',
        headers: [
          ['Idempotency-Key', 'k'],
          ['Content-Type', 'application/json'],
        ],
        body: Buffer.from(raw),
      });
      expectError(response, 400, 'VALIDATION_ERROR');
      expect(h.events).toHaveLength(0);
    });

    it('passes a non-JSON content type to the function, as API Gateway (no model for it) does', async () => {
      const h = harness();
      const response = await h.send({
        method: 'POST',
        url: '/v1/conversions',
        headers: [
          ['Idempotency-Key', 'k'],
          ['Content-Type', 'text/plain'],
        ],
        body: Buffer.from('from=EUR'),
      });
      expect(response.status).toBe(200);
      expect(h.events[0].event.body).toBe('from=EUR');
    });
  });

  describe('usage plans and stage throttling', () => {
    it('429 THROTTLED once the key’s burst is spent, and again after the bucket refills', async () => {
      const h = harness({ apiKeys: [{ ...KEY_A, throttle: { rateLimit: 2, burstLimit: 3 } }] });
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await h.send({})).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expectError(await h.send({}), 429, 'THROTTLED');
      h.clock.now += 1000;
      expect([
        (await h.send({})).status,
        (await h.send({})).status,
        (await h.send({})).status,
      ]).toEqual([200, 200, 429]);
    });

    it('429 QUOTA_EXCEEDED after the daily quota, until the next UTC day', async () => {
      const h = harness({ apiKeys: [{ ...KEY_A, quotaPerDay: 2 }] });
      expect((await h.send({})).status).toBe(200);
      expect((await h.send({})).status).toBe(200);
      expectError(await h.send({}), 429, 'QUOTA_EXCEEDED');
      h.clock.now = Date.UTC(2026, 5, 2, 0, 0, 1);
      expect((await h.send({})).status).toBe(200);
    });

    it('throttles public routes on their own bucket, apart from the partners’ stage throttle', async () => {
      const h = harness({
        stageThrottle: { rateLimit: 1, burstLimit: 2 },
        publicThrottle: { rateLimit: 1, burstLimit: 3 },
      });
      const docs = () => h.send({ url: '/v1/docs', token: null, apiKey: null });
      const statuses = async (n: number, send: () => Promise<GatewayResponse>) => {
        const out: number[] = [];
        for (let i = 0; i < n; i++) out.push((await send()).status);
        return out;
      };
      // A burst on the docs spends only the public bucket: partners still get their whole burst.
      expect(await statuses(4, docs)).toEqual([200, 200, 200, 429]);
      expect(await statuses(3, () => h.send({}))).toEqual([200, 200, 429]);
      expectError(await docs(), 429, 'THROTTLED');
      // Both refill with time.
      h.clock.now += 1000;
      expect([(await docs()).status, (await h.send({})).status]).toEqual([200, 200]);
    });
  });

  describe('Lambda proxy integration', () => {
    it('returns the function’s status, headers and body (base64 decoded when flagged)', async () => {
      const h = harness({}, () => ({
        statusCode: 201,
        headers: { 'Content-Type': 'application/octet-stream', 'X-One': 1 },
        multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
        body: Buffer.from([0, 1, 2, 255]).toString('base64'),
        isBase64Encoded: true,
      }));
      const response = await h.send({});
      expect(response.status).toBe(201);
      expect(response.headers['content-type']).toBe('application/octet-stream');
      expect(response.headers['x-one']).toBe('1');
      expect(response.headers['set-cookie']).toEqual(['a=1', 'b=2']);
      expect([...response.body]).toEqual([0, 1, 2, 255]);
    });

    it('502 when the function fails or answers something that is not a proxy result; 504 on timeout', async () => {
      const failing = harness({ invoke: async () => Promise.reject(new Error('boom')) });
      expectError(await failing.send({}), 502, 'INTEGRATION_FAILURE');
      const malformed = harness({}, () => ({ body: 'no status' }));
      expectError(await malformed.send({}), 502, 'INTEGRATION_FAILURE');
      const slow = harness({
        invoke: async () => Promise.reject(new Error('rates-api timed out after 10 s')),
      });
      expectError(await slow.send({}), 504, 'INTEGRATION_TIMEOUT');
    });
  });

  describe('over HTTP', () => {
    it('serves on loopback, reads a body over 10 MB to the end and answers 413 JSON', async () => {
      const h = harness();
      const running = await startLocalApiGateway({
        issuer: ISSUER,
        jwks: new TokenIssuer({ key, issuer: ISSUER, clients: [] }).jwks,
        clientIds: [CLIENT_A],
        apiKeys: [KEY_A],
        stageThrottle: { rateLimit: 100, burstLimit: 100 },
        publicThrottle: { rateLimit: 1000, burstLimit: 1000 },
        invoke: async () => ({ statusCode: 200, body: '{}' }),
      });
      try {
        expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
        const big = await fetch(`${running.url}/v1/conversions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'idempotency-key': 'k' },
          body: Buffer.alloc(MAX_PAYLOAD_BYTES + 1, 0x20),
        });
        expect(big.status).toBe(413);
        expect(await big.json()).toEqual({
          error: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }),
        });
        const docs = await fetch(`${running.url}/v1/docs`);
        expect(docs.status).toBe(200);
        const convert = await fetch(`${running.url}/v1/convert?from=EUR&to=USD&amount=1`, {
          headers: { authorization: `Bearer ${h.token()}`, 'x-api-key': KEY_A.value },
        });
        expect(convert.status).toBe(200);
        expect(convert.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
      } finally {
        await running.stop();
      }
    });
  });
});
