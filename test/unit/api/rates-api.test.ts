import type { RatePolicy } from '../../../lambdas/domain/rate-policy';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { Schemas } from '../../../lambdas/shared/api-contract';
import { withHttp } from '../../../lambdas/shared/http';
import { rateOperations, type RateQueryDeps } from '../../../lambdas/use-cases/rate-queries';
import { rational, type Rational } from '../../support/rational';
import { ecbFixtureSnapshot, snapshotOf } from '../../support/rates';
import { COINGECKO_BTC, JUL8, apiEvent, bodyOf, defaultSnapshots, errorOf, memoryDeps } from './fakes';

/** Expected values come from the BigInt-rational reference, never the project's Decimal. */
const exact = (value: Rational) => value.toTrimmedHalfEven(38);
const d = (value: string | number) => rational(String(value));

function api(snapshots?: readonly RateSnapshot[], deps: Partial<RateQueryDeps> = {}, policy?: RatePolicy) {
  const all = { ...memoryDeps(snapshots, policy), ...deps };
  const handler = withHttp(rateOperations, all);
  return { deps: all, get: (path: string) => handler(apiEvent({ method: 'GET', path })) };
}

describe('GET /v1/rates/latest', () => {
  it('crosses USD->JPY from the EUR feed exactly: (JPY/EUR) / (USD/EUR), as-of and provider of the legs', async () => {
    const result = await api().get('/v1/rates/latest?base=USD&symbols=JPY,EUR');

    expect(result.statusCode).toBe(200);
    const body = Schemas.Rate.array().parse(bodyOf(result).rates);
    expect(bodyOf(result).base).toBe('USD');
    expect(body).toEqual([
      { quote: 'JPY', rate: exact(d('138.05').dividedBy('1.0163')), asOf: JUL8, provider: 'ecb' },
      { quote: 'EUR', rate: exact(d(1).dividedBy('1.0163')), asOf: JUL8, provider: 'ecb' },
    ]);
    expect(body[0].rate).toBe('135.83587523369083931909869133129981304733');
  });

  it('serves a coin priced in USD both ways without rounding the published price', async () => {
    const { get } = api();
    const btcUsd = bodyOf(await get('/v1/rates/latest?base=BTC&symbols=USD')).rates[0];
    const usdBtc = bodyOf(await get('/v1/rates/latest?base=USD&symbols=BTC')).rates[0];

    expect(btcUsd).toEqual({ quote: 'USD', rate: '16730.75', asOf: COINGECKO_BTC.inForceFrom, provider: 'coingecko' });
    expect(usdBtc.rate).toBe(exact(d(1).dividedBy('16730.75')));
  });

  it('joins a coin price in USD with a rate published in EUR; as-of is the older leg, providers are both', async () => {
    const result = bodyOf(await api().get('/v1/rates/latest?base=JPY&symbols=BTC')).rates[0];

    expect(result).toEqual({
      quote: 'BTC',
      // (USD per EUR) / (JPY per EUR x USD per BTC): one fraction of the published numbers.
      rate: exact(d('1.0163').dividedBy(d('138.05').times('16730.75'))),
      asOf: COINGECKO_BTC.inForceFrom,
      provider: 'ecb+coingecko',
    });
  });

  it('follows the policy, not the freshest number: the ECB for JPY even beside a newer OXR rate, OXR for KWD the ECB lacks', async () => {
    const oxr = snapshotOf('2022-07-11T09:00:00.000Z', { JPY: '135.9', KWD: '0.30750' }, { provider: 'oxr', base: 'USD' });
    const { get } = api([...defaultSnapshots(), oxr]);

    const jpy = bodyOf(await get('/v1/rates/latest?base=USD&symbols=JPY')).rates[0];
    const kwd = bodyOf(await get('/v1/rates/latest?base=USD&symbols=KWD')).rates[0];

    expect(jpy).toMatchObject({ rate: exact(d('138.05').dividedBy('1.0163')), provider: 'ecb', asOf: JUL8 });
    expect(kwd).toEqual({ quote: 'KWD', rate: '0.3075', provider: 'oxr', asOf: '2022-07-11T09:00:00.000Z' });
  });

  it('answers at an instant: ?at= gives the publication in force then', async () => {
    const jul7 = snapshotOf('2022-07-07', { USD: '1.0180', JPY: '138.43' });
    const { get } = api([jul7, ...defaultSnapshots()]);

    const before = bodyOf(await get('/v1/rates/latest?base=EUR&symbols=USD&at=2022-07-08T13:59:59.999Z')).rates[0];
    const after = bodyOf(await get('/v1/rates/latest?base=EUR&symbols=USD&at=2022-07-08T16:00:00%2B02:00')).rates[0];

    expect(before).toEqual({ quote: 'USD', rate: '1.018', provider: 'ecb', asOf: '2022-07-07T14:00:00.000Z' });
    expect(after).toEqual({ quote: 'USD', rate: '1.0163', provider: 'ecb', asOf: JUL8 });
  });

  it('lists every enabled currency it can price when no symbols are given', async () => {
    const body = bodyOf(await api().get('/v1/rates/latest?base=EUR'));
    const quotes = body.rates.map((r: { quote: string }) => r.quote);

    expect(quotes).toEqual([...quotes].sort());
    expect(quotes).toEqual(expect.arrayContaining(['USD', 'JPY', 'BTC', 'KWD']));
    expect(quotes).not.toContain('EUR');
    expect(quotes).not.toContain('ARS'); // no provider publishes it
  });

  it('answers 1 for the base itself when asked', async () => {
    const body = bodyOf(await api().get('/v1/rates/latest?base=USD&symbols=USD'));
    expect(body.rates[0]).toMatchObject({ quote: 'USD', rate: '1', provider: 'identity' });
  });

  it('rejects unknown, disabled and unpriced currencies with 422, malformed codes with 400', async () => {
    const { deps, get } = api();
    await deps.currencies.update('GBP', { enabled: false });

    const unknown = await get('/v1/rates/latest?base=ABC');
    const disabled = await get('/v1/rates/latest?base=USD&symbols=EUR,GBP');
    const unpriced = await get('/v1/rates/latest?base=USD&symbols=ARS,JPY');
    const malformed = await get('/v1/rates/latest?base=US');

    expect(unknown.statusCode).toBe(422);
    expect(errorOf(unknown)).toMatchObject({ code: 'UNSUPPORTED_CURRENCY', details: { currency: 'ABC' } });
    expect(disabled.statusCode).toBe(422);
    expect(errorOf(disabled)).toMatchObject({ code: 'UNSUPPORTED_CURRENCY', details: { currency: 'GBP', enabled: false } });
    expect(unpriced.statusCode).toBe(422);
    expect(errorOf(unpriced)).toMatchObject({ code: 'RATE_NOT_FOUND', details: { currencies: ['ARS'] } });
    expect(malformed.statusCode).toBe(400);
  });

  it('names each symbol it cannot price and why: one reason gives its own code, mixed reasons RATE_NOT_FOUND', async () => {
    // OXR's dinar rate from June is stale by 2022-07-13 (P7D); nobody publishes ARS.
    const staleKwd = snapshotOf('2022-06-01T10:00:00.000Z', { KWD: '0.30700' }, { provider: 'oxr', base: 'USD' });
    const { get } = api([ecbFixtureSnapshot(), staleKwd]);

    const stale = errorOf(await get('/v1/rates/latest?base=USD&symbols=JPY,KWD'));
    expect(stale).toMatchObject({ code: 'RATE_STALE', details: { currencies: ['KWD'], reasons: { KWD: 'RATE_STALE' } } });

    const mixed = errorOf(await get('/v1/rates/latest?base=USD&symbols=KWD,JPY,ARS'));
    expect(mixed).toMatchObject({ code: 'RATE_NOT_FOUND', details: { base: 'USD', currencies: ['KWD', 'ARS'], reasons: { KWD: 'RATE_STALE', ARS: 'RATE_NOT_FOUND' } } });
    const [kwdWhy, arsWhy] = mixed.message.split('; ');
    expect(kwdWhy).toMatch(/KWD/);
    expect(arsWhy).toMatch(/ARS/);
  });
});

