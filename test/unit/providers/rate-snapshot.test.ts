import {
  buildSnapshot,
  checkDayRange,
  daysAgo,
  daysOf,
  publicationAtUnixSeconds,
  publicationOfDay,
  quotePerBase,
  RatePayloadError,
  snapshotIdOf,
  validateSnapshot,
  type PublishedRate,
  type RateSnapshot,
} from '../../../lambdas/domain/rate-snapshot';
import { refusal } from '../../support/refusal';

const NOW = new Date('2022-07-08T14:30:00.000Z');
/** The ECB's publication for 2022-07-08: in force from 16:00 Berlin (CEST), 14:00 UTC. */
const ECB_JUL8 = { inForceFrom: '2022-07-08T14:00:00.000Z', rateDate: '2022-07-08' };
const failure = (call: () => unknown) => refusal(call, ['name', 'message']);
const snapshotWith = (rates: PublishedRate[], base = 'EUR'): RateSnapshot => ({
  snapshotId: snapshotIdOf('ecb', base, ECB_JUL8.inForceFrom),
  provider: 'ecb',
  base,
  ...ECB_JUL8,
  fetchedAt: NOW.toISOString(),
  rates,
});

describe('snapshotIdOf', () => {
  it('is deterministic and S3-key safe', () => {
    expect(snapshotIdOf('ecb', 'EUR', ECB_JUL8.inForceFrom)).toBe('ecb-EUR-20220708T140000Z');
    expect(snapshotIdOf('oxr', 'USD', '2017-12-09T06:00:03.000Z')).toBe('oxr-USD-20171209T060003Z');
    expect(snapshotIdOf('simulated', 'EUR', '2024-01-01T10:00:00.250Z')).toMatch(/^[\w.-]+$/);
  });

  it('differs by provider, base and time', () => {
    const ids = new Set([
      snapshotIdOf('ecb', 'EUR', ECB_JUL8.inForceFrom),
      snapshotIdOf('frankfurter', 'EUR', ECB_JUL8.inForceFrom),
      snapshotIdOf('ecb', 'USD', ECB_JUL8.inForceFrom),
      snapshotIdOf('ecb', 'EUR', '2022-07-08T14:00:00.001Z'),
    ]);
    expect(ids.size).toBe(4);
  });
});

