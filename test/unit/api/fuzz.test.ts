import { MAX_BODY_BYTES, ROUTES, SCOPES, Schemas, type ApiFunctionName } from '../../../lambdas/shared/api-contract';
import { withHttp, type ApiEvent, type ApiHandler } from '../../../lambdas/shared/http';
import { alertRuleOperations } from '../../../lambdas/use-cases/alert-rules';
import { conversionOperations } from '../../../lambdas/use-cases/conversions';
import { currencyOperations } from '../../../lambdas/use-cases/currencies';
import { rateOperations } from '../../../lambdas/use-cases/rate-queries';
import { QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { apiEvent, memoryDeps, type RequestSpec } from './fakes';

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20220708;
const REQUESTS = 1_500;
const random = prng(SEED);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)];
const int = (max: number) => Math.floor(random() * max);
const junk = (length: number) => Array.from({ length }, () => String.fromCharCode(int(0x2ff))).join('');

/** A valid request per route; each case below breaks exactly one thing about one of them. */
const VALID: Record<string, RequestSpec> = {
  listCurrencies: { method: 'GET', path: '/v1/currencies' },
  putCurrency: { method: 'PUT', path: '/v1/currencies/USD', body: { enabled: true } },
  deleteCurrency: { method: 'DELETE', path: '/v1/currencies/CHF' },
  latestRates: { method: 'GET', path: '/v1/rates/latest?base=USD&symbols=EUR,JPY' },
  rateHistory: { method: 'GET', path: '/v1/rates/history?base=EUR&quote=USD&from=2022-07-06&to=2022-07-08' },
  convert: { method: 'GET', path: '/v1/convert?from=USD&to=JPY&amount=10' },
  createConversion: { method: 'POST', path: '/v1/conversions', headers: { 'Idempotency-Key': 'k' }, body: { from: 'USD', to: 'JPY', amount: '10' } },
  listConversions: { method: 'GET', path: '/v1/conversions' },
  getConversion: { method: 'GET', path: '/v1/conversions/01TEST00000000000000000001' },
};
const BODY_ROUTES = ['putCurrency', 'createConversion'];
const SECURED = Object.keys(VALID);

const withQuery = (spec: RequestSpec, name: string, value: string) => {
  const [path, search = ''] = spec.path.split('?');
  const params = new URLSearchParams(search);
  params.set(name, value);
  return { ...spec, path: `${path}?${params}` };
};

interface Case {
  readonly kind: string;
  readonly event: ApiEvent;
  readonly expected: readonly number[];
}
type Generator = () => Case;

const BROKEN_JSON = ['{', '{"from":"USD",}', "{'from':'USD'}", '[1,2', '{"from":"USD"}}', 'NaN', 'undefined', '{"a":1e999999}x', '\u0000\u0001', '{"from":"\\uZZZZ"}'];
/** Fields of the two bodies and their JSON types; `unexpected` is in neither (strict schemas). */
const FIELD_TYPES: Record<string, string> = { from: 'string', to: 'string', amount: 'string', name: 'string', enabled: 'boolean', minorUnits: 'number', unexpected: 'none' };
const WRONG_VALUES: unknown[] = [0, -1, 1e308, null, true, [], {}, ['USD'], { $gt: '' }, 'x'.repeat(200)];
const HUGE_AMOUNTS = ['1'.repeat(39), '1e400', '1E5', '-5', '+5', '0', '0.0', `0.${'1'.repeat(39)}`, `${'9'.repeat(38)}.${'9'.repeat(38)}`, '1,5', ' 1', 'Infinity', 'NaN', '0x10', `1${'0'.repeat(200)}`];
const UNSUPPORTED = ['ABC', 'ZZZ', 'XAU', 'QQQQ', 'XTS', 'A1B2'];
const MALFORMED_CODES = ['usd', 'US', 'U$D', 'EURO12345678', '', 'ÜSD', 'US D', 'EUR;USD'];
const BAD_DATES = ['2022-02-30', '2022-13-01', '20220101', 'yesterday', '2022-7-8', '0000-00-00', '2022-07-08T00:00:00Z', '9999-99-99', ''];
const BAD_METHODS = ['PATCH', 'HEAD', 'OPTIONS', 'TRACE', 'CONNECT', 'get', '', 'P\u0000ST', 'X'.repeat(1000)];
// Not `/` nor `/v1`: they point to the docs (302).
const BAD_PATHS = ['/v2/currencies', '/v1/currencies/USD/extra', '/v0', '/v2', '', '//v1/currencies', '/v1/../etc/passwd', '/V1/CURRENCIES', '/v1/rates', '/v1/convert/', '/v1/conversions/a/b'];
const CONTENT_TYPES = [undefined, 'text/plain', 'application/xml', 'multipart/form-data', 'application/json; charset=latin1', 'json', 'application/jsonp', '*/*'];

