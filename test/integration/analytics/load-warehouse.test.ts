import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoLoadStateStore, loadStateKey } from '../../../lambdas/adapters/aws/dynamodb-load-state';
import { s3LakeLister } from '../../../lambdas/adapters/aws/s3-lake-lister';
import { FACTS, LOADABLE_TABLES, starSchemaSql } from '../../../lambdas/adapters/warehouse/star-schema';
import { loadWarehouse, planWarehouseLoad, type PlanDeps } from '../../../lambdas/use-cases/load-warehouse';
import { openLocalAthena } from '../../../lib/analytics/local-athena';
import { lakeStager, openLocalWarehouse, type LocalWarehouse } from '../../../lib/analytics/local-warehouse';
import { TABLES } from '../../../lib/definitions/resources';
import { KNOWN_TRANSACTIONS, putTransactions, writeKnownLake } from '../../support/analytics';
import { createBucket, createTableFrom, uniqueName, useEmulators } from '../../support/emulator-resources';

jest.setTimeout(180_000);

const env = useEmulators('load-warehouse');
/** One PGlite for the file: a fresh one takes seconds to initialise. */
let warehouse: LocalWarehouse;
let cacheDir: string;
let bucket: string;
let stateTable: string;

/** An hour ahead: every object just written counts as settled, so a run loads exactly what is new. */
const settledClock = () => new Date(Date.now() + 60 * 60 * 1000);

const deps = (): PlanDeps => ({
  tables: LOADABLE_TABLES,
  lake: s3LakeLister(env.clients.s3, bucket),
  state: dynamoLoadStateStore(env.clients.dynamodb, stateTable),
  sql: starSchemaSql,
  clock: settledClock,
});
const load = () =>
  loadWarehouse({ ...deps(), warehouse: warehouse.executor(lakeStager({ s3: env.clients.s3, bucket, cacheDir })) });
const scalar = async (sql: string) => (await warehouse.query(sql)).rows[0][0];
const counts = async () =>
  (
    await warehouse.query(
      ['fact_rate', 'fact_transaction', 'fact_conversion', 'dim_currency', 'dim_date', 'dim_merchant', 'dim_partner']
        .map((t) => `SELECT '${t}' AS t, count(*) AS n FROM ${t}`)
        .join(' UNION ALL '),
    )
  ).rows.map(([t, n]) => [t, n]);
const forgetWatermarks = async () => {
  for (const { fact } of Object.values(FACTS)) {
    await env.clients.dynamodb.send(
      new UpdateCommand({ TableName: stateTable, Key: loadStateKey(fact), UpdateExpression: 'REMOVE loadedThrough' }),
    );
  }
};

const EXPECTED_COUNTS = [
  ['fact_rate', '14'], // 6 simulated snapshots x 2 quotes + 2 ECB snapshots x 1
  ['fact_transaction', '6'], // t3 once, although it is in two objects
  ['fact_conversion', '4'], // c2 once
  ['dim_currency', '4'], // BTC EUR JPY USD
  ['dim_date', '5'], // 2024-01-02, -03, -04, -05, -08
  ['dim_merchant', '4'],
  ['dim_partner', '2'],
];

beforeAll(async () => {
  bucket = uniqueName('lake');
  stateTable = uniqueName('state');
  await createBucket(env.clients, bucket);
  await createTableFrom(env.clients, TABLES.state, stateTable);
  await writeKnownLake(env.clients.s3, bucket);
  cacheDir = mkdtempSync(path.join(tmpdir(), 'fx-load-cache-'));
  warehouse = await openLocalWarehouse();
});
afterAll(async () => {
  await warehouse?.close();
  if (cacheDir) rmSync(cacheDir, { recursive: true, force: true });
});

