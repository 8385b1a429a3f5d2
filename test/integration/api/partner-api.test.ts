import { dynamoConversionStore, partnerTableOf } from '../../../lambdas/adapters/aws/dynamodb-conversion-store';
import { dynamoCurrencyStore } from '../../../lambdas/adapters/aws/dynamodb-currency-store';
import { dynamoRateSeries } from '../../../lambdas/adapters/aws/dynamodb-rate-series';
import { cachedRateTimeline } from '../../../lambdas/adapters/rate-timeline';
import { policySeries } from '../../../lambdas/domain/rate-policy';
import { rational } from '../../support/rational';
import { listCurrencies } from '../../../lambdas/domain/currency';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { seedCurrencyTable } from '../../../lambdas/handlers/seed-currencies';
import { Schemas, IDEMPOTENCY_REPLAYED_HEADER } from '../../../lambdas/shared/api-contract';
import { withHttp } from '../../../lambdas/shared/http';
import { conversionOperations, type ConversionDeps } from '../../../lambdas/use-cases/conversions';
import { currencyOperations } from '../../../lambdas/use-cases/currencies';
import { rateOperations } from '../../../lambdas/use-cases/rate-queries';
import { TABLES } from '../../../lib/definitions/resources';
import {
  createTableFrom,
  scanAll,
  uniqueName,
  useEmulators,
} from '../../support/emulator-resources';
import { ecbFixtureSnapshot, snapshotOf } from '../../support/rates';
import { apiEvent, bodyOf, errorOf, TEST_POLICY, type RequestSpec } from '../../unit/api/fakes';

jest.setTimeout(120_000);

const env = useEmulators('partner-api');

const NOW = new Date('2022-07-13T12:00:00.000Z');
/** The independent reference (BigInt fractions), never the project's Decimal. */
const r = rational;
/** NOW, one millisecond later at every call: each conversion gets its own id time. */
const ticking = (ms = NOW.getTime()) => () => new Date(ms++);

/** Fresh rates and API tables, currencies seeded, the given snapshots stored as process-rates stores them. */
async function platform(snapshots: readonly RateSnapshot[] = [ecbFixtureSnapshot()]) {
  const ratesTable = uniqueName('rates');
  const apiTable = uniqueName('api');
  await createTableFrom(env.clients, TABLES.rates, ratesTable);
  await createTableFrom(env.clients, TABLES.api, apiTable);
  await seedCurrencyTable(env.clients.dynamodb, apiTable);
  // As process-rates stores them: history first, then the latest item.
  const series = dynamoRateSeries(env.clients.dynamodb, ratesTable);
  for (const snapshot of snapshots) {
    await series.putHistory([snapshot]);
    await series.advanceLatest(snapshot);
  }
  const clock = ticking();
  const deps: ConversionDeps = {
    policy: TEST_POLICY,
    timeline: cachedRateTimeline(series, { series: policySeries(TEST_POLICY), clock }),
    currencies: dynamoCurrencyStore(env.clients.dynamodb, apiTable),
    conversions: dynamoConversionStore(partnerTableOf(env.clients.dynamodbClient), apiTable),
    clock,
  };
  const handlers = [withHttp(rateOperations, deps), withHttp(conversionOperations, deps), withHttp(currencyOperations, deps)];
  const send = async (spec: RequestSpec) => {
    for (const handler of handlers) {
      const result = await handler(apiEvent(spec));
      if (result.statusCode !== 404 || !/^No route .* here$/.test(errorOf(result).message)) return result;
    }
    throw new Error(`no handler serves ${spec.method} ${spec.path}`);
  };
  return { apiTable, deps, send, get: (path: string, spec: Partial<RequestSpec> = {}) => send({ method: 'GET', path, ...spec }) };
}