const cases: Record<string, Generator> = {
  badJson: () => {
    const route = pick(BODY_ROUTES);
    const body = random() < 0.7 ? pick(BROKEN_JSON) : junk(1 + int(100));
    return { kind: 'badJson', event: apiEvent({ ...VALID[route], body }), expected: [400, 415] };
  },
  wrongTypes: () => {
    const route = pick(BODY_ROUTES);
    const valid = VALID[route].body as Record<string, unknown>;
    const field = pick([...Object.keys(valid), 'from', 'minorUnits', 'name', 'unexpected']);
    const wrong = WRONG_VALUES.filter((v) => typeof v !== FIELD_TYPES[field]);
    const body = random() < 0.2 ? pick(WRONG_VALUES.filter((v) => v === null || typeof v !== 'object' || Array.isArray(v))) : { ...valid, [field]: pick(wrong) };
    return { kind: 'wrongTypes', event: apiEvent({ ...VALID[route], headers: { ...VALID[route].headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) }), expected: [400] };
  },
  hugeNumbers: () => {
    if (random() < 0.3) {
      const minorUnits = pick([1e308, -1, 2 ** 53, 19, 1.5, Number.MAX_VALUE]);
      return { kind: 'hugeNumbers', event: apiEvent({ ...VALID.putCurrency, body: { minorUnits } }), expected: [400] };
    }
    const amount = random() < 0.1 ? '9'.repeat(38) : pick(HUGE_AMOUNTS);
    const spec = random() < 0.5 ? withQuery({ ...VALID.convert, path: '/v1/convert?from=EUR&to=IDR' }, 'amount', amount) : { ...VALID.createConversion, headers: { 'Idempotency-Key': `huge-${int(1e9)}` }, body: { from: 'EUR', to: 'IDR', amount } };
    return { kind: 'hugeNumbers', event: apiEvent(spec), expected: amount === '9'.repeat(38) ? [422] : [400] };
  },
  unknownCurrencies: () => {
    const malformed = random() < 0.4;
    const code = malformed ? pick(MALFORMED_CODES) : pick(UNSUPPORTED);
    const target = pick(['latest.base', 'latest.symbols', 'convert.from', 'convert.to', 'history.quote', 'body.to', 'path']);
    const [route, field] = target.split('.');
    const spec =
      route === 'latest' ? withQuery(VALID.latestRates, field, code)
      : route === 'convert' ? withQuery(VALID.convert, field, code)
      : route === 'history' ? withQuery(VALID.rateHistory, field, code)
      : route === 'body' ? { ...VALID.createConversion, headers: { 'Idempotency-Key': `cur-${int(1e9)}` }, body: { from: 'USD', to: code, amount: '1' } }
      : { ...VALID.putCurrency, path: `/v1/currencies/${encodeURIComponent(code)}` };
    const expected = malformed ? [400, 404, 405] : route === 'path' ? [404] : [422];
    return { kind: 'unknownCurrencies', event: apiEvent(spec), expected };
  },
  badDates: () => {
    if (random() < 0.3) {
      // A date or instant that has not come yet is a bad parameter (400), not a missing rate.
      const future = pick([
        withQuery(VALID.convert, 'date', '2030-01-01'),
        withQuery(VALID.convert, 'at', '2030-01-01T00:00:00Z'),
        withQuery(VALID.latestRates, 'at', '2099-12-31T23:59:59.999+14:00'),
        withQuery(VALID.convert, 'at', '2022-07-10T12:00:00'),
        withQuery(withQuery(VALID.convert, 'at', '2022-07-10T12:00:00Z'), 'date', '2022-07-10'),
      ]);
      return { kind: 'badDates', event: apiEvent(future), expected: [400] };
    }
    const date = pick(BAD_DATES);
    const spec = pick([
      withQuery(VALID.convert, 'date', date),
      withQuery(VALID.rateHistory, 'from', date),
      withQuery(VALID.rateHistory, 'to', date),
      withQuery(withQuery(VALID.rateHistory, 'from', '2022-07-09'), 'to', '2022-07-01'),
    ]);
    return { kind: 'badDates', event: apiEvent(spec), expected: [400] };
  },
  oversize: () => {
    const route = pick(BODY_ROUTES);
    const pad = 'x'.repeat(MAX_BODY_BYTES + int(MAX_BODY_BYTES * 3));
    const body = JSON.stringify({ ...(VALID[route].body as object), pad });
    const event = apiEvent({ ...VALID[route], headers: { ...VALID[route].headers, 'Content-Type': 'application/json' }, body });
    const encoded = random() < 0.3 ? { ...event, body: Buffer.from(body).toString('base64'), isBase64Encoded: true } : event;
    return { kind: 'oversize', event: encoded, expected: [413] };
  },
  wrongMethods: () => {
    const spec = VALID[pick(Object.keys(VALID))];
    const taken = ROUTES.filter((r) => r.path === apiEvent(spec).resource).map((r) => r.method as string);
    const method = pick([...BAD_METHODS, ...['GET', 'PUT', 'POST', 'DELETE'].filter((m) => !taken.includes(m))]);
    return { kind: 'wrongMethods', event: apiEvent({ ...spec, method }), expected: [405] };
  },
  wrongPaths: () => {
    const path = random() < 0.7 ? pick(BAD_PATHS) : `/v1/${encodeURIComponent(junk(1 + int(30)))}`;
    const event = { ...apiEvent({ method: pick(['GET', 'POST', 'PUT', 'DELETE']), path: '/' }), path, resource: random() < 0.5 ? path : null, pathParameters: null };
    return { kind: 'wrongPaths', event, expected: [400, 404] };
  },
  missingHeaders: () => {
    const route = pick(BODY_ROUTES);
    const dropKey = route === 'createConversion' && random() < 0.5;
    const headers: Record<string, string> = dropKey ? { 'Content-Type': 'application/json' } : {};
    if (dropKey && random() < 0.5) headers['Idempotency-Key'] = pick(['', ' ', 'a b', 'k'.repeat(256), 'tab\tkey', 'ключ']);
    const contentType = dropKey ? undefined : pick(CONTENT_TYPES);
    if (!dropKey && contentType !== undefined) headers['Content-Type'] = contentType;
    if (!dropKey && route === 'createConversion') headers['Idempotency-Key'] = 'k';
    const event = apiEvent({ ...VALID[route], body: JSON.stringify(VALID[route].body), headers });
    return { kind: 'missingHeaders', event, expected: dropKey ? [400] : [415] };
  },
  auth: () => {
    const spec = VALID[pick(SECURED)];
    const variant = int(7);
    const claims = [
      null,
      {},
      { scope: 'fx-api/rates.read fx-api/conversions.read fx-api/conversions.write fx-api/currencies.admin' },
      { client_id: 'p', token_use: 'id', scope: 'fx-api/rates.read fx-api/conversions.read fx-api/conversions.write fx-api/currencies.admin' },
      { client_id: 'x'.repeat(200), scope: 'fx-api/rates.read' },
      { client_id: 42, scope: 'fx-api/rates.read' },
      { client_id: 'p', token_use: 'access', scope: pick(['', 'rates.read', 'fx-api/alerts.read', 'fx-api/RATES.READ', ['fx-api/rates.read']]) },
    ][variant];
    return { kind: 'auth', event: apiEvent({ ...spec, claims: claims as Record<string, unknown> | null }), expected: variant === 6 ? [403] : [401] };
  },
  wrongScope: () => {
    const route = pick(SECURED);
    const needs = ROUTES.find((r) => r.operationId === route)!.scopes as readonly string[];
    const others = Object.values(SCOPES).filter((s) => !needs.includes(s));
    return { kind: 'wrongScope', event: apiEvent({ ...VALID[route], scopes: others.filter(() => random() < 0.5) }), expected: [403] };
  },
  queryJunk: () => {
    const route = pick(['latestRates', 'rateHistory', 'convert', 'listConversions', 'listCurrencies']);
    const variant = int(4);
    if (variant === 0) return { kind: 'queryJunk', event: apiEvent(withQuery(VALID[route], pick(['symbol', 'page', 'x', junk(5) || 'y']), '1')), expected: [400] };
    if (variant === 1) {
      const event = apiEvent(VALID[route]);
      const repeated = { ...event.multiValueQueryStringParameters, dup: ['1', '2'] };
      return { kind: 'queryJunk', event: { ...event, multiValueQueryStringParameters: repeated }, expected: [400] };
    }
    const paged = pick(['rateHistory', 'listConversions']);
    const value = variant === 2 ? pick(['0', '99999', 'abc', '-1', '1.5', '']) : pick([junk(20), 'bm90LWpzb24', Buffer.from('{"next":"2022-07-07","query":"x"}').toString('base64url'), Buffer.from('{"after":"../../"}').toString('base64url'), 'x'.repeat(600)]);
    return { kind: 'queryJunk', event: apiEvent(withQuery(VALID[paged], variant === 2 ? 'limit' : 'cursor', value)), expected: [400] };
  },
  pathParams: () => {
    const id = pick(['a.b', 'x'.repeat(65), '%00', '%E0%A4%A', 'a%2Fb', '01TEST00000000000000999999', 'ZZZZZZZZZZZZZZZZZZZZZZZZZZ']);
    const event = { ...apiEvent(VALID.getConversion), path: `/v1/conversions/${id}`, resource: null, pathParameters: null };
    return { kind: 'pathParams', event, expected: [400, 404] };
  },
};

