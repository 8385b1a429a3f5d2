import * as path from 'node:path';
import {
  loadOrCreateSigningKey,
  signJwt,
  type SigningKey,
} from '../../lib/local-platform/token-service';
import { mulberry32 } from '../../lambdas/adapters/simulated/seeded-random';
import { Schemas } from '../../lambdas/shared/api-contract';
import {
  eventually,
  startPlatformProcess,
  type PlatformProcess,
} from '../support/local-platform-process';
import { ratePacer } from '../support/rate-pacer';

/**
 * Over a thousand malformed requests against the running local platform, over HTTP on
 * loopback: every one must get a 4xx with the API's JSON error body, never a 5xx, a hang or a
 * non-JSON answer. Cases are generated from a seeded PRNG (the same run every time) and sent
 * paced below the partners' throttles, so a 429 would be a finding, not noise.
 */

jest.setTimeout(300_000);

const SEED = 20_261_122;
const TOTAL_CASES = 1_200;
const REQUESTS_PER_SECOND = 60;
const CONCURRENCY = 4;

type Partner = 'acme-payments' | 'globex-treasury' | 'rates-viewer' | 'fx-operations';

interface FuzzCase {
  readonly category: string;
  readonly method: string;
  /** Path and query, appended to the API's base URL. */
  readonly url: string;
  /** The partner whose credentials are used (default: a rates reader, chosen round robin). */
  readonly as?: Partner;
  /** Replaces the partner's bearer token; null sends no Authorization header. */
  readonly authorization?: string | null;
  /** Replaces the partner's API key; null sends none. */
  readonly apiKey?: string | null;
  readonly headers?: Record<string, string>;
  readonly body?: string | Buffer;
  /** Statuses this case may get (all 4xx). */
  readonly expect: readonly number[];
}

interface Finding {
  readonly case: string;
  readonly status: number;
  readonly body: string;
}

/** Picks from the platform's seeded PRNG (mulberry32). */
function prng(seed: number) {
  const next = mulberry32(seed);
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
    chars: (alphabet: string, n: number) =>
      Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join(''),
  };
}

const BAD_CODES = [
  'eur',
  'E',
  'EU',
  'EURO12345678',
  '€UR',
  'US D',
  '123',
  "USD'--",
  '<b>',
  'usd',
  'Usd',
  'U$D',
  '',
  '%00',
];
const UNKNOWN_CODES = ['ZZZ', 'QQQ', 'XXXX', 'AAA1'];
const BAD_AMOUNTS = [
  '-1',
  '1e5',
  'abc',
  '1.',
  '.5',
  '1,000',
  '0x1F',
  'NaN',
  'Infinity',
  ' 1',
  '+1',
  '١٢٣',
  '1_000',
  '1..2',
  '',
  '9'.repeat(39),
  `1.${'0'.repeat(39)}`,
  '1'.repeat(81),
  '1e400',
  '-0.0',
];
const BAD_DATES = [
  '2024-13-01',
  '2024-02-30',
  '2024-00-10',
  '2023-02-29',
  'yesterday',
  '2024/01/01',
  '24-01-01',
  '2024-1-1',
  '2024-01-01T00:00:00Z',
  '0000-00-00',
];
const BAD_LIMITS = ['0', '-1', '1.5', 'abc', '99999', '', '1e2', '367'];
const BAD_CURSORS = [
  'not-a-cursor!',
  '%%%',
  'e30',
  Buffer.from('[1,2]').toString('base64url'),
  'x'.repeat(600),
];
const BAD_IDS = ['x'.repeat(65), '!!', 'a%20b', '%F0%9F%92%A9', '..', 'id;drop'];

