import { CURATED_RATE_COLUMNS } from '../../../lambdas/adapters/parquet/curated-rate-rows';
import { curatedRatesParquet } from '../../../lambdas/adapters/parquet/curated-rates';
import { toParquet } from '../../../lambdas/adapters/parquet/parquet-table';
import { queryParquet } from '../../support/lake';
import { rational } from '../../support/rational';
import { snapshotOf } from '../../support/rates';

// A USD-based snapshot mixing quote-per-base fiat with a base-per-quote crypto price.
const snapshot = snapshotOf(
  '2023-01-02T17:08:13.000Z',
  [
    { quote: 'EUR', rate: '0.84770' },
    { quote: 'JPY', rate: '138.05' },
    { quote: 'BTC', rate: '16730.75', orientation: 'base-per-quote' },
  ],
  { provider: 'coingecko', base: 'USD' },
);

describe('curatedRatesParquet', () => {
  it('encodes published rates as exact DECIMAL(38,18) values DuckDB reads back digit for digit', async () => {
    const rows = await queryParquet(
      curatedRatesParquet(snapshot),
      (parquet) => `SELECT snapshot_id, provider, base_currency, quote_currency, rate::VARCHAR AS rate,
              rate_published, orientation, quote_per_base::VARCHAR AS quote_per_base,
              strftime(in_force_from, '%Y-%m-%dT%H:%M:%S.%g') AS in_force_from, rate_date
         FROM ${parquet} ORDER BY quote_currency`,
    );

    expect(rows).toEqual([
      expect.objectContaining({ quote_currency: 'BTC', rate: '16730.750000000000000000', rate_published: '16730.75' }),
      expect.objectContaining({ quote_currency: 'EUR', rate: '0.847700000000000000', rate_published: '0.84770' }),
      expect.objectContaining({ quote_currency: 'JPY', rate: '138.050000000000000000', rate_published: '138.05' }),
    ]);
    for (const row of rows) {
      expect(row).toMatchObject({
        snapshot_id: 'coingecko-USD-20230102T170813Z',
        provider: 'coingecko',
        base_currency: 'USD',
        in_force_from: '2023-01-02T17:08:13.000',
        rate_date: '2023-01-02',
      });
      const published = snapshot.rates.find((r) => r.quote === row.quote_currency)!;
      expect(rational(row.rate as string).equals(published.rate)).toBe(true);
      expect(row.orientation).toBe(published.orientation ?? 'quote-per-base');
    }
  });

  it('stores quote_per_base: the rate itself, or the inverted crypto price rounded to 18 places', async () => {
    const rows = await queryParquet(
      curatedRatesParquet(snapshot),
      (parquet) => `SELECT quote_currency, quote_per_base::VARCHAR AS qpb FROM ${parquet} ORDER BY quote_currency`,
    );

    expect(rows).toEqual([
      { quote_currency: 'BTC', qpb: rational('1').dividedBy('16730.75').toFixedHalfEven(18) },
      { quote_currency: 'EUR', qpb: '0.847700000000000000' },
      { quote_currency: 'JPY', qpb: '138.050000000000000000' },
    ]);
    expect(rows[0].qpb).toBe('0.000059770183643889');
  });

  it('declares the columns Glue and Athena expect, decimals as DECIMAL(38,18)', async () => {
    const columns = await queryParquet(curatedRatesParquet(snapshot), (parquet) => `DESCRIBE SELECT * FROM ${parquet}`);

    expect(columns.map((c) => [c.column_name, c.column_type])).toEqual([
      ['snapshot_id', 'VARCHAR'],
      ['provider', 'VARCHAR'],
      ['base_currency', 'VARCHAR'],
      ['quote_currency', 'VARCHAR'],
      ['rate', 'DECIMAL(38,18)'],
      ['rate_published', 'VARCHAR'],
      ['orientation', 'VARCHAR'],
      ['quote_per_base', 'DECIMAL(38,18)'],
      ['in_force_from', 'TIMESTAMP'],
      ['rate_date', 'VARCHAR'],
    ]);
    expect(CURATED_RATE_COLUMNS.map((c) => c.name)).toEqual(columns.map((c) => c.column_name));
  });

  it('is deterministic: the same snapshot always gives the same bytes (a redelivery overwrites identically)', () => {
    expect(Buffer.from(curatedRatesParquet(snapshot)).equals(Buffer.from(curatedRatesParquet(snapshot)))).toBe(true);
  });

  it('rejects a rate with more than 18 fraction digits instead of rounding it', () => {
    const tooPrecise = snapshotOf('2023-01-02T17:08:13.000Z', { SHIB: '0.0000000000000000001' }, { provider: 'coingecko', base: 'USD' });

    expect(() => curatedRatesParquet(tooPrecise)).toThrow('rate 0.0000000000000000001 has more than 18 fraction digits');
  });

  it('accepts exactly 18 fraction digits', async () => {
    const edge = snapshotOf('2023-01-02T17:08:13.000Z', { SHIB: '0.000000000000000001' }, { provider: 'coingecko', base: 'USD' });

    const [row] = await queryParquet(curatedRatesParquet(edge), (parquet) => `SELECT rate::VARCHAR AS rate FROM ${parquet}`);

    expect(row.rate).toBe('0.000000000000000001');
  });
});

describe('toParquet decimal range', () => {
  const column = [{ name: 'v', kind: 'decimal', precision: 38, scale: 18 } as const];

  it('keeps the largest DECIMAL(38,18) value exactly', async () => {
    const max = '99999999999999999999.999999999999999999';
    const [row] = await queryParquet(toParquet(column, [{ v: max }]), (parquet) => `SELECT v::VARCHAR AS v FROM ${parquet}`);
    expect(row.v).toBe(max);
  });

  // Known bug: convert() checks the scale but not the precision, so a value past 38 digits
  // overflows the 16-byte field and DuckDB reads back a different (here negative) number.
  it('rejects a value with more than 38 significant digits instead of writing a wrapped number', () => {
    expect(() => toParquet(column, [{ v: '200000000000000000000' }])).toThrow(/v 200000000000000000000/);
  });
});
