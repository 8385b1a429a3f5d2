import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { Decimal } from '../../lambdas/domain/decimal';
import { eventually, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';
import { getBytes, listKeys, localS3, queryParquet } from '../support/lake';

jest.setTimeout(180_000);

const ECB_FILE = readFileSync(path.join(__dirname, '..', 'fixtures', 'rates', 'ecb_eurofxref-daily_2022-07-08.xml'), 'utf8');
/** Every `currency='X' rate='Y'` of the real file, with Y exactly as published. */
const PUBLISHED = new Map([...ECB_FILE.matchAll(/currency=['"]([A-Z]{3})['"]\s+rate=['"]([0-9.]+)['"]/g)].map((m) => [m[1], m[2]]));
/** The history file, as ECB lays it out: the same cubes for three days, newest first. */
const HISTORY_FILE = ECB_FILE.replace(
  /<Cube time=(['"])2022-07-08\1>([\s\S]*?)<\/Cube>\s*<\/Cube>/,
  (_, q, cubes) => ['2022-07-08', '2022-07-07', '2022-07-06'].map((d) => `<Cube time=${q}${d}${q}>${cubes}</Cube>`).join('\n') + '\n</Cube>',
);
const MIRROR: Record<string, string> = {
  '/stats/eurofxref/eurofxref-daily.xml': ECB_FILE,
  '/stats/eurofxref/eurofxref-hist.xml': HISTORY_FILE,
};
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('npm start -- --rates-provider ecb --rates-url <mirror of the real daily file>', () => {
  let mirror: Server;
  let dailyUrl: string;
  let platform: PlatformProcess;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    mirror = createServer((req, res) => {
      const body = MIRROR[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/xml' }).end(body ?? '');
    });
    await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
    const { port } = mirror.address() as { port: number };
    dailyUrl = `http://127.0.0.1:${port}/stats/eurofxref/eurofxref-daily.xml`;
    platform = await startPlatformProcess(['--rates-provider', 'ecb', '--rates-url', dailyUrl]);
    documents = DynamoDBDocumentClient.from(
      new DynamoDBClient({ endpoint: platform.endpoints.services.dynamodb, region: 'us-east-1', credentials }),
      { unmarshallOptions: { wrapNumbers: true } },
    );
  });

  afterAll(async () => {
    await platform?.stop();
    await new Promise((resolve) => mirror?.close(resolve));
  });

  const scanRates = async () => {
    const result = await documents.send(new ScanCommand({ TableName: platform.endpoints.resources.tables.rates }));
    return (result.Items ?? []).sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
  };
  const rateChangesDepth = async () => {
    const sqs = new SQSClient({ endpoint: platform.endpoints.services.sqs, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false });
    const result = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: platform.endpoints.resources.queues.rateChanges.url,
        AttributeNames: ['ApproximateNumberOfMessages'],
      }),
    );
    return Number(result.Attributes?.ApproximateNumberOfMessages);
  };

  it('stores every currency of the file with exactly its published value, and a second run changes nothing', async () => {
    expect(PUBLISHED.size).toBe(31);
    const first = await platform.cli(['invoke', 'fetch-rates']);
    expect(first.code).toBe(0);
    const { snapshotId } = JSON.parse(first.stdout).results[0] as { snapshotId: string };
    expect(snapshotId).toBe('ecb-EUR-20220708T000000Z');

    const items = await eventually(async () => {
      const all = await scanRates();
      return all.filter((i) => i.pk === 'LATEST#EUR').length === PUBLISHED.size ? all : undefined;
    }, 60_000, 'all ECB currencies stored');
    for (const item of items) {
      expect(item.published).toBe(PUBLISHED.get(item.quote));
      // The DynamoDB number may drop trailing zeros (7.5190 -> 7.519); as a decimal it is equal.
      expect(new Decimal(item.rate.value).eq(item.published)).toBe(true);
    }
    expect(items.filter((i) => i.pk.startsWith('HISTORY#EUR#'))).toHaveLength(PUBLISHED.size);

    const s3 = localS3(platform.endpoints.services.s3);
    const bucket = platform.endpoints.resources.buckets.dataLake;
    const curated = await eventually(async () => {
      const keys = await listKeys(s3, bucket, 'curated/rates/');
      return keys.length > 0 ? keys : undefined;
    });
    expect(curated).toEqual([`curated/rates/year=2022/month=07/day=08/${snapshotId}.parquet`]);
    const parquet = await getBytes(s3, bucket, curated[0]);
    const rows = await queryParquet([parquet], (files) =>
      `SELECT quote_currency, rate_published, rate = CAST(rate_published AS DECIMAL(38,18)) AS exact FROM ${files}`,
    );
    expect(rows).toHaveLength(PUBLISHED.size);
    for (const row of rows) {
      expect(row.rate_published).toBe(PUBLISHED.get(String(row.quote_currency)));
      expect(row.exact).toBe(true);
    }
    const eventsAfterFirst = await eventually(async () => ((await rateChangesDepth()) === PUBLISHED.size ? PUBLISHED.size : undefined));

    // The same publication again (a weekend, a holiday): same snapshot id, nothing changes.
    const second = await platform.cli(['invoke', 'fetch-rates']);
    expect(JSON.parse(second.stdout).results[0].snapshotId).toBe(snapshotId);
    await eventually(async () => (/process-rates: 1 message\(s\), 0 failed[\s\S]*process-rates: 1 message\(s\), 0 failed/.test(platform.output()) ? true : undefined), 60_000, 'the second snapshot processed');
    expect(await scanRates()).toEqual(items);
    expect(await listKeys(s3, bucket, 'curated/rates/')).toEqual(curated);
    expect(Buffer.from(await getBytes(s3, bucket, curated[0])).equals(Buffer.from(parquet))).toBe(true);
    expect(await listKeys(s3, bucket, 'raw/rates/')).toEqual([`raw/rates/provider=ecb/dt=2022-07-08/${snapshotId}.xml`]);
    expect(await rateChangesDepth()).toBe(eventsAfterFirst);
  });

  it('npm run backfill loads the history through the same processor, and a re-run changes nothing', async () => {
    const args = ['--provider', 'ecb', '--from', '2022-07-06', '--to', '2022-07-08', '--url', dailyUrl];
    const first = await platform.backfill(args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ snapshots: 3, rates: 3 * PUBLISHED.size, first: '2022-07-06', last: '2022-07-08' });

    const history = await eventually(async () => {
      const all = await scanRates();
      return all.filter((i) => i.pk.startsWith('HISTORY#')).length === 3 * PUBLISHED.size ? all : undefined;
    }, 60_000, 'three days of history');
    const days = new Set(history.filter((i) => i.pk.startsWith('HISTORY#')).map((i) => i.asOf.slice(0, 10)));
    expect([...days].sort()).toEqual(['2022-07-06', '2022-07-07', '2022-07-08']);
    // Older days do not move the latest rate back.
    expect(new Set(history.filter((i) => i.pk === 'LATEST#EUR').map((i) => i.asOf))).toEqual(new Set(['2022-07-08T00:00:00.000Z']));

    const again = await platform.backfill(args);
    expect(again.code).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 8_000)); // one batching window and more
    expect(await scanRates()).toEqual(history);
  });
});
