import { InvalidAmountError, UnsupportedCurrencyError } from '../../../lambdas/domain/errors';
import { MAX_BODY_BYTES, SCOPES } from '../../../lambdas/shared/api-contract';
import {
  ConflictError,
  HttpReply,
  apiKeyOwnersOf,
  assertApiKeyOwnedBy,
  parseApiKeyOwners,
  withHttp,
  type Operations,
} from '../../../lambdas/shared/http';
import { ConfigError } from '../../../lambdas/shared/config';
import { apiEvent, apiKeyIdOf, bodyOf, errorOf } from './fakes';

const echo = {
  listCurrencies: async () => ({ items: [] }),
  putCurrency: async ({ params, body, caller }) => ({ code: params.code, name: body.name ?? caller.clientId, minorUnits: 2, kind: 'fiat' as const, enabled: true }),
  latestRates: async ({ query }) => ({ base: query.base, rates: [] }),
  createConversion: async ({ headers, body }) =>
    new HttpReply({ id: headers['idempotency-key'], createdAt: '', ...body, converted: '1', rate: '1', inverseRate: '1', asOf: '', provider: '' }),
  getConversion: async ({ params }) => {
    if (params.id === 'conflict') throw new ConflictError('taken');
    if (params.id === 'amount') throw new InvalidAmountError('amount must be positive', { field: 'amount' });
    if (params.id === 'currency') throw new UnsupportedCurrencyError('Unsupported currency "ABC"', { currency: 'ABC' });
    throw new Error('database exploded at /var/task/index.js:1');
  },
} satisfies Operations<unknown>;

const logged: unknown[] = [];
const handler = withHttp(echo, {}, { logger: { error: (message, attributes) => logged.push({ message, attributes }) } });
const conversion = { from: 'USD', to: 'JPY', amount: '10' };
const post = (overrides: { headers?: Record<string, string>; body?: unknown } = {}) =>
  apiEvent({
    method: 'POST',
    path: '/v1/conversions',
    headers: { 'Content-Type': 'application/json', 'Idempotency-Key': 'k-1', ...overrides.headers },
    body: overrides.body ?? conversion,
  });

