import {
  buildSnapshot,
  checkDayRange,
  daysOf,
  quotePerBase,
  RatePayloadError,
  snapshotIdOf,
  validateSnapshot,
  type PublishedRate,
} from '../../../lambdas/domain/rate-snapshot';

const asOf = '2022-07-08T00:00:00.000Z';
const snapshotWith = (rates: PublishedRate[], base = 'EUR') =>
  ({ snapshotId: snapshotIdOf('ecb', base, asOf), provider: 'ecb', base, asOf, rates }) as const;

describe('snapshotIdOf', () => {
  it('is deterministic and S3-key safe', () => {
    expect(snapshotIdOf('ecb', 'EUR', asOf)).toBe('ecb-EUR-20220708T000000Z');
    expect(snapshotIdOf('ecb', 'EUR', new Date(asOf))).toBe(snapshotIdOf('ecb', 'EUR', asOf));
    expect(snapshotIdOf('oxr', 'USD', '2017-12-09T06:00:03.000Z')).toBe('oxr-USD-20171209T060003Z');
    expect(snapshotIdOf('simulated', 'EUR', '2024-01-01T10:00:00.250Z')).toMatch(/^[\w.-]+$/);
  });

  it('differs by provider, base and time', () => {
    const ids = new Set([
      snapshotIdOf('ecb', 'EUR', asOf),
      snapshotIdOf('frankfurter', 'EUR', asOf),
      snapshotIdOf('ecb', 'USD', asOf),
      snapshotIdOf('ecb', 'EUR', '2022-07-08T00:00:00.001Z'),
    ]);
    expect(ids.size).toBe(4);
  });
});

describe('validateSnapshot', () => {
  it('accepts plain positive decimals, keeping their digits', () => {
    const snapshot = buildSnapshot('ecb', 'EUR', asOf, [
      { quote: 'GBP', rate: '0.84770' },
      { quote: 'IDR', rate: '16291' },
      { quote: 'BTC', rate: '0.000000012345678' },
    ]);
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
    expect(() => validateSnapshot(snapshotWith(rates as PublishedRate[]))).toThrow(
      RatePayloadError,
    );
  });

  it('rejects a bad base, a bad asOf and a mismatched id, naming the provider', () => {
    const good = snapshotWith([{ quote: 'USD', rate: '1.0163' }]);
    expect(() => validateSnapshot({ ...good, base: 'eu' })).toThrow(/^ecb: bad base/);
    expect(() => validateSnapshot({ ...good, asOf: '2022-07-08' })).toThrow(RatePayloadError);
    expect(() => validateSnapshot({ ...good, snapshotId: 'x' })).toThrow(RatePayloadError);
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