describe('rates from DynamoDB Local, stored by the real rate store from the ECB fixture', () => {
  it('quotes USD->JPY as 138.05 / 1.0163 at full precision, rounded half-even to 0 digits, exactly', async () => {
    const { get } = await platform();

    const result = await get('/v1/convert?from=USD&to=JPY&amount=1000');

    expect(result.statusCode).toBe(200);
    expect(Schemas.Quote.parse(bodyOf(result))).toEqual({
      from: 'USD',
      to: 'JPY',
      amount: '1000',
      converted: r('1000').times('138.05').dividedBy('1.0163').toFixedHalfEven(0),
      rate: r('138.05').dividedBy('1.0163').toTrimmedHalfEven(38),
      inverseRate: r('1.0163').dividedBy('138.05').toTrimmedHalfEven(38),
      asOf: '2022-07-08T14:00:00.000Z',
      provider: 'ecb',
    });
    expect(bodyOf(result).converted).toBe('135836');
  });

  it('crosses latest rates from any base, keeping published digits (PLN 4.7630)', async () => {
    const { get } = await platform();

    const body = bodyOf(await get('/v1/rates/latest?base=GBP&symbols=PLN,JPY,EUR'));

    expect(body.rates).toEqual([
      { quote: 'PLN', rate: r('4.7630').dividedBy('0.84585').toTrimmedHalfEven(38), asOf: '2022-07-08T14:00:00.000Z', provider: 'ecb' },
      { quote: 'JPY', rate: r('138.05').dividedBy('0.84585').toTrimmedHalfEven(38), asOf: '2022-07-08T14:00:00.000Z', provider: 'ecb' },
      { quote: 'EUR', rate: r('1').dividedBy('0.84585').toTrimmedHalfEven(38), asOf: '2022-07-08T14:00:00.000Z', provider: 'ecb' },
    ]);
    expect(bodyOf(await get('/v1/rates/latest?base=EUR&symbols=PLN')).rates[0].rate).toBe('4.763');
  });

  it('joins a CoinGecko price (USD base) with the ECB euro rate; as-of is the older leg', async () => {
    const coingecko = snapshotOf('2022-07-08T10:00:00.000Z', [{ quote: 'BTC', rate: '21733.12', orientation: 'base-per-quote' }], { provider: 'coingecko', base: 'USD' });
    const { get } = await platform([ecbFixtureSnapshot(), coingecko]);

    const body = bodyOf(await get('/v1/convert?from=EUR&to=BTC&amount=1000'));

    expect(body).toMatchObject({
      converted: r('1000').times('1.0163').dividedBy('21733.12').toFixedHalfEven(8),
      asOf: '2022-07-08T10:00:00.000Z',
      provider: 'ecb+coingecko',
    });
    expect(bodyOf(await get('/v1/rates/latest?base=BTC&symbols=USD')).rates[0].rate).toBe('21733.12');
  });

  it('serves a daily history with weekend fallback, page by page', async () => {
    const week = [
      snapshotOf('2022-07-07', { USD: '1.0180', JPY: '138.43' }),
      ecbFixtureSnapshot(),
      snapshotOf('2022-07-11', { USD: '1.0098', JPY: '137.27' }),
    ];
    const { get } = await platform(week);
    const query = '/v1/rates/history?base=USD&quote=JPY&from=2022-07-07&to=2022-07-11&limit=3';

    const first = bodyOf(await get(query));
    const second = bodyOf(await get(`${query}&cursor=${first.nextCursor}`));

    const points = [...first.items, ...second.items];
    expect(points.map((p: { date: string; fallback: boolean; asOf: string }) => [p.date, p.fallback, p.asOf.slice(0, 10)])).toEqual([
      ['2022-07-07', false, '2022-07-07'],
      ['2022-07-08', false, '2022-07-08'],
      ['2022-07-09', true, '2022-07-08'],
      ['2022-07-10', true, '2022-07-08'],
      ['2022-07-11', false, '2022-07-11'],
    ]);
    expect(points[2].rate).toBe(r('138.05').dividedBy('1.0163').toTrimmedHalfEven(38));
    expect(second.nextCursor).toBeNull();
  });

  it('converts on a date from that day’s rate, and answers 422 before the first one', async () => {
    const { get } = await platform([snapshotOf('2022-07-07', { USD: '1.0180', JPY: '138.43' }), ecbFixtureSnapshot()]);

    const thursday = bodyOf(await get('/v1/convert?from=EUR&to=JPY&amount=10&date=2022-07-07'));
    const before = await get('/v1/convert?from=EUR&to=JPY&amount=10&date=2022-07-06');

    expect(thursday).toMatchObject({ converted: '1384', asOf: '2022-07-07T14:00:00.000Z' });
    expect(before.statusCode).toBe(422);
    expect(errorOf(before).code).toBe('NO_RATE_AT_TIME');
  });
});

