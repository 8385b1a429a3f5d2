import {
  buildSnapshot,
  checkDayRange,
  daysOf,
  quotePerBase,
  RatePayloadError,
  snapshotIdOf,
  validateSnapshot,
  type PublishedRate,
  type RateSnapshot,
} from '../../../lambdas/domain/rate-snapshot';

const NOW = new Date('2022-07-08T14:30:00.000Z');
/** The ECB's publication for 2022-07-08: in force from 16:00 Berlin (CEST), 14:00 UTC. */
const ECB_JUL8 = { inForceFrom: '2022-07-08T14:00:00.000Z', rateDate: '2022-07-08' };
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
    ['empty', []],
    ['zero', [{ quote: 'USD', rate: '0' }]],
    ['zero with decimals', [{ quote: 'USD', rate: '0.0000' }]],
    ['negative', [{ quote: 'USD', rate: '-1' }]],
    ['not a number', [{ quote: 'USD', rate: 'abc' }]],
    ['exponent', [{ quote: 'USD', rate: '1e-7' }]],
    ['leading dot', [{ quote: 'USD', rate: '.5' }]],
    ['empty string', [{ quote: 'USD', rate: '' }]],
    ['39 significant digits (more than DynamoDB holds)', [{ quote: 'USD', rate: `1.${'1'.repeat(38)}` }]],
    [
      'duplicate quote',
      [
        { quote: 'USD', rate: '1.1' },
        { quote: 'USD', rate: '1.2' },
      ],
    ],
    ['quote equals base', [{ quote: 'EUR', rate: '1' }]],
    ['lower-case code', [{ quote: 'usd', rate: '1.1' }]],
    ['bad code', [{ quote: 'U$', rate: '1.1' }]],
  ])('rejects %s', (_label, rates) => {
    expect(() => validateSnapshot(snapshotWith(rates as PublishedRate[]), NOW)).toThrow(RatePayloadError);
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

  it('rejects bad days and reversed ranges', () => {
    expect(() => checkDayRange({ from: '2024-02-30', to: '2024-03-01' })).toThrow(RangeError);
    expect(() => checkDayRange({ from: '2024-03-02', to: '2024-03-01' })).toThrow(RangeError);
  });
});