describe('GET /v1/convert', () => {
  const quote = async (query: string, rates?: readonly RateSnapshot[]) => {
    const result = await api(rates).get(`/v1/convert?${query}`);
    expect(result.statusCode).toBe(200);
    return Schemas.Quote.parse(bodyOf(result));
  };

  it('quotes USD->JPY from the ECB cross, rounded half-even to 0 digits, with rate, inverse and as-of', async () => {
    const body = await quote('from=USD&to=JPY&amount=100');

    expect(body).toEqual({
      from: 'USD',
      to: 'JPY',
      amount: '100',
      converted: d(100).times(d('138.05').dividedBy('1.0163')).toFixedHalfEven(0),
      rate: exact(d('138.05').dividedBy('1.0163')),
      inverseRate: exact(d('1.0163').dividedBy('138.05')),
      asOf: JUL8,
      provider: 'ecb',
    });
    expect(body.converted).toBe('13584');
  });

  it.each([
    ['JPY, 0 digits: 1380.5 rounds to the even 1380', 'from=EUR&to=JPY&amount=10', '1380'],
    ['JPY, 0 digits: 1394.305 rounds down', 'from=EUR&to=JPY&amount=10.1', '1394'],
    ['USD, 2 digits, zeros kept', 'from=EUR&to=USD&amount=100', '101.63'],
    ['KWD, 3 digits: 3.0745 rounds to the even 3.074', 'from=USD&to=KWD&amount=10', '3.074'],
    ['KWD, 3 digits: 3.0745 x 3 = 9.2235 rounds to 9.224', 'from=USD&to=KWD&amount=30', '9.224'],
    ['KWD, 3 digits, trailing zeros', 'from=USD&to=KWD&amount=0.01', '0.003'],
    ['BTC, 8 digits from a USD price', 'from=USD&to=BTC&amount=1000', d(1000).dividedBy('16730.75').toFixedHalfEven(8)],
    ['BTC to USD, 2 digits', 'from=BTC&to=USD&amount=0.5', '8365.38'],
  ])('rounds %s', async (_case, query, converted) => {
    expect((await quote(query)).converted).toBe(converted);
  });

  it('rounds BTC half-even at 8 digits: 0.01 EUR at 0.0000105 BTC/EUR is 0.000000105 -> 0.00000010', async () => {
    const simulated = snapshotOf('2022-07-08T12:00:00.000Z', { BTC: '0.0000105' }, { provider: 'simulated' });
    const result = await api([simulated], {}, { fiat: [{ provider: 'simulated', staleAfter: 'P30D' }], crypto: [{ provider: 'simulated', staleAfter: 'P30D' }] }).get(
      '/v1/convert?from=EUR&to=BTC&amount=0.01',
    );
    expect(bodyOf(result).converted).toBe('0.00000010');
  });

  it("rounds to the precision an administrator set for the target", async () => {
    const { deps, get } = api();
    await deps.currencies.update('JPY', { minorUnits: 2 });
    // 1394.305 at 2 digits is a tie: half-even keeps the even 1394.30.
    expect(bodyOf(await get('/v1/convert?from=EUR&to=JPY&amount=10.1')).converted).toBe('1394.30');
  });

  it('converts on a date without publication with the previous published rate', async () => {
    const rates = [...defaultSnapshots(), snapshotOf('2022-07-11', { JPY: '137.00' })];
    const saturday = await quote('from=EUR&to=JPY&amount=1&date=2022-07-09', rates);
    const monday = await quote('from=EUR&to=JPY&amount=1&date=2022-07-11', rates);

    expect(saturday).toMatchObject({ converted: '138', rate: '138.05', asOf: JUL8 });
    expect(monday).toMatchObject({ converted: '137', asOf: '2022-07-11T14:00:00.000Z' });
  });

  it('answers 422 NO_RATE_AT_TIME before the first publication, 400 for a future or impossible date or instant', async () => {
    const { get } = api();
    const before = await get('/v1/convert?from=EUR&to=JPY&amount=1&date=2022-07-01');
    const beforeAt = await get('/v1/convert?from=EUR&to=JPY&amount=1&at=2022-07-08T13:00:00Z');
    const future = await get('/v1/convert?from=EUR&to=JPY&amount=1&date=2030-01-01');
    const futureAt = await get('/v1/convert?from=EUR&to=JPY&amount=1&at=2022-07-13T12:06:00Z');
    const impossible = await get('/v1/convert?from=EUR&to=JPY&amount=1&date=2022-02-30');
    const noZone = await get('/v1/convert?from=EUR&to=JPY&amount=1&at=2022-07-10T12:00:00');
    const both = await get('/v1/convert?from=EUR&to=JPY&amount=1&date=2022-07-10&at=2022-07-10T12:00:00Z');

    for (const noRate of [before, beforeAt]) {
      expect(noRate.statusCode).toBe(422);
      expect(errorOf(noRate).code).toBe('NO_RATE_AT_TIME');
    }
    for (const bad of [future, futureAt, impossible, noZone, both]) expect(bad.statusCode).toBe(400);
    expect(errorOf(futureAt).message).toMatch(/in the future/);
    expect(errorOf(noZone).message).toMatch(/zone/);
  });

  it('answers 422 RATE_STALE when every source of a currency is older than its window', async () => {
    const result = await api(defaultSnapshots(), { clock: () => new Date('2022-07-20T12:00:00.000Z') }).get('/v1/convert?from=EUR&to=USD&amount=1');
    expect(result.statusCode).toBe(422);
    // EUR is the ECB's base: with the ECB stale (and OXR not publishing EUR) it cannot be valued.
    expect(errorOf(result)).toMatchObject({ code: 'RATE_STALE', details: { currency: 'EUR' } });
    expect(errorOf(result).message).toMatch(/ecb \(in force from 2022-07-08T14:00:00.000Z, stale from 2022-07-15T14:00:00.000Z\)/);
  });

  it('refuses an amount that rounds to nothing in the target (422), never quoting "0.000"', async () => {
    const result = await api().get('/v1/convert?from=USD&to=KWD&amount=0.0001');
    expect(result.statusCode).toBe(422);
    expect(errorOf(result)).toMatchObject({ code: 'AMOUNT_ROUNDS_TO_ZERO', details: { minorUnits: 3 } });
    expect(errorOf(result).message).toBe('0.0001 USD is less than the smallest amount of KWD (3 decimals)');
  });

  it('rejects a zero amount (400) and a result over 38 digits (422)', async () => {
    const { get } = api();
    const zero = await get('/v1/convert?from=EUR&to=JPY&amount=0.000');
    const huge = await get(`/v1/convert?from=EUR&to=IDR&amount=${'9'.repeat(38)}`);

    expect(zero.statusCode).toBe(400);
    expect(errorOf(zero).code).toBe('INVALID_AMOUNT');
    expect(huge.statusCode).toBe(422);
    expect(errorOf(huge)).toEqual({
      code: 'AMOUNT_OUT_OF_RANGE',
      message: 'The converted amount has more than 38 digits',
      details: { from: 'EUR', to: 'IDR', amount: '9'.repeat(38) },
    });
  });

  it('converts at the rate in force now for today’s date, not at one in force later today', async () => {
    // Stored ahead of time: in force 2022-07-13 at 16:00 Berlin, after "now" (12:00 UTC).
    const later = snapshotOf('2022-07-13', { USD: '1.0050', JPY: '136.00' });
    const body = bodyOf(await api([...defaultSnapshots(), later]).get('/v1/convert?from=EUR&to=USD&amount=10&date=2022-07-13'));
    expect(body).toMatchObject({ rate: '1.0163', asOf: JUL8 });
  });

  it('converts a currency to itself at 1, still rounding half-even', async () => {
    expect(await quote('from=JPY&to=JPY&amount=12.5')).toMatchObject({ converted: '12', rate: '1', inverseRate: '1' });
  });
});

