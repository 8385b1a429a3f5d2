import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoLoadStateStore } from '../lambdas/adapters/aws/dynamodb-load-state';
import { s3LakeLister } from '../lambdas/adapters/aws/s3-lake-lister';
import { curatedTransactionsParquet } from '../lambdas/adapters/parquet/curated-transactions';
import { LOADABLE_TABLES, starSchemaSql } from '../lambdas/adapters/warehouse/star-schema';
import { lakeKeys } from '../lambdas/domain/lake-keys';
import type { EnrichedTransaction } from '../lambdas/domain/transaction';
import { LAKE_PREFIXES } from '../lambdas/shared/lake-prefixes';
import { loadWarehouse } from '../lambdas/use-cases/load-warehouse';
import { openLocalAthena } from '../lib/analytics/local-athena';
import { lakeStager, openLocalWarehouse } from '../lib/analytics/local-warehouse';
import { namedQuery } from '../lib/analytics/named-queries';
import { TABLES } from '../lib/definitions/resources';
import { startEmulators } from '../lib/local-platform/emulators';
import { createTable } from '../lib/local-platform/provision';

const DAYS = 20;
const PER_DAY = 1000;
const BATCH = 100;

/** The local load step and the local Athena stand-in over 20,000 curated transactions in 200 objects. */
export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fx-bench-analytics-'));
  const emulators = await startEmulators({ dataDir: path.join(dir, 'data') });
  const sdk = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  const s3 = new S3Client({ ...sdk, endpoint: emulators.endpoints.s3, forcePathStyle: true });
  const ddb = new DynamoDBClient({ ...sdk, endpoint: emulators.endpoints.dynamodb });
  const documents = DynamoDBDocumentClient.from(ddb, { unmarshallOptions: { wrapNumbers: true } });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
    await createTable(ddb, 'state', TABLES.state);
    for (let day = 0; day < DAYS; day++) {
      for (let batch = 0; batch < PER_DAY / BATCH; batch++) {
        const transactions = Array.from({ length: BATCH }, (_, i) => transaction(day, batch * BATCH + i));
        const key = lakeKeys.curatedBatch(LAKE_PREFIXES.curatedTransactions, transactions[0].timestamp, transactions.map((t) => t.transaction_id));
        await s3.send(new PutObjectCommand({ Bucket: 'lake', Key: key, Body: curatedTransactionsParquet(transactions) }));
      }
    }
    let started = Date.now();
    const warehouse = await openLocalWarehouse();
    const warehouseInitMs = Date.now() - started;
    const load = () =>
      loadWarehouse({
        tables: LOADABLE_TABLES,
        lake: s3LakeLister(s3, 'lake'),
        state: dynamoLoadStateStore(documents, 'state'),
        sql: starSchemaSql,
        clock: () => new Date(Date.now() + 3_600_000),
        warehouse: warehouse.executor(lakeStager({ s3, bucket: 'lake', cacheDir: path.join(dir, 'cache-load') })),
      });
    started = Date.now();
    const first = await load();
    const firstLoadMs = Date.now() - started;
    started = Date.now();
    const second = await load();
    const noChangeLoadMs = Date.now() - started;
    started = Date.now();
    const athena = await openLocalAthena({ s3, bucket: 'lake', cacheDir: path.join(dir, 'cache-athena'), database: 'fx_local' });
    const athenaOpenMs = Date.now() - started;
    started = Date.now();
    await athena.query(namedQuery('transactions-by-category').sql);
    const byCategoryMs = Date.now() - started;
    started = Date.now();
    await athena.query(namedQuery('top-merchants').sql);
    const topMerchantsMs = Date.now() - started;
    const [[warehouseSum]] = (await warehouse.query('SELECT sum(amount_base) FROM fact_transaction')).rows;
    const [[athenaSum]] = (await athena.query('SELECT sum(amount_base) FROM transactions_latest')).rows;
    athena.close();
    await warehouse.close();
    return {
      name: `local load step and Athena stand-in, ${DAYS * PER_DAY} transactions in ${(DAYS * PER_DAY) / BATCH} objects`,
      warehouseInitMs,
      firstLoadMs,
      partitionsLoaded: first.loaded.length,
      rowsPerSecond: Math.round((DAYS * PER_DAY) / (firstLoadMs / 1000)),
      noChangeLoadMs,
      partitionsOnSecondRun: second.loaded.length,
      athenaOpenMs,
      byCategoryMs,
      topMerchantsMs,
      sumsEqual: warehouseSum === athenaSum,
    };
  } finally {
    s3.destroy();
    documents.destroy();
    await emulators.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

function transaction(day: number, n: number): EnrichedTransaction {
  const cents = ((n * 7919 + day * 104729) % 500000) + 1;
  const amount = `${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  const timestamp = new Date(Date.UTC(2024, 0, 1 + day, 0, 0, 0) + n * 60_000).toISOString();
  return {
    transaction_id: `bench-${day}-${n}`,
    user_id_hash: 'h'.repeat(64),
    amount,
    currency: 'USD',
    amount_base: amount,
    amount_base_exact: amount,
    base_currency: 'USD',
    rate: '1',
    rate_as_of: timestamp,
    rate_provider: 'simulated',
    rate_via: 'USD/USD',
    category: cents >= 100_000 ? 'high_value' : cents >= 10_000 ? 'medium_value' : 'standard',
    high_value_alert: cents > 300_000,
    merchant: `Merchant ${n % 20}`,
    merchant_category: 'retail',
    country: 'US',
    timestamp,
    processed_at_utc: timestamp,
  };
}