function generateCases(platformKey: SigningKey, realClaims: Record<string, unknown>): FuzzCase[] {
  const r = prng(SEED);
  const enc = encodeURIComponent;
  const cases: FuzzCase[] = [];
  const now = Math.floor(Date.now() / 1000);
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const [realHeader, realPayload, realSignature] = signJwt(platformKey, realClaims).split('.');

  const badTokens: (() => string | null)[] = [
    () => null,
    () => 'Bearer',
    () => `Bearer ${r.chars('abcdefghijklmnopqrstuvwxyz0123456789', 1 + r.int(60))}`,
    () =>
      `Bearer ${r.chars('ABCxyz019-_', 10)}.${r.chars('ABCxyz019-_', 30)}.${r.chars('ABCxyz019-_', 40)}`,
    () => `Bearer ${b64({ alg: 'none' })}.${realPayload}.`,
    () => `Bearer ${realHeader}.${realPayload}.${realSignature.slice(0, -4)}AAAA`,
    () =>
      `Bearer ${realHeader}.${b64({ ...realClaims, scope: `${String(realClaims.scope)} fx-api/currencies.admin` })}.${realSignature}`,
    () =>
      `Bearer ${signJwt(platformKey, { ...realClaims, iat: now - 7200, exp: now - 1 - r.int(3600) })}`,
    () =>
      `Bearer ${signJwt(platformKey, { ...realClaims, iss: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_abc' })}`,
    () =>
      `Bearer ${signJwt(platformKey, { ...realClaims, client_id: r.chars('abcdefghijklmnopqrstuvwxyz', 26) })}`,
    () => `Bearer ${signJwt(platformKey, { ...realClaims, token_use: 'id' })}`,
    () => `Bearer ${'A'.repeat(8_000)}`,
    () => `Basic ${Buffer.from('user:pass').toString('base64')}`,
    () => `Bearer ${realHeader}.${realPayload}`,
  ];
  const protectedGets = [
    '/v1/currencies',
    '/v1/rates/latest?base=EUR',
    '/v1/convert?from=EUR&to=USD&amount=1',
    '/v1/conversions',
  ];
  const readers: Partner[] = ['acme-payments', 'globex-treasury', 'rates-viewer', 'fx-operations'];
  const writers: Partner[] = ['acme-payments', 'globex-treasury'];
  const conversionBody = (overrides: Record<string, unknown>) =>
    JSON.stringify({ from: 'EUR', to: 'USD', amount: '10', ...overrides });
  const jsonHeaders = (key: string) => ({
    'content-type': 'application/json',
    'idempotency-key': key,
  });

  const generators: [number, () => FuzzCase][] = [
    // ---- the gateway itself ----
    [
      14,
      () => ({
        category: 'bad token',
        method: 'GET',
        url: r.pick(protectedGets),
        authorization: r.pick(badTokens)(),
        expect: [401],
      }),
    ],
    [
      4,
      () => ({
        category: 'bad API key',
        method: 'GET',
        url: r.pick(protectedGets),
        apiKey: r.pick([null, '', 'x', r.chars('ABCdef0123', 40)]),
        expect: [403],
      }),
    ],
    [
      6,
      () => ({
        category: 'unknown route',
        method: r.pick(['GET', 'POST', 'PUT', 'DELETE', 'PATCH']),
        url: r.pick([
          // Not `/`: it points to the docs (302) since the API has a landing route.
          '/v0',
          '/v2/convert',
          `/v1/${r.chars('abcdefgh/', 1 + r.int(20))}x`,
          '/v1/currencies/USD/history',
          '/v1//convert',
          '/v1/convert/',
          '/V1/convert',
        ]),
        expect: [404, 405],
      }),
    ],
    [
      3,
      () => ({
        category: 'wrong method',
        method: r.pick(['PATCH', 'DELETE', 'PUT', 'OPTIONS']),
        url: '/v1/convert?from=EUR&to=USD&amount=1',
        expect: [405],
      }),
    ],
    [
      6,
      () => {
        const params = { from: 'EUR', to: 'USD', amount: '1' } as Record<string, string>;
        delete params[r.pick(Object.keys(params))];
        if (r.next() < 0.5) delete params[r.pick(Object.keys(params))];
        return {
          category: 'missing parameter',
          method: 'GET',
          url: `/v1/convert?${new URLSearchParams(params)}`,
          expect: [400],
        };
      },
    ],
    [
      10,
      () => ({
        category: 'bad JSON body',
        method: 'POST',
        url: '/v1/conversions',
        as: r.pick(writers),
        headers: jsonHeaders(`fuzz-${r.int(1e9)}`),
        body: r.pick([
          '',
          '{',
          '}',
          '[]',
          'null',
          'true',
          '"EUR"',
          '42',
          "{'from':'EUR'}",
          '{"from":"EUR",}',
          '{"from":"EUR" "to":"USD"}',
          '{"from":"EUR","to":"USD","amount":"1"',
          '\uFEFF{"from":"EUR","to":"USD","amount":"1"}',
          '{"a":NaN}',
          '/* c */{}',
          '['.repeat(5_000) + ']'.repeat(5_000),
          r.chars('{}[]":,abc019 ', 1 + r.int(200)),
        ]),
        expect: [400],
      }),
    ],
    [
      12,
      () => ({
        category: 'wrong body type',
        method: 'POST',
        url: '/v1/conversions',
        as: r.pick(writers),
        headers: jsonHeaders(`fuzz-${r.int(1e9)}`),
        body: conversionBody(
          r.pick<Record<string, unknown>>([
            { amount: 10 },
            { amount: 1e308 },
            { amount: 1e49 },
            { amount: null },
            { amount: ['10'] },
            { amount: { value: '10' } },
            { amount: true },
            { from: 1 },
            { to: null },
            { from: ['EUR'] },
            { amount: r.pick(BAD_AMOUNTS) },
            { from: r.pick(BAD_CODES) },
            { to: r.pick(BAD_CODES) },
            { extra: 'field' },
            { amount: 'x'.repeat(20_000) },
            { from: undefined },
          ]),
        ),
        expect: [400],
      }),
    ],
    [
      3,
      () => ({
        category: 'bad currency update',
        method: 'PUT',
        url: '/v1/currencies/SEK',
        as: 'fx-operations',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(
          r.pick<Record<string, unknown>>([
            { minorUnits: 19 },
            { minorUnits: -1 },
            { minorUnits: 1.5 },
            { minorUnits: '2' },
            { enabled: 'yes' },
            { name: '' },
            { name: 'x'.repeat(101) },
            { enabled: true, code: 'SEK' },
            { enabled: null },
          ]),
        ),
        expect: [400],
      }),
    ],
    [
      0.4,
      () => ({
        category: 'oversize body',
        method: 'POST',
        url: '/v1/conversions',
        as: r.pick(writers),
        headers: jsonHeaders(`fuzz-${r.int(1e9)}`),
        body: Buffer.alloc(10 * 1024 * 1024 + 1 + r.int(1024), 0x20),
        expect: [413],
      }),
    ],
    // ---- the handlers' own validation ----
    [
      16,
      () => {
        const params: Record<string, string> = { from: 'EUR', to: 'USD', amount: '10' };
        const field = r.pick([
          'from',
          'to',
          'amount',
          'date',
          'unknown-currency',
          'repeated',
          'extra',
        ]);
        let extra = '';
        if (field === 'from' || field === 'to') params[field] = r.pick(BAD_CODES);
        if (field === 'amount') params.amount = r.pick(BAD_AMOUNTS);
        if (field === 'date') params.date = r.pick(BAD_DATES);
        if (field === 'unknown-currency') params[r.pick(['from', 'to'])] = r.pick(UNKNOWN_CODES);
        if (field === 'repeated') extra = '&from=USD';
        if (field === 'extra') extra = `&${r.pick(['symbol', 'amount2', 'debug'])}=1`;
        return {
          category: `convert: bad ${field}`,
          method: 'GET',
          url: `/v1/convert?${new URLSearchParams(params)}${extra}`,
          expect: [400, 422],
        };
      },
    ],
    [
      6,
      () => {
        const badSymbols = [
          'usd',
          'USD,',
          ',USD',
          'USD,,EUR',
          Array.from({ length: 51 }, () => 'USD').join(','),
          'US$',
          'USD EUR',
        ];
        const bad =
          r.next() < 0.5
            ? `base=${enc(r.pick([...BAD_CODES, ...UNKNOWN_CODES]))}`
            : `base=EUR&symbols=${enc(r.pick(badSymbols))}`;
        return {
          category: 'latest: bad base/symbols',
          method: 'GET',
          url: `/v1/rates/latest?${bad}`,
          expect: [400, 422],
        };
      },
    ],
    [
      7,
      () => {
        const params: Record<string, string> = {
          base: 'EUR',
          quote: 'USD',
          from: '2024-01-01',
          to: '2024-01-31',
        };
        const field = r.pick(['from', 'to', 'limit', 'cursor', 'reversed', 'quote']);
        if (field === 'from' || field === 'to') params[field] = r.pick(BAD_DATES);
        if (field === 'limit') params.limit = r.pick(BAD_LIMITS);
        if (field === 'cursor') params.cursor = r.pick(BAD_CURSORS);
        if (field === 'reversed') Object.assign(params, { from: '2024-02-01', to: '2024-01-01' });
        if (field === 'quote')
          params.quote = r.pick([...BAD_CODES.filter(Boolean), ...UNKNOWN_CODES]);
        return {
          category: `history: bad ${field}`,
          method: 'GET',
          url: `/v1/rates/history?${new URLSearchParams(params)}`,
          expect: [400, 422],
        };
      },
    ],
    [
      4,
      () => {
        const notFound = r.next() < 0.3;
        return {
          category: notFound ? 'conversion: unknown id' : 'conversion: bad id',
          method: 'GET',
          url: `/v1/conversions/${notFound ? '01ARZ3NDEKTSV4RRFFQ69G5FAV' : r.pick(BAD_IDS)}`,
          as: r.pick(writers),
          expect: notFound ? [404] : [400, 404],
        };
      },
    ],
    [
      3,
      () => ({
        category: 'conversions: bad page',
        method: 'GET',
        url:
          r.next() < 0.5
            ? `/v1/conversions?limit=${enc(r.pick(BAD_LIMITS.filter((l) => l !== '367')))}`
            : `/v1/conversions?cursor=${enc(r.pick(BAD_CURSORS))}`,
        as: r.pick(writers),
        expect: [400],
      }),
    ],
    [
      5,
      () => {
        const unknown = r.next() < 0.5;
        return {
          category: unknown ? 'create: unknown currency' : 'create: bad Idempotency-Key',
          method: 'POST',
          url: '/v1/conversions',
          as: r.pick(writers),
          headers: {
            'content-type': 'application/json',
            'idempotency-key': unknown
              ? `fuzz-${r.int(1e9)}`
              : r.pick(['key with spaces', 'k'.repeat(256), 'clé', '\t']),
          },
          body: unknown
            ? conversionBody({ [r.pick(['from', 'to'])]: r.pick(UNKNOWN_CODES) })
            : conversionBody({}),
          expect: [400, 422],
        };
      },
    ],
    [
      1.5,
      () => ({
        category: 'currency admin: bad code',
        method: r.pick(['PUT', 'DELETE']),
        url: `/v1/currencies/${enc(r.pick(['usd', 'U', 'TOOLONGCODE1', 'US$', '12']))}`,
        as: 'fx-operations',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ enabled: false }),
        expect: [400],
      }),
    ],
  ];

  const totalWeight = generators.reduce((sum, [w]) => sum + w, 0);
  for (let i = 0; i < TOTAL_CASES; i++) {
    let roll = r.next() * totalWeight;
    const [, generate] =
      generators.find(([w]) => (roll -= w) < 0) ?? generators[generators.length - 1];
    const c = generate();
    cases.push(c.as ? c : { ...c, as: readers[i % readers.length] });
  }
  return cases;
}

