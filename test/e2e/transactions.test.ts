import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Decimal } from '../../lambdas/domain/decimal';
import { eventually, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';
import { getBytes, listKeys, localS3, queryParquet } from '../support/lake';

jest.setTimeout(180_000);

describe('npm start: partner transactions from the built-in feed simulator', () => {
  let platform: PlatformProcess;

  beforeAll(async () => {
    platform = await startPlatformProcess();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('stores enriched, categorized transactions in DynamoDB and curated Parquet, with exact sums per category', async () => {
    const { services, resources } = platform.endpoints;
    // The simulator publishes 30 transactions a minute: invoke until runs have queued five.
    let queued = 0;
    await eventually(async () => {
      const invoked = await platform.cli(['invoke', 'fetch-transactions']);
      expect(invoked.code).toBe(0);
      queued += (JSON.parse(invoked.stdout).results[0] as { transactions: number }).transactions;
      return queued >= 5 ? queued : undefined;
    }, 90_000, 'fetch-transactions runs that queue five transactions');

    const documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: services.dynamodb, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }),
      { unmarshallOptions: { wrapNumbers: true } },
    );
    const s3 = localS3(services.s3);
    const bucket = resources.buckets.dataLake;
    const { items, keys } = await eventually(async () => {
      const scanned = (await documents.send(new ScanCommand({ TableName: resources.tables.transactions }))).Items ?? [];
      const objects = await listKeys(s3, bucket, 'curated/transactions/');
      const inLake = objects.length > 0 ? await queryParquet(await Promise.all(objects.map((k) => getBytes(s3, bucket, k))), (f) => `SELECT count(DISTINCT transaction_id) AS n FROM ${f}`) : [{ n: 0 }];
      return scanned.length >= 5 && Number(inLake[0].n) === scanned.length ? { items: scanned, keys: objects } : undefined;
    }, 60_000, 'transactions in DynamoDB and in the lake');

    for (const item of items) {
      expect(item.user_id).toBeUndefined();
      expect(item.user_id_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(['standard', 'medium_value', 'high_value']).toContain(item.category);
      expect(item.base_currency).toBe('USD');
    }
    expect(keys.every((k) => /^curated\/transactions\/year=\d{4}\/month=\d{2}\/day=\d{2}\/[0-9a-f]+\.parquet$/.test(k))).toBe(true);

    const expected = new Map<string, Decimal>();
    for (const item of items) {
      expected.set(item.category, (expected.get(item.category) ?? new Decimal(0)).plus(item.amount_base_text));
    }
    const objects = await Promise.all(keys.map((k) => getBytes(s3, bucket, k)));
    const sums = await queryParquet(objects, (files) =>
      `SELECT category, SUM(amount_base)::VARCHAR AS total, count(*) AS n FROM (SELECT DISTINCT ON (transaction_id) * FROM ${files}) GROUP BY category`,
    );
    const columns = await queryParquet(objects.slice(0, 1), (files) => `SELECT column_name FROM (DESCRIBE SELECT * FROM ${files})`);
    expect(columns.map((c) => c.column_name)).not.toContain('user_id');
    expect(sums).toHaveLength(expected.size);
    for (const row of sums) {
      expect(new Decimal(String(row.total)).eq(expected.get(String(row.category))!)).toBe(true);
    }
  });
});