describe('withHttp routing', () => {
  it('answers an unknown path with 404 and a known path with a wrong method with 405 and Allow', async () => {
    const missing = await handler(apiEvent({ method: 'GET', path: '/v1/nothing' }));
    const wrongMethod = await handler(apiEvent({ method: 'PATCH', path: '/v1/currencies/USD' }));

    expect(missing.statusCode).toBe(404);
    expect(errorOf(missing).code).toBe('NOT_FOUND');
    expect(wrongMethod.statusCode).toBe(405);
    expect(errorOf(wrongMethod)).toMatchObject({ code: 'METHOD_NOT_ALLOWED', details: { allowed: ['PUT', 'DELETE'] } });
    expect(wrongMethod.headers.allow).toBe('PUT, DELETE');
  });

  it('answers a route this function does not serve with 404', async () => {
    const result = await handler(apiEvent({ method: 'GET', path: '/v1/convert?from=USD&to=JPY&amount=1' }));
    expect(result.statusCode).toBe(404);
  });

  it('finds the route from the path when the event has no resource, decoding path parameters', async () => {
    const event = { ...apiEvent({ method: 'PUT', path: '/v1/currencies/USD', body: {} }), resource: undefined, pathParameters: null };
    const result = await handler({ ...event, path: '/v1/currencies/%55SD' });
    expect(result.statusCode).toBe(200);
    expect(bodyOf(result).code).toBe('USD');
  });

  it('uses the status and headers an operation replies with, and the route status otherwise', async () => {
    const created = await handler(post());
    expect(created.statusCode).toBe(201);
    expect(bodyOf(created)).toMatchObject({ id: 'k-1', from: 'USD' });
    expect(created.headers).toMatchObject({ 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  });
});

describe('withHttp authorization (defence in depth behind the Cognito authorizer)', () => {
  it('needs the client_id claim of an access token', async () => {
    for (const claims of [null, {}, { scope: 'fx-api/rates.read' }, { client_id: 'p', token_use: 'id', scope: 'fx-api/rates.read' }]) {
      const result = await handler(apiEvent({ method: 'GET', path: '/v1/currencies', claims }));
      expect(result.statusCode).toBe(401);
      expect(errorOf(result).code).toBe('UNAUTHORIZED');
    }
  });

  it('needs one of the route scopes, and says which', async () => {
    const result = await handler(apiEvent({ method: 'PUT', path: '/v1/currencies/USD', body: {}, scopes: [SCOPES.ratesRead] }));
    expect(result.statusCode).toBe(403);
    expect(errorOf(result)).toMatchObject({ code: 'FORBIDDEN', details: { requiredScopes: ['fx-api/currencies.admin'] } });
  });

  it('passes the partner id to the operation', async () => {
    const result = await handler(apiEvent({ method: 'PUT', path: '/v1/currencies/USD', body: {}, clientId: 'partner-z' }));
    expect(bodyOf(result).name).toBe('partner-z');
  });
});

describe('withHttp request parsing', () => {
  it('reads headers case-insensitively', async () => {
    const event = post({ headers: { 'IDEMPOTENCY-KEY': 'upper' } });
    const headers = { 'idempotency-key': 'upper', 'CONTENT-type': 'Application/JSON; Charset=UTF-8' };
    const result = await handler({ ...event, headers });
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result).id).toBe('upper');
  });

  it('reads multi-value headers when single-value ones are missing', async () => {
    const event = { ...post(), headers: null, multiValueHeaders: { 'Content-Type': ['application/json'], 'Idempotency-Key': ['mv'] } };
    expect(bodyOf(await handler(event)).id).toBe('mv');
  });

  it('requires the Idempotency-Key header', async () => {
    const event = post();
    const result = await handler({ ...event, headers: { 'content-type': 'application/json' } });
    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toMatchObject({ code: 'VALIDATION_ERROR', details: { issues: [{ in: 'header', path: 'Idempotency-Key' }] } });
  });

  it.each([
    ['no content type', {}],
    ['text/plain', { 'Content-Type': 'text/plain' }],
    ['form data', { 'Content-Type': 'application/x-www-form-urlencoded' }],
    ['JSON in Latin-1', { 'Content-Type': 'application/json; charset=iso-8859-1' }],
  ])('rejects a body sent as %s with 415', async (_name, headers) => {
    const event = post();
    const result = await handler({ ...event, headers: { 'Idempotency-Key': 'k', ...headers } });
    expect(result.statusCode).toBe(415);
    expect(errorOf(result).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('rejects a body over MAX_BODY_BYTES with 413, counting decoded base64 bytes', async () => {
    const big = JSON.stringify({ ...conversion, pad: 'x'.repeat(MAX_BODY_BYTES) });
    const plain = await handler(post({ body: big }));
    const encoded = await handler({ ...post(), body: Buffer.from(big).toString('base64'), isBase64Encoded: true });
    const justFits = await handler({ ...post(), body: Buffer.from(JSON.stringify(conversion)).toString('base64'), isBase64Encoded: true });

    expect(plain.statusCode).toBe(413);
    expect(errorOf(plain)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', details: { maxBytes: MAX_BODY_BYTES } });
    expect(encoded.statusCode).toBe(413);
    expect(justFits.statusCode).toBe(201);
  });

  it.each(['{"from":', "{'from':'USD'}", 'null,', '\u0000', ''])('rejects the body %j as invalid JSON or missing', async (body) => {
    const result = await handler(post({ body }));
    expect(result.statusCode).toBe(400);
    expect(['INVALID_JSON', 'VALIDATION_ERROR']).toContain(errorOf(result).code);
  });

  it('rejects a body that repeats a key with 400 INVALID_JSON naming the key, instead of keeping the last value', async () => {
    const result = await handler(post({ body: '{"from":"EUR","to":"USD","amount":"1","amount":"1000000"}' }));
    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toMatchObject({
      code: 'INVALID_JSON',
      message: 'The body has the key "amount" more than once',
      details: { key: 'amount', path: '' },
    });
  });

  it('rejects a body that breaks the schema, naming the field', async () => {
    const result = await handler(post({ body: { ...conversion, amount: 10 } }));
    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toMatchObject({ code: 'VALIDATION_ERROR', details: { issues: [{ in: 'body', path: 'amount' }] } });
  });

  it('rejects unknown fields of a strict body', async () => {
    const result = await handler(post({ body: { ...conversion, fee: '1' } }));
    expect(result.statusCode).toBe(400);
  });

  it('rejects unknown, repeated and malformed query parameters', async () => {
    const unknown = await handler(apiEvent({ method: 'GET', path: '/v1/rates/latest?base=USD&symbol=EUR' }));
    const repeated = await handler(apiEvent({ method: 'GET', path: '/v1/rates/latest?base=USD&base=EUR' }));
    const lower = await handler(apiEvent({ method: 'GET', path: '/v1/rates/latest?base=usd' }));
    const extra = await handler(apiEvent({ method: 'GET', path: '/v1/currencies?page=2' }));

    for (const result of [unknown, repeated, lower, extra]) {
      expect(result.statusCode).toBe(400);
      expect(errorOf(result).code).toBe('VALIDATION_ERROR');
    }
    expect(errorOf(lower).message).toContain('base');
  });

  it('validates path parameters', async () => {
    const result = await handler(apiEvent({ method: 'PUT', path: '/v1/currencies/usd', body: {} }));
    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toMatchObject({ details: { issues: [{ in: 'path', path: 'code' }] } });
  });

  it('treats a malformed event as a bad request, not a crash', async () => {
    for (const event of [undefined, null, 42, {}, { httpMethod: 'GET' }, { httpMethod: 'GET', path: '/v1/currencies', headers: 'x' }]) {
      const result = await handler(event as never);
      expect(result.statusCode).toBeGreaterThanOrEqual(400);
      expect(result.statusCode).toBeLessThan(500);
      errorOf(result);
    }
  });
});

describe('withHttp: the API key must belong to the token’s client', () => {
  const owners = apiKeyOwnersOf([
    { clientId: 'partner-a', apiKeyId: apiKeyIdOf('partner-a') },
    { clientId: 'partner-b', apiKeyId: apiKeyIdOf('partner-b') },
  ]);
  const calls: string[] = [];
  const checked = withHttp(
    { listCurrencies: async ({ caller }) => (calls.push(caller.clientId), { items: [] }), openApi: async () => ({}) },
    {},
    { apiKeys: owners },
  );
  const list = (clientId: string, apiKeyId?: string | null) =>
    checked(apiEvent({ method: 'GET', path: '/v1/currencies', clientId, apiKeyId }));
  beforeEach(() => (calls.length = 0));

  it('serves a partner calling with its own key', async () => {
    expect((await list('partner-a')).statusCode).toBe(200);
    expect(calls).toEqual(['partner-a']);
  });

  it('refuses partner A’s token with partner B’s key (403) before the operation runs', async () => {
    const result = await list('partner-a', apiKeyIdOf('partner-b'));
    expect(result.statusCode).toBe(403);
    expect(errorOf(result)).toEqual({
      code: 'API_KEY_MISMATCH',
      message: 'The API key does not belong to the app client of the access token',
      details: {},
    });
    expect(calls).toEqual([]);
  });

  it('refuses a request without a key id, and a client that has no key at all', async () => {
    const refused = [
      await list('partner-a', null),
      await list('partner-a', ''),
      await list('partner-c', apiKeyIdOf('partner-c')),
      // Names an object already has are not partners.
      await list('constructor', apiKeyIdOf('constructor')),
      await list('__proto__', apiKeyIdOf('__proto__')),
    ];
    expect(refused.map((r) => [r.statusCode, errorOf(r).code])).toEqual(Array(5).fill([403, 'API_KEY_MISMATCH']));
    expect(calls).toEqual([]);
  });

  it('leaves public routes alone: they need neither token nor key', async () => {
    const docs = await checked(apiEvent({ method: 'GET', path: '/v1/openapi.json', claims: null, apiKeyId: null }));
    expect(docs.statusCode).toBe(200);
  });

  it('is one small rule the local gateway shares', () => {
    expect(() => assertApiKeyOwnedBy('partner-a', apiKeyIdOf('partner-a'), owners)).not.toThrow();
    expect(() => assertApiKeyOwnedBy('partner-b', apiKeyIdOf('partner-a'), owners)).toThrow(/does not belong/);
  });

  it('reads the owners from the JSON the stacks and the local platform put in PARTNER_API_KEYS_JSON', () => {
    const parsed = parseApiKeyOwners('{"partner-a":"key-a","partner-b":"key-b"}');
    expect(() => assertApiKeyOwnedBy('partner-b', 'key-b', parsed)).not.toThrow();
    expect(() => assertApiKeyOwnedBy('partner-b', 'key-a', parsed)).toThrow(/does not belong/);
    for (const bad of ['', 'nope', '[]', '{"partner-a":1}', 'null']) {
      expect(() => parseApiKeyOwners(bad)).toThrow(ConfigError);
    }
  });
});

describe('withHttp error mapping', () => {
  const get = (id: string) => handler(apiEvent({ method: 'GET', path: `/v1/conversions/${id}` }));

  it('maps typed errors by their class', async () => {
    expect((await get('conflict')).statusCode).toBe(409);
    expect(errorOf(await get('amount'))).toMatchObject({ code: 'INVALID_AMOUNT', details: { field: 'amount' } });
    expect((await get('amount')).statusCode).toBe(400);
    expect((await get('currency')).statusCode).toBe(422);
    expect(errorOf(await get('currency'))).toMatchObject({ code: 'UNSUPPORTED_CURRENCY', details: { currency: 'ABC' } });
  });

  it('answers a bug with a 500 that reveals nothing, and logs it', async () => {
    logged.length = 0;
    const result = await get('boom');
    expect(result.statusCode).toBe(500);
    expect(bodyOf(result)).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Internal error', details: { requestId: 'req-1' } } });
    expect(result.body).not.toContain('exploded');
    expect(logged).toEqual([{ message: 'request failed', attributes: { operationId: 'getConversion', error: expect.any(Error) } }]);
  });
});