/** Header names in random case: the API must not care. */
function shuffleHeaderCase(event: ApiEvent): ApiEvent {
  const headers = Object.fromEntries(
    Object.entries(event.headers ?? {}).map(([name, value]) => [
      [...name].map((c) => (random() < 0.5 ? c.toUpperCase() : c.toLowerCase())).join(''),
      value,
    ]),
  );
  return { ...event, headers };
}

describe(`fuzz: ${REQUESTS} malformed requests (seed ${SEED})`, () => {
  let restoreEnv: () => void;
  let gateway: (event: ApiEvent) => Promise<{ statusCode: number; headers: Record<string, string>; body: string }>;

  beforeAll(async () => {
    restoreEnv = setEnv(QUIET_POWERTOOLS);
    const { handler: docs } = await import('../../../lambdas/handlers/api-docs');
    const deps = memoryDeps();
    const functions: Record<ApiFunctionName, ApiHandler> = {
      'currencies-api': withHttp(currencyOperations, deps),
      'rates-api': withHttp(rateOperations, deps),
      'conversions-api': withHttp(conversionOperations, deps),
      'alerts-api': withHttp(alertRuleOperations, deps),
      'api-docs': docs,
    };
    // Like the gateway: the function of the matched route, any function for an unknown path.
    gateway = (event) => {
      const route = ROUTES.find((r) => r.path === event.resource);
      return functions[route?.function ?? pick(Object.keys(functions) as ApiFunctionName[])](event);
    };
  });
  afterAll(() => restoreEnv());

  it('answers every one with a 4xx JSON error of the documented shape, never a 5xx or a stack trace', async () => {
    const kinds = Object.keys(cases);
    const outcomes: { kind: string; status: number; expected: readonly number[] }[] = [];
    const failures: unknown[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const { kind, event, expected } = cases[kinds[i % kinds.length]]();
      const result = await gateway(shuffleHeaderCase(event));
      outcomes.push({ kind, status: result.statusCode, expected });
      const parsed = Schemas.Error.strict().safeParse(safeJson(result.body));
      const ok =
        expected.includes(result.statusCode) &&
        parsed.success &&
        parsed.data.error.details !== undefined &&
        /^application\/json/.test(result.headers['content-type']) &&
        !/\n\s+at |Error:|node_modules/.test(result.body);
      if (!ok && failures.length < 10) failures.push({ i, kind, event: { ...event, body: event.body?.slice(0, 200) }, result });
    }

    expect(failures).toEqual([]);
    expect(outcomes.every((o) => o.status >= 400 && o.status < 500)).toBe(true);
    const statuses = new Set(outcomes.map((o) => o.status));
    expect([...statuses].sort()).toEqual([400, 401, 403, 404, 405, 413, 415, 422]);
    expect(new Set(outcomes.map((o) => o.kind)).size).toBe(kinds.length);
  });
});

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