describe('validateSnapshot', () => {
  it('accepts plain positive decimals, keeping their digits', () => {
    const snapshot = buildSnapshot('ecb', 'EUR', ECB_JUL8, [
      { quote: 'GBP', rate: '0.84770' },
      { quote: 'IDR', rate: '16291' },
      { quote: 'BTC', rate: '0.000000012345678' },
    ], NOW);
    expect(snapshot.rates.map((r) => r.rate)).toEqual(['0.84770', '16291', '0.000000012345678']);
  });

  it.each([
    ['empty', [], 'no rates for base EUR at 2022-07-08T14:00:00.000Z'],
    ['zero', [{ quote: 'USD', rate: '0' }], 'rate for USD is not a plain positive decimal: "0"'],
    ['zero with decimals', [{ quote: 'USD', rate: '0.0000' }], 'rate for USD is not a plain positive decimal: "0.0000"'],
    ['negative', [{ quote: 'USD', rate: '-1' }], 'rate for USD is not a plain positive decimal: "-1"'],
    ['not a number', [{ quote: 'USD', rate: 'abc' }], 'rate for USD is not a plain positive decimal: "abc"'],
    ['exponent', [{ quote: 'USD', rate: '1e-7' }], 'rate for USD is not a plain positive decimal: "1e-7"'],
    ['leading dot', [{ quote: 'USD', rate: '.5' }], 'rate for USD is not a plain positive decimal: ".5"'],
    ['empty string', [{ quote: 'USD', rate: '' }], 'rate for USD is not a plain positive decimal: ""'],
    ['a JSON number', [{ quote: 'USD', rate: 1.1 }], 'rate for USD is not a plain positive decimal: 1.1'],
    ['39 significant digits (more than DynamoDB holds)', [{ quote: 'USD', rate: `1.${'1'.repeat(38)}` }], 'rate for USD has more than 38 significant digits'],
    ['39 significant digits ending in zeros', [{ quote: 'USD', rate: `1${'0'.repeat(38)}` }], 'rate for USD has more than 38 significant digits'],
    [
      'duplicate quote',
      [
        { quote: 'USD', rate: '1.1' },
        { quote: 'USD', rate: '1.2' },
      ],
      'duplicate rate for USD',
    ],
    ['quote equals base', [{ quote: 'EUR', rate: '1' }], 'rate for EUR quotes the base against itself'],
    ['lower-case code', [{ quote: 'usd', rate: '1.1' }], 'bad currency code "usd"'],
    ['bad code', [{ quote: 'U$', rate: '1.1' }], 'bad currency code "U$"'],
    ['a code with a prefix', [{ quote: 'xUSD', rate: '1.1' }], 'bad currency code "xUSD"'],
    ['a code with a suffix', [{ quote: 'USDx', rate: '1.1' }], 'bad currency code "USDx"'],
    ['a numeric code', [{ quote: 840, rate: '1.1' }], 'bad currency code 840'],
    ['an unknown orientation', [{ quote: 'USD', rate: '1.1', orientation: 'sideways' }], 'bad orientation "sideways" for USD'],
  ])('rejects %s, saying why', async (_label, rates, detail) => {
    expect(await failure(() => validateSnapshot(snapshotWith(rates as PublishedRate[]), NOW))).toEqual({ name: 'RatePayloadError', message: `ecb: ${detail}` });
  });

  it('accepts 38 significant digits, either orientation, and none given', () => {
    const rates: PublishedRate[] = [
      { quote: 'USD', rate: `1.${'1'.repeat(37)}` },
      { quote: 'JPY', rate: '0.0071', orientation: 'base-per-quote' },
      { quote: 'GBP', rate: '0.85', orientation: 'quote-per-base' },
    ];
    expect(validateSnapshot(snapshotWith(rates), NOW).rates).toEqual(rates);
  });

  it.each([
    ['a base that is not a string', { base: 978 }, 'bad base currency code 978'],
    ['a base with a suffix', { base: 'EURx' }, 'bad base currency code "EURx"'],
    ['inForceFrom without a time', { inForceFrom: '2022-07-08' }, 'inForceFrom "2022-07-08" is not ISO-8601 UTC with milliseconds'],
    ['fetchedAt that is no time', { fetchedAt: 'now' }, 'fetchedAt "now" is not ISO-8601 UTC with milliseconds'],
    ['a rate date that is not a day', { rateDate: '2022-7-08' }, 'bad rateDate "2022-7-08"'],
    ['a rate date that is not a string', { rateDate: 20220708 }, 'bad rateDate 20220708'],
    ['a mismatched id', { snapshotId: 'x' }, 'snapshotId "x" does not match provider, base and inForceFrom'],
    ['fetchedAt past the skew', { fetchedAt: '2022-07-08T14:35:00.001Z' }, 'fetchedAt 2022-07-08T14:35:00.001Z is later than now (2022-07-08T14:30:00.000Z)'],
  ])('rejects %s, saying why', async (_label, change, detail) => {
    const snapshot = { ...snapshotWith([{ quote: 'USD', rate: '1.0163' }]), ...change } as unknown as RateSnapshot;
    expect(await failure(() => validateSnapshot(snapshot, NOW))).toEqual({ name: 'RatePayloadError', message: `ecb: ${detail}` });
  });

  it('accepts a fetch time up to the skew ahead of now', () => {
    const good = { ...snapshotWith([{ quote: 'USD', rate: '1.0163' }]), fetchedAt: '2022-07-08T14:35:00.000Z' };
    expect(validateSnapshot(good, NOW)).toBe(good);
  });

  it('rejects a bad base, instants that are not exact ISO, a rate date at odds with the instant and a mismatched id', () => {
    const good = snapshotWith([{ quote: 'USD', rate: '1.0163' }]);
    expect(() => validateSnapshot({ ...good, base: 'eu' }, NOW)).toThrow(/^ecb: bad base/);
    expect(() => validateSnapshot({ ...good, inForceFrom: '2022-07-08' }, NOW)).toThrow(RatePayloadError);
    expect(() => validateSnapshot({ ...good, fetchedAt: 'now' }, NOW)).toThrow(RatePayloadError);
    // The ECB's 2022-07-08 publication is in force from 16:00 Berlin, not from midnight.
    const midnight = '2022-07-08T00:00:00.000Z';
    expect(() => validateSnapshot({ ...good, inForceFrom: midnight, snapshotId: snapshotIdOf('ecb', 'EUR', midnight) }, NOW)).toThrow(
      /do not match: ecb publishes for 2022-07-08 from 2022-07-08T14:00:00.000Z/,
    );
    expect(() => validateSnapshot({ ...good, rateDate: '2022-07-07' }, NOW)).toThrow(/do not match/);
    expect(() => validateSnapshot({ ...good, snapshotId: 'x' }, NOW)).toThrow(RatePayloadError);
  });

  it('refuses a publication in force later than now plus the skew, or after its own fetch', () => {
    const good = snapshotWith([{ quote: 'USD', rate: '1.0163' }]);
    const pinned = { ...good, inForceFrom: '2099-12-31T15:00:00.000Z', rateDate: '2099-12-31', snapshotId: snapshotIdOf('ecb', 'EUR', '2099-12-31T15:00:00.000Z') };

    expect(() => validateSnapshot(pinned, NOW)).toThrow(/in force from 2099-12-31T15:00:00.000Z, later than now \(2022-07-08T14:30:00.000Z\) plus 300 s/);
    expect(() => validateSnapshot({ ...pinned, fetchedAt: '2099-12-31T16:00:00.000Z' }, NOW)).toThrow(/future-dated/);
    // Within the skew is fine; a publication five minutes and a millisecond ahead is not.
    const early = { ...good, fetchedAt: '2022-07-08T13:55:00.000Z' };
    expect(validateSnapshot(early, new Date('2022-07-08T13:55:00.000Z'))).toBe(early);
    expect(() => validateSnapshot(early, new Date('2022-07-08T13:54:59.999Z'))).toThrow(/future-dated/);
    // Fetched before it was in force: the provider claims a future publication.
    expect(() => validateSnapshot({ ...good, fetchedAt: '2022-07-08T13:00:00.000Z' }, NOW)).toThrow(/after it was fetched/);
  });

  it('rejects what is not a snapshot at all with a clear error', () => {
    expect(() => validateSnapshot(null as unknown as RateSnapshot, NOW)).toThrow(/unknown provider/);
    expect(() => validateSnapshot({ ...snapshotWith([]), provider: 'ecbx' } as unknown as RateSnapshot, NOW)).toThrow(/unknown provider "ecbx"/);
  });
});