describe('GET /v1/rates/history', () => {
  // ECB publishes on business days: Wed 6th, Thu 7th, Fri 8th, Mon 11th; none on the weekend.
  const week = [
    ['2022-07-06', '1.0177', '139.88'],
    ['2022-07-07', '1.0180', '138.43'],
    ['2022-07-08', '1.0163', '138.05'],
    ['2022-07-11', '1.0098', '137.27'],
  ].map(([day, usd, jpy]) => snapshotOf(day, { USD: usd, JPY: jpy }));
  const page = async (get: (p: string) => ReturnType<ReturnType<typeof api>['get']>, query: string) => {
    const result = await get(`/v1/rates/history?${query}`);
    expect(result.statusCode).toBe(200);
    const body = bodyOf(result);
    return { items: Schemas.HistoryPoint.array().parse(body.items), nextCursor: body.nextCursor as string | null };
  };

  it('gives one point per day, the previous publication on days without one (fallback: true)', async () => {
    const { get } = api(week);
    const body = await page(get, 'base=EUR&quote=JPY&from=2022-07-06&to=2022-07-12');

    expect(body.items.map((p) => [p.date, p.rate, p.asOf, p.fallback])).toEqual([
      ['2022-07-06', '139.88', '2022-07-06T14:00:00.000Z', false],
      ['2022-07-07', '138.43', '2022-07-07T14:00:00.000Z', false],
      ['2022-07-08', '138.05', '2022-07-08T14:00:00.000Z', false],
      ['2022-07-09', '138.05', '2022-07-08T14:00:00.000Z', true],
      ['2022-07-10', '138.05', '2022-07-08T14:00:00.000Z', true],
      ['2022-07-11', '137.27', '2022-07-11T14:00:00.000Z', false],
      ['2022-07-12', '137.27', '2022-07-11T14:00:00.000Z', true],
    ]);
    expect(body.nextCursor).toBeNull();
  });

  it('crosses each day from that day’s legs', async () => {
    const { get } = api(week);
    const body = await page(get, 'base=USD&quote=JPY&from=2022-07-07&to=2022-07-09');
    expect(body.items.map((p) => p.rate)).toEqual([
      exact(d('138.43').dividedBy('1.0180')),
      exact(d('138.05').dividedBy('1.0163')),
      exact(d('138.05').dividedBy('1.0163')),
    ]);
    expect(body.items.map((p) => p.provider)).toEqual(['ecb', 'ecb', 'ecb']);
  });

  it('pages with an opaque cursor, then null; days before the first publication and after today are left out', async () => {
    const { get } = api(week);
    const query = 'base=EUR&quote=USD&from=2022-07-01&to=2022-12-31&limit=3';
    const first = await page(get, query);
    const second = await page(get, `${query}&cursor=${first.nextCursor}`);
    const third = await page(get, `${query}&cursor=${second.nextCursor}`);

    expect(first.items.map((p) => p.date)).toEqual(['2022-07-06', '2022-07-07', '2022-07-08']);
    expect(second.items.map((p) => p.date)).toEqual(['2022-07-09', '2022-07-10', '2022-07-11']);
    expect(third.items.map((p) => p.date)).toEqual(['2022-07-12', '2022-07-13']);
    expect(third.nextCursor).toBeNull();
  });

  it('rejects a cursor from another query, a forged cursor, bad limits and reversed or impossible dates', async () => {
    const { get } = api(week);
    const { nextCursor } = await page(get, 'base=EUR&quote=USD&from=2022-07-06&to=2022-07-12&limit=2');
    const cases = [
      `base=EUR&quote=JPY&from=2022-07-06&to=2022-07-12&cursor=${nextCursor}`,
      'base=EUR&quote=USD&from=2022-07-06&to=2022-07-12&cursor=bm90LWEtY3Vyc29y',
      'base=EUR&quote=USD&from=2022-07-06&to=2022-07-12&limit=0',
      'base=EUR&quote=USD&from=2022-07-06&to=2022-07-12&limit=367',
      'base=EUR&quote=USD&from=2022-07-12&to=2022-07-06',
      'base=EUR&quote=USD&from=2022-02-29&to=2022-03-01',
    ];
    for (const query of cases) {
      const result = await get(`/v1/rates/history?${query}`);
      expect({ query, status: result.statusCode }).toEqual({ query, status: 400 });
      errorOf(result);
    }
  });

  it('answers a one-day range with that day', async () => {
    const body = await page(api(week).get, 'base=EUR&quote=USD&from=2022-07-08&to=2022-07-08');
    expect(body.items.map((p) => [p.date, p.rate])).toEqual([['2022-07-08', '1.0163']]);
  });

  it('answers an empty page for a range wholly before the first publication', async () => {
    expect(await page(api(week).get, 'base=EUR&quote=USD&from=2022-06-01&to=2022-06-30')).toEqual({ items: [], nextCursor: null });
  });

  it('finds a first publication more than a year after from, and starts the page there', async () => {
    const body = await page(api(week).get, 'base=EUR&quote=USD&from=2021-07-10&to=2022-07-12&limit=2');
    expect(body.items.map((p) => p.date)).toEqual(['2022-07-06', '2022-07-07']);
  });

  it('gives today the rate in force now, not one in force later today', async () => {
    // Stored ahead of time: in force 2022-07-13 at 16:00 Berlin, after "now" (12:00 UTC).
    const body = await page(api([...week, snapshotOf('2022-07-13', { USD: '1.0050', JPY: '136.00' })]).get, 'base=EUR&quote=USD&from=2022-07-12&to=2022-07-13');
    expect(body.items.map((p) => [p.date, p.rate, p.fallback])).toEqual([
      ['2022-07-12', '1.0098', true],
      ['2022-07-13', '1.0098', true],
    ]);
  });

  it('serves the history of a pair whose rate is stale now', async () => {
    const june = snapshotOf('2022-06-01', { USD: '1.0702', JPY: '139.04' });
    expect(errorOf(await api([june]).get('/v1/rates/latest?base=EUR&symbols=USD')).code).toBe('RATE_STALE');
    const body = await page(api([june]).get, 'base=EUR&quote=USD&from=2022-06-01&to=2022-06-02');
    expect(body.items.map((p) => [p.date, p.rate, p.fallback])).toEqual([
      ['2022-06-01', '1.0702', false],
      ['2022-06-02', '1.0702', true],
    ]);
  });

  it('refuses a cursor whose next day is outside the query’s range', async () => {
    const { get } = api(week);
    const query = 'base=EUR&quote=USD&from=2022-07-06&to=2022-07-12';
    const { nextCursor } = await page(get, `${query}&limit=2`);
    const issued = JSON.parse(Buffer.from(nextCursor!, 'base64url').toString('utf8')) as Record<string, unknown>;
    for (const next of ['2022-07-05', '2022-07-13']) {
      const forged = Buffer.from(JSON.stringify({ ...issued, next })).toString('base64url');
      const result = await get(`/v1/rates/history?${query}&cursor=${forged}`);
      expect({ next, status: result.statusCode }).toEqual({ next, status: 400 });
    }
    for (const next of ['2022-07-06', '2022-07-12']) {
      const edge = Buffer.from(JSON.stringify({ ...issued, next })).toString('base64url');
      expect((await get(`/v1/rates/history?${query}&cursor=${edge}`)).statusCode).toBe(200);
    }
  });

  it('marks a crossed day as a fallback when its older leg is from an earlier day', async () => {
    const coin = (day: string, price: string) => snapshotOf(`${day}T00:00:00.000Z`, [{ quote: 'BTC', rate: price, orientation: 'base-per-quote' }], { provider: 'coingecko', base: 'USD' });
    const { get } = api([...week, coin('2022-07-08', '21600'), coin('2022-07-09', '21700')]);
    const body = await page(get, 'base=BTC&quote=EUR&from=2022-07-08&to=2022-07-09');
    expect(body.items.map((p) => [p.date, p.asOf, p.provider, p.fallback])).toEqual([
      ['2022-07-08', '2022-07-08T00:00:00.000Z', 'coingecko+ecb', false],
      // Saturday: that day's coin price, Friday's ECB rate.
      ['2022-07-09', '2022-07-08T14:00:00.000Z', 'coingecko+ecb', true],
    ]);
  });

  it('refuses a currency that is not supported, before reading any rate', async () => {
    const result = await api(week).get('/v1/rates/history?base=EUR&quote=XAU&from=2022-07-06&to=2022-07-12');
    expect(errorOf(result).code).toBe('UNSUPPORTED_CURRENCY');
  });

  it('refuses a cursor whose next day does not exist', async () => {
    const { get } = api(week);
    const query = 'base=EUR&quote=USD&from=2022-02-01&to=2022-03-31';
    // The query's key as the cursor carries it, with a day that does not exist as the next one.
    const forged = Buffer.from(JSON.stringify({ next: '2022-02-30', query: 'EUR/USD/2022-02-01/2022-03-31' })).toString('base64url');
    const result = await get(`/v1/rates/history?${query}&cursor=${forged}`);
    expect({ status: result.statusCode, code: errorOf(result).code }).toEqual({ status: 400, code: 'INVALID_CURSOR' });
  });

  it('answers 422 when no stored rate connects the currencies', async () => {
    const result = await api(week).get('/v1/rates/history?base=EUR&quote=ARS&from=2022-07-06&to=2022-07-12');
    expect(result.statusCode).toBe(422);
    expect(errorOf(result).code).toBe('RATE_NOT_FOUND');
  });
});