describe('API fuzz: malformed requests over HTTP get 4xx JSON errors', () => {
  let platform: PlatformProcess;
  const tokens: Partial<Record<Partner, string>> = {};

  beforeAll(async () => {
    platform = await startPlatformProcess();
    for (const c of platform.endpoints.clients) {
      const response = await fetch(platform.endpoints.tokenUrl!, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      });
      tokens[c.name as Partner] = (
        (await response.json()) as { access_token: string }
      ).access_token;
    }
    // Rates in the table, so that requests fail for what is wrong with them, not for a missing rate.
    expect((await platform.cli(['invoke', 'fetch-rates'])).code).toBe(0);
    await eventually(
      async () => {
        const response = await fetch(
          `${platform.endpoints.api}/v1/convert?from=EUR&to=USD&amount=1`,
          {
            headers: {
              authorization: `Bearer ${tokens['rates-viewer']}`,
              'x-api-key': apiKeyOf('rates-viewer'),
            },
          },
        );
        return response.status === 200 ? true : undefined;
      },
      60_000,
      'a EUR→USD quote',
    );
  });

  afterAll(async () => {
    await platform?.stop();
  });

  const apiKeyOf = (name: Partner) =>
    platform.endpoints.clients.find((c) => c.name === name)!.apiKey;

  it(`answers ${TOTAL_CASES} malformed requests with 4xx and the JSON error body`, async () => {
    const base = new URL(platform.endpoints.api!);
    expect(base.hostname).toBe('127.0.0.1');
    const claims = JSON.parse(
      Buffer.from(tokens['acme-payments']!.split('.')[1], 'base64url').toString(),
    );
    const cases = generateCases(loadOrCreateSigningKey(path.join(platform.dir, 'data')), claims);
    expect(cases.length).toBeGreaterThanOrEqual(1_000);

    const findings: Finding[] = [];
    const statuses = new Map<number, number>();
    const categories = new Set<string>();
    // Paced below the partners' throttles (a rate limit, not a wait for any condition).
    const nextSlot = ratePacer(REQUESTS_PER_SECOND);
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const index = next++;
        const c = cases[index];
        await nextSlot();
        const as = c.as ?? 'rates-viewer';
        const headers: Record<string, string> = { ...c.headers };
        const authorization =
          c.authorization === undefined ? `Bearer ${tokens[as]}` : c.authorization;
        if (authorization !== null) headers.authorization = authorization;
        const apiKey = c.apiKey === undefined ? apiKeyOf(as) : c.apiKey;
        if (apiKey !== null) headers['x-api-key'] = apiKey;
        const label = `#${index} ${c.category}: ${c.method} ${c.url.slice(0, 120)}`;
        categories.add(c.category.replace(/:.*/, ''));
        let status = 0;
        try {
          const response = await fetch(new URL(c.url, base), {
            method: c.method,
            headers,
            body: c.body,
            signal: AbortSignal.timeout(30_000),
          });
          status = response.status;
          const text = await response.text();
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const isJson = /^application\/json/.test(response.headers.get('content-type') ?? '');
          let shaped = false;
          try {
            shaped = Schemas.Error.safeParse(JSON.parse(text)).success;
          } catch {
            shaped = false;
          }
          if (!c.expect.includes(status) || !isJson || !shaped)
            findings.push({ case: label, status, body: text.slice(0, 300) });
        } catch (error) {
          findings.push({
            case: label,
            status,
            body: `request failed: ${(error as Error).message}`,
          });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));

    expect(findings).toEqual([]);
    expect([...statuses.keys()].every((s) => s >= 400 && s < 500)).toBe(true);
    // Every family of malformation was exercised.
    expect(categories.size).toBeGreaterThanOrEqual(12);
  });
});