describe('conversions in the API table', () => {
  const request = { from: 'USD', to: 'JPY', amount: '250.75' };
  const post = (key: string, body: unknown, clientId = 'partner-a'): RequestSpec => ({
    method: 'POST',
    path: '/v1/conversions',
    headers: { 'Idempotency-Key': key },
    body,
    clientId,
  });

  // Racing retries are covered by the unit tests against an atomic fake store: DynamoDB Local
  // (SQLite underneath) was seen letting two transactions that create the same missing item both
  // commit under CPU load, which DynamoDB itself never does. Here the conditional transaction and
  // the replay run against the emulator one retry after another.
  it('stores one conversion per key and replays it to every retry', async () => {
    const { send, apiTable } = await platform();

    const results = [];
    for (let attempt = 0; attempt < 3; attempt++) results.push(await send(post('retry-key', request)));

    expect(results.map((r) => r.statusCode)).toEqual([201, 201, 201]);
    expect(new Set(results.map((r) => r.body)).size).toBe(1);
    expect(results.map((r) => r.headers?.[IDEMPOTENCY_REPLAYED_HEADER])).toEqual(['false', 'true', 'true']);
    const items = await scanAll(env.clients, apiTable);
    expect(items.filter((i) => String(i.sk).startsWith('CONVERSION#'))).toHaveLength(1);
    expect(items.filter((i) => String(i.sk).startsWith('IDEMPOTENCY#'))).toHaveLength(1);
    expect(bodyOf(results[0])).toMatchObject({ amount: '250.75', converted: r('250.75').times('138.05').dividedBy('1.0163').toFixedHalfEven(0) });
  });

  it('answers the same key with another body with 409', async () => {
    const { send } = await platform();
    await send(post('k', request));

    const result = await send(post('k', { ...request, to: 'GBP' }));

    expect(result.statusCode).toBe(409);
    expect(errorOf(result).code).toBe('IDEMPOTENCY_CONFLICT');
  });

  it('keeps a key 24 hours: the same request replays until then, and makes a new conversion after', async () => {
    const { send, apiTable } = await platform();
    // Only Date moves: the SDK's timers and sockets run as usual.
    jest.useFakeTimers({ now: NOW.getTime(), doNotFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'setImmediate', 'clearImmediate', 'nextTick', 'queueMicrotask', 'hrtime', 'performance'] });
    try {
      const first = await send(post('day-key', request));
      jest.setSystemTime(NOW.getTime() + 24 * 3600_000 - 2_000);
      const beforeExpiry = await send(post('day-key', request));
      jest.setSystemTime(NOW.getTime() + 24 * 3600_000 + 2_000);
      const afterExpiry = await send(post('day-key', { ...request, amount: '1' }));

      expect([first.statusCode, beforeExpiry.statusCode, afterExpiry.statusCode]).toEqual([201, 201, 201]);
      expect(beforeExpiry.body).toBe(first.body);
      expect(beforeExpiry.headers?.[IDEMPOTENCY_REPLAYED_HEADER]).toBe('true');
      // Another request with the key is a 409 while it lives, a new conversion once it has expired
      // (DynamoDB's TTL, which deletes up to days later, plays no part).
      expect(afterExpiry.headers?.[IDEMPOTENCY_REPLAYED_HEADER]).toBe('false');
      expect(bodyOf(afterExpiry).id).not.toBe(bodyOf(first).id);
      const items = await scanAll(env.clients, apiTable);
      expect(items.filter((i) => String(i.sk).startsWith('CONVERSION#'))).toHaveLength(2);
      expect(items.filter((i) => String(i.sk).startsWith('IDEMPOTENCY#'))).toHaveLength(1);
    } finally {
      jest.useRealTimers();
    }
  });

  it("lists a partner's conversions newest first across pages and hides them from other partners", async () => {
    const { send, get } = await platform();
    const ids: string[] = [];
    for (let i = 1; i <= 5; i++) {
      ids.push(bodyOf(await send(post(`k-${i}`, { ...request, amount: String(i) }))).id);
    }

    const first = bodyOf(await get('/v1/conversions?limit=3'));
    const second = bodyOf(await get(`/v1/conversions?limit=3&cursor=${first.nextCursor}`));
    const other = await get(`/v1/conversions/${ids[0]}`, { clientId: 'partner-b' });
    const othersList = bodyOf(await get('/v1/conversions', { clientId: 'partner-b' }));

    expect([...first.items, ...second.items].map((c: { id: string }) => c.id)).toEqual([...ids].reverse());
    expect(second.nextCursor).toBeNull();
    expect(other.statusCode).toBe(404);
    expect(othersList.items).toEqual([]);
    expect(bodyOf(await get(`/v1/conversions/${ids[0]}`))).toMatchObject({ id: ids[0], amount: '1' });
  });
});

describe('currencies in the API table', () => {
  it('seeds idempotently and keeps admin edits and deletions', async () => {
    const { send, get, apiTable } = await platform();
    const put = (code: string, body: unknown) => send({ method: 'PUT', path: `/v1/currencies/${code}`, body });

    expect(bodyOf(await put('KWD', { name: 'Kuwaiti dinar', minorUnits: 2 }))).toEqual({ code: 'KWD', name: 'Kuwaiti dinar', minorUnits: 2, kind: 'fiat', enabled: true });
    expect((await put('GBP', { enabled: false })).statusCode).toBe(200);
    expect((await send({ method: 'DELETE', path: '/v1/currencies/SEK' })).statusCode).toBe(204);
    const reseeded = await seedCurrencyTable(env.clients.dynamodb, apiTable);

    expect(reseeded.added).toEqual([]);
    const items = bodyOf(await get('/v1/currencies')).items as { code: string; enabled: boolean; minorUnits: number }[];
    expect(items).toHaveLength(listCurrencies().length - 1);
    expect(items.find((c) => c.code === 'KWD')?.minorUnits).toBe(2);
    expect(items.find((c) => c.code === 'GBP')?.enabled).toBe(false);
    expect(items.map((c) => c.code)).not.toContain('SEK');
    expect((await get('/v1/convert?from=GBP&to=USD&amount=1')).statusCode).toBe(422);
  });

  it('brings a deleted currency back with PUT, and 404s a code it has never known', async () => {
    const { send } = await platform();
    await send({ method: 'DELETE', path: '/v1/currencies/CHF' });

    const revived = await send({ method: 'PUT', path: '/v1/currencies/CHF', body: { enabled: true } });
    const unknown = await send({ method: 'PUT', path: '/v1/currencies/QQQ', body: { enabled: true } });

    expect(bodyOf(revived)).toEqual({ code: 'CHF', name: 'Swiss Franc', minorUnits: 2, kind: 'fiat', enabled: true });
    expect(unknown.statusCode).toBe(404);
  });
});