describe('quotePerBase', () => {
  it('returns quote-per-base rates as published', () => {
    expect(quotePerBase({ quote: 'GBP', rate: '0.84770' }).toString()).toBe('0.8477');
  });

  it('inverts base-per-quote rates at 60 significant digits', () => {
    const btcPerUsd = quotePerBase({
      quote: 'BTC',
      rate: '16730.75',
      orientation: 'base-per-quote',
    });
    expect(btcPerUsd.toSignificantDigits(12).toString()).toBe('0.0000597701836439');
    expect(btcPerUsd.precision()).toBe(60);
    expect(btcPerUsd.times('16730.75').toSignificantDigits(50).toString()).toBe('1');
  });
});

describe('day ranges', () => {
  it('lists days across a month end', () => {
    expect(daysOf({ from: '2024-02-28', to: '2024-03-01' })).toEqual([
      '2024-02-28',
      '2024-02-29',
      '2024-03-01',
    ]);
  });

  it('rejects bad days and reversed ranges, saying which', async () => {
    expect(await failure(() => checkDayRange({ from: '2024-02-30', to: '2024-03-01' }))).toEqual({ name: 'RangeError', message: 'bad day "2024-02-30", expected YYYY-MM-DD' });
    expect(await failure(() => checkDayRange({ from: '2024-03-01', to: '2024-03-01x' }))).toEqual({ name: 'RangeError', message: 'bad day "2024-03-01x", expected YYYY-MM-DD' });
    expect(await failure(() => checkDayRange({ from: '2024-03-02', to: '2024-03-01' }))).toEqual({ name: 'RangeError', message: 'range starts after it ends: 2024-03-02..2024-03-01' });
    expect(await failure(() => daysOf({ from: '2024-03-02', to: '2024-03-01' }))).toEqual({ name: 'RangeError', message: 'range starts after it ends: 2024-03-02..2024-03-01' });
  });

  it('names the UTC day n days before an instant', () => {
    expect(daysAgo(new Date('2024-03-01T05:00:00.000Z'), 1)).toBe('2024-02-29');
    expect(daysAgo(new Date('2024-03-01T05:00:00.000Z'), 0)).toBe('2024-03-01');
  });
});

describe('publications from a payload', () => {
  it('reads a TARGET day as its 16:00 Berlin publication, and refuses a day that does not exist', async () => {
    expect(publicationOfDay('ecb', '2022-07-08')).toEqual(ECB_JUL8);
    expect(await failure(() => publicationOfDay('ecb', '2022-02-30'))).toEqual({ name: 'RatePayloadError', message: 'ecb: bad date "2022-02-30"' });
  });

  it('reads a unix time written as digits, and refuses anything else', async () => {
    expect(publicationAtUnixSeconds('oxr', '1512799203')).toEqual({ inForceFrom: '2017-12-09T06:00:03.000Z', rateDate: '2017-12-09' });
    for (const seconds of ['1512799203.5', '-1', '1512799203x', '', '1234567890123']) {
      expect(await failure(() => publicationAtUnixSeconds('oxr', seconds))).toEqual({ name: 'RatePayloadError', message: `oxr: bad unix timestamp ${JSON.stringify(seconds)}` });
    }
  });
});