describe('the load step on PGlite (same plan and SQL as the state machine)', () => {
  it('creates the star schema and loads every partition of the known lake', async () => {
    const result = await load();
    expect(result.loaded).toEqual([
      'fact_conversion year=2024/month=01/day=02',
      'fact_conversion year=2024/month=01/day=03',
      'fact_rate year=2024/month=01/day=02',
      'fact_rate year=2024/month=01/day=03',
      'fact_rate year=2024/month=01/day=04',
      'fact_rate year=2024/month=01/day=05',
      'fact_rate year=2024/month=01/day=08',
      'fact_transaction year=2024/month=01/day=02',
      'fact_transaction year=2024/month=01/day=03',
    ]);
    expect(await counts()).toEqual(EXPECTED_COUNTS);
  });

  it('fills the dimensions from the facts', async () => {
    expect((await warehouse.query('SELECT * FROM dim_date ORDER BY date_key')).rows).toEqual([
      ['20240102', '2024-01-02', '2024', '1', '2', '2'], // a Tuesday
      ['20240103', '2024-01-03', '2024', '1', '3', '3'],
      ['20240104', '2024-01-04', '2024', '1', '4', '4'],
      ['20240105', '2024-01-05', '2024', '1', '5', '5'], // the ECB's Friday
      ['20240108', '2024-01-08', '2024', '1', '8', '1'], // and Monday
    ]);
    expect((await warehouse.query('SELECT * FROM dim_merchant ORDER BY merchant')).rows).toEqual([
      ['Corner Shop', 'grocery'],
      ['Crypto Mart', 'electronics'],
      ['Grand Hotel', 'travel'],
      ['Ramen Bar', null],
    ]);
    expect((await warehouse.query('SELECT partner_id FROM dim_partner ORDER BY 1')).rows).toEqual([['client-a'], ['client-b']]);
  });

  it('keys a rate by its snapshot and quote, dated by the day it came in force (its rate date)', async () => {
    expect(
      (await warehouse.query("SELECT snapshot_id, quote_currency, quote_per_base, in_force_from, rate_date, date_key FROM fact_rate WHERE provider = 'ecb' ORDER BY 1")).rows,
    ).toEqual([
      // 16:00 Berlin is 15:00Z in January.
      ['ecb-EUR-20240105T150000Z', 'USD', '1.092100000000000000', '2024-01-05 15:00:00', '2024-01-05', '20240105'],
      ['ecb-EUR-20240108T150000Z', 'USD', '1.094600000000000000', '2024-01-08 15:00:00', '2024-01-08', '20240108'],
    ]);
  });

  it('keeps every digit: sum(amount_base) equals the Athena-side sum over transactions_latest', async () => {
    const warehouseSum = await scalar('SELECT sum(amount_base) FROM fact_transaction');
    const athena = await openLocalAthena({ s3: env.clients.s3, bucket, cacheDir: path.join(cacheDir, 'athena'), database: 'fx_local' });
    try {
      const [[athenaSum]] = (await athena.query('SELECT sum(amount_base) FROM transactions_latest')).rows;
      expect(warehouseSum).toBe(athenaSum);
    } finally {
      athena.close();
    }
    // 1500 + 275 + 12.50 + 4200 + 99.99 + 6.85
    expect(warehouseSum).toBe('6094.340000000000000000');
    expect((await warehouse.query("SELECT amount, currency, date_key FROM fact_transaction WHERE transaction_id = 't4'")).rows).toEqual([
      ['0.100000000000000000', 'BTC', '20240103'],
    ]);
  });

  it('finds nothing new right after a load, and only the partition that changed after a new object', async () => {
    expect((await planWarehouseLoad(deps())).partitions).toEqual([]);
    const t7 = { ...KNOWN_TRANSACTIONS.t5, transaction_id: 't7', amount: '0.01', amount_base: '0.01', amount_base_exact: '0.01' };
    await putTransactions(env.clients.s3, bucket, [t7]);
    const result = await load();
    expect(result.loaded).toEqual(['fact_transaction year=2024/month=01/day=03']);
    expect(await scalar('SELECT count(*) FROM fact_transaction')).toBe('7');
    expect(await scalar('SELECT sum(amount_base) FROM fact_transaction')).toBe('6094.350000000000000000');
  });

  it('loading the same partitions twice leaves the same rows', async () => {
    const before = await warehouse.query('SELECT * FROM fact_transaction ORDER BY transaction_id');
    await forgetWatermarks();
    const again = await load();
    expect(again.loaded).toHaveLength(9);
    const reloaded = await warehouse.query('SELECT * FROM fact_transaction ORDER BY transaction_id');
    expect(reloaded.rows).toEqual(before.rows);
    expect(await counts()).toEqual(EXPECTED_COUNTS.map(([t, n]) => [t, t === 'fact_transaction' ? '7' : n]));
  });

  it('adds a column the curated table gained since the fact table was created, and fills it', async () => {
    // As if fact_transaction had been created before `country` existed.
    await warehouse.query('ALTER TABLE fact_transaction DROP COLUMN country');
    const state = dynamoLoadStateStore(env.clients.dynamodb, stateTable);
    const columns = (await state.read(['fact_transaction'])).fact_transaction.columns!;
    await state.saveColumns('fact_transaction', columns.filter((c) => c !== 'country'));
    await forgetWatermarks();
    await load();
    expect((await warehouse.query("SELECT country FROM fact_transaction WHERE transaction_id IN ('t1', 't6') ORDER BY transaction_id")).rows).toEqual([
      ['US'],
      [null],
    ]);
    expect((await state.read(['fact_transaction'])).fact_transaction.columns).toEqual(columns);
  });

  it('answers bad SQL with the engine error', async () => {
    await expect(warehouse.query('SELEC 1')).rejects.toThrow(/syntax error at or near "SELEC"/);
    await expect(warehouse.query('SELECT * FROM fact_nope')).rejects.toThrow(/relation "fact_nope" does not exist/);
  });
});
