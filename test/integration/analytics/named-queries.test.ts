import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { namedQueries, namedQuery } from '../../../lib/analytics/named-queries';
import { openLocalAthena, type LocalAthena } from '../../../lib/analytics/local-athena';
import { QueryError, type QueryResult } from '../../../lib/analytics/query-result';
import { createBucket, uniqueName, useEmulators } from '../../support/emulator-resources';
import { writeKnownLake } from '../../support/analytics';

jest.setTimeout(120_000);

const env = useEmulators('named-queries');
let athena: LocalAthena;
let cacheDir: string;

beforeAll(async () => {
  const bucket = uniqueName('lake');
  await createBucket(env.clients, bucket);
  await writeKnownLake(env.clients.s3, bucket);
  cacheDir = mkdtempSync(path.join(tmpdir(), 'fx-athena-cache-'));
  athena = await openLocalAthena({ s3: env.clients.s3, bucket, cacheDir, database: 'fx_local' });
});
afterAll(() => {
  athena?.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

const D = (digits: string) => {
  const [integer, fraction = ''] = digits.split('.');
  return `${integer}.${fraction.padEnd(18, '0')}`;
};
const rowsOf = (result: QueryResult) => result.rows.map((row) => [...row]);
const named = (name: string) => athena.query(namedQuery(name).sql);

describe('named queries on a known lake (expected values worked out by hand in test/support/analytics.ts)', () => {
  it('ships exactly the six named queries of the issue', () => {
    expect(namedQueries().map((q) => q.name)).toEqual([
      'conversions-per-partner',
      'daily-ohlc',
      'day-over-day-change',
      'high-value-transactions',
      'top-merchants',
      'transactions-by-category',
    ]);
  });

  it('daily-ohlc: open, high, low and close per pair and rate date, in the order the publications came in force', async () => {
    const result = await named('daily-ohlc');
    expect(result.columns.map((c) => c.name)).toEqual([
      'provider', 'base_currency', 'quote_currency', 'rate_date', 'open', 'high', 'low', 'close', 'publications',
    ]);
    expect(rowsOf(result)).toEqual([
      // The ECB publishes once a business day: nothing for the weekend of the 6th and 7th.
      ['ecb', 'EUR', 'USD', '2024-01-05', D('1.0921'), D('1.0921'), D('1.0921'), D('1.0921'), '1'],
      ['ecb', 'EUR', 'USD', '2024-01-08', D('1.0946'), D('1.0946'), D('1.0946'), D('1.0946'), '1'],
      // Opens with 09:00's, closes with 15:00's; high and low whenever they were.
      ['simulated', 'EUR', 'JPY', '2024-01-02', D('160'), D('161'), D('159.5'), D('161'), '3'],
      ['simulated', 'EUR', 'JPY', '2024-01-03', D('161'), D('161'), D('161'), D('161'), '2'],
      ['simulated', 'EUR', 'JPY', '2024-01-04', D('164.22'), D('164.22'), D('164.22'), D('164.22'), '1'],
      ['simulated', 'EUR', 'USD', '2024-01-02', D('1.1'), D('1.12'), D('1.1'), D('1.1'), '3'],
      ['simulated', 'EUR', 'USD', '2024-01-03', D('1.11'), D('1.122'), D('1.11'), D('1.122'), '2'],
      ['simulated', 'EUR', 'USD', '2024-01-04', D('1.09956'), D('1.09956'), D('1.09956'), D('1.09956'), '1'],
    ]);
  });

  it('day-over-day-change: exact change, percent change and volatility per pair, against the previous rate date', async () => {
    const result = await named('day-over-day-change');
    expect(result.columns.map((c) => c.name)).toEqual([
      'provider', 'base_currency', 'quote_currency', 'rate_date', 'close', 'previous_close', 'change', 'change_pct', 'volatility_pct',
    ]);
    // ECB: Monday against Friday, 0.0025 / 1.0921 = 0.22891…%; one change has no standard deviation.
    // JPY changes 0 % then +2 %: sample standard deviation √2 = 1.41421…; USD +2 % then -2 %: √8 = 2.82842…
    expect(rowsOf(result)).toEqual([
      ['ecb', 'EUR', 'USD', '2024-01-05', D('1.0921'), null, null, null, null],
      ['ecb', 'EUR', 'USD', '2024-01-08', D('1.0946'), D('1.0921'), D('0.0025'), '0.2289', null],
      ['simulated', 'EUR', 'JPY', '2024-01-02', D('161'), null, null, null, '1.4142'],
      ['simulated', 'EUR', 'JPY', '2024-01-03', D('161'), D('161'), D('0'), '0.0', '1.4142'],
      ['simulated', 'EUR', 'JPY', '2024-01-04', D('164.22'), D('161'), D('3.22'), '2.0', '1.4142'],
      ['simulated', 'EUR', 'USD', '2024-01-02', D('1.1'), null, null, null, '2.8284'],
      ['simulated', 'EUR', 'USD', '2024-01-03', D('1.122'), D('1.1'), D('0.022'), '2.0', '2.8284'],
      ['simulated', 'EUR', 'USD', '2024-01-04', D('1.09956'), D('1.122'), `-${D('0.02244')}`, '-2.0', '2.8284'],
    ]);
  });

  it('transactions-by-category: count and exact base sum per day and category, t3 counted once', async () => {
    expect(rowsOf(await named('transactions-by-category'))).toEqual([
      ['2024-01-02', 'high_value', 'USD', '1', D('1500')],
      ['2024-01-02', 'medium_value', 'USD', '1', D('275')],
      ['2024-01-02', 'standard', 'USD', '1', D('12.5')],
      ['2024-01-03', 'high_value', 'USD', '1', D('4200')],
      ['2024-01-03', 'standard', 'USD', '2', D('106.84')],
    ]);
  });

  it('high-value-transactions: largest first, alerts flagged, each transaction once', async () => {
    expect(rowsOf(await named('high-value-transactions'))).toEqual([
      ['t4', '2024-01-03 09:30:00', 'Crypto Mart', 'electronics', 'US', D('0.1'), 'BTC', D('4200'), 'USD', 'true'],
      ['t3', '2024-01-02 12:00:00', 'Grand Hotel', 'travel', 'US', D('1500'), 'USD', D('1500'), 'USD', 'false'],
    ]);
  });

  it('top-merchants: volume per merchant, last transaction formatted by the date_format shim', async () => {
    expect(rowsOf(await named('top-merchants'))).toEqual([
      ['Crypto Mart', 'USD', '1', D('4200'), '2024-01-03 09:30:00'],
      ['Grand Hotel', 'USD', '2', D('1775'), '2024-01-02 12:00:00'],
      ['Corner Shop', 'USD', '2', D('112.49'), '2024-01-03 18:45:00'],
      ['Ramen Bar', 'USD', '1', D('6.85'), '2024-01-03 20:00:00'],
    ]);
  });

  it('conversions-per-partner: counts and exact sums per partner and pair, c2 counted once', async () => {
    expect(rowsOf(await named('conversions-per-partner'))).toEqual([
      ['client-a', 'EUR', 'USD', '2', D('150.5'), D('165.55'), '2024-01-02 10:00:00', '2024-01-03 11:00:00'],
      ['client-a', 'USD', 'JPY', '1', D('10'), D('1450'), '2024-01-03 12:00:00', '2024-01-03 12:00:00'],
      ['client-b', 'EUR', 'USD', '1', D('1'), D('1.1'), '2024-01-03 13:00:00', '2024-01-03 13:00:00'],
    ]);
  });
});

describe('the local Athena stand-in', () => {
  it('keeps the raw rows in the tables and one row per id in the *_latest views', async () => {
    const counts = await athena.query(
      'SELECT (SELECT count(*) FROM fx_local.transactions), (SELECT count(*) FROM fx_local.transactions_latest), ' +
        '(SELECT count(*) FROM conversions), (SELECT count(*) FROM conversions_latest), (SELECT count(*) FROM rates)',
    );
    // Rates: 6 simulated snapshots x 2 quotes + 2 ECB snapshots x 1.
    expect(rowsOf(counts)).toEqual([['7', '6', '5', '4', '14']]);
  });

  it('sums amount_base exactly over transactions_latest', async () => {
    // 1500 + 275 + 12.50 + 4200 + 99.99 + 6.85
    expect(rowsOf(await athena.query('SELECT sum(amount_base) FROM transactions_latest'))).toEqual([[D('6094.34')]]);
  });

  it('declares the Glue types and the year/month/day partitions', async () => {
    const result = await athena.query(
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = 'fx_local' AND table_name = 'transactions' " +
        "AND column_name IN ('amount_base', 'timestamp', 'merchant', 'year', 'month', 'day') ORDER BY column_name",
    );
    expect(rowsOf(result)).toEqual([
      ['amount_base', 'DECIMAL(38,18)'],
      ['day', 'VARCHAR'],
      ['merchant', 'VARCHAR'],
      ['month', 'VARCHAR'],
      ['timestamp', 'TIMESTAMP'],
      ['year', 'VARCHAR'],
    ]);
    expect(rowsOf(await athena.query("SELECT DISTINCT year, month, day FROM transactions ORDER BY day"))).toEqual([
      ['2024', '01', '02'],
      ['2024', '01', '03'],
    ]);
  });

  it('runs the Presto functions the shims stand in for', async () => {
    const result = await athena.query(
      "SELECT date_format(TIMESTAMP '2024-03-05 07:08:09', '%Y-%m-%d %H:%i:%s'), " +
        "date_format(TIMESTAMP '2024-03-05 07:08:09', '%M %e, %Y %T'), " +
        "date_format(TIMESTAMP '2024-03-05 17:08:09', '%W %c/%e %h:%i %p'), " +
        "day_of_week(DATE '2024-03-10'), regexp_like('Corner Shop', '^Corner'), regexp_like('Ramen Bar', '^Corner'), " +
        "to_unixtime(TIMESTAMP '1970-01-02 00:00:00'), approx_distinct(x) FROM (VALUES (1), (2), (2)) AS t(x)",
    );
    // 2024-03-10 is a Sunday: 7 in Presto's ISO numbering.
    expect(rowsOf(result)).toEqual([
      ['2024-03-05 07:08:09', 'March 5, 2024 07:08:09', 'Tuesday 3/5 05:08 PM', '7', 'true', 'false', '86400.0', '2'],
    ]);
  });

  it('answers bad SQL and unknown tables with the engine error', async () => {
    await expect(athena.query('SELEC 1')).rejects.toThrow(QueryError);
    await expect(athena.query('SELEC 1')).rejects.toThrow(/syntax error at or near "SELEC"/);
    await expect(athena.query('SELECT * FROM fx_local.nope')).rejects.toThrow(/nope does not exist/);
  });
});
