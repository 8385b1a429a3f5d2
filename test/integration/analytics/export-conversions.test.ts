import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient, type _Record as StreamRecord } from '@aws-sdk/client-dynamodb-streams';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { CONVERSION_INSERT_FILTER } from '../../../lambdas/adapters/aws/dynamodb-conversion-stream';
import { dynamoConversionStore, partnerTableOf } from '../../../lambdas/adapters/aws/dynamodb-conversion-store';
import { IdempotencyKeyReusedError, type StoredConversion } from '../../../lambdas/ports/conversion-store';
import { ENV } from '../../../lambdas/shared/env-names';
import { openLocalAthena } from '../../../lib/analytics/local-athena';
import { FUNCTIONS } from '../../../lib/definitions/functions';
import { TABLES } from '../../../lib/definitions/resources';
import { awsEndpointEnv } from '../../../lib/local-platform/emulators';
import { matchesFilter } from '../../../lib/local-platform/event-filter';
import { startStreamPoller } from '../../../lib/local-platform/stream-poller';
import { createBucket, createTableFrom, uniqueName, useEmulators } from '../../support/emulator-resources';
import { listKeys } from '../../support/lake';
import { QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { eventually } from '../../support/local-platform-process';
import { streamReader, streamsClientConfig } from '../../support/streams';

jest.setTimeout(120_000);

const env = useEmulators('export-conversions');
const TRIGGER = FUNCTIONS['export-conversions'].streamTrigger;
let table: string;
let bucket: string;
let dir: string;
let handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
let restoreEnv = () => undefined as void;
const invocations: DynamoDBStreamEvent[] = [];

const conversion = (id: string, createdAt: string, amount: string, converted: string): StoredConversion => ({
  id,
  createdAt,
  from: 'EUR',
  to: 'USD',
  amount,
  converted,
  rate: '1.0950',
  inverseRate: '0.913242009132420091324200913242009132',
  asOf: '2024-01-10T00:00:00.000Z',
  provider: 'ecb',
});

/** The conversions API's store: Powertools Idempotency records and conversions in each partner's partition. */
const store = () => dynamoConversionStore(partnerTableOf(env.clients.dynamodbClient), table);
const convert = (partner: string, key: string, c: StoredConversion) =>
  store().createOnce(partner, key, { from: c.from, to: c.to, amount: c.amount }, async () => c);

function poller(checkpointFile: string) {
  const config = streamsClientConfig(env);
  return startStreamPoller({
    dynamodb: new DynamoDBClient(config),
    streams: new DynamoDBStreamsClient(config),
    tableName: table,
    region: 'us-east-1',
    batchSize: TRIGGER.batchSize,
    retryAttempts: TRIGGER.retryAttempts,
    filter: TRIGGER.filter,
    checkpointFile,
    pollIntervalMs: 100,
    invoke: (event) => {
      invocations.push(event);
      return handler(event);
    },
  });
}

beforeAll(async () => {
  table = uniqueName('api');
  bucket = uniqueName('lake');
  dir = mkdtempSync(path.join(tmpdir(), 'fx-export-'));
  await createTableFrom(env.clients, TABLES.api, table);
  await createBucket(env.clients, bucket);
  restoreEnv = setEnv({ ...awsEndpointEnv(env.emulators.endpoints), ...QUIET_POWERTOOLS, [ENV.dataLakeBucket]: bucket });
  ({ handler } = await import('../../../lambdas/handlers/export-conversions'));
});
afterAll(() => {
  restoreEnv();
  rmSync(dir, { recursive: true, force: true });
});

describe('export-conversions on the API table stream (DynamoDB Local streams, fauxqs S3)', () => {
  it('writes new conversions to curated Parquet, ignores other items, quarantines one that does not fit', async () => {
    const first = conversion('01HQ0000000000000000000001', '2024-01-10T09:00:00.000Z', '100.00', '109.50');
    await convert('client-a', 'key-1', first);
    await convert('client-b', 'key-1', conversion('01HQ0000000000000000000002', '2024-01-10T10:30:00.000Z', '20', '21.90'));
    await convert('client-a', 'key-2', conversion('01HQ0000000000000000000003', '2024-01-11T08:00:00.000Z', '1.5', '1.64'));
    // 20 fraction digits: the API takes it, DECIMAL(38,18) cannot hold it without rounding.
    await convert('client-a', 'key-3', conversion('01HQ0000000000000000000004', '2024-01-11T09:00:00.000Z', '0.00000000000000000001', '0.00'));
    // A retry with the same key is answered from the record; the key with another request is refused. Neither adds a conversion.
    await expect(convert('client-a', 'key-1', first)).resolves.toMatchObject({ replayed: true, conversion: { id: first.id } });
    await expect(convert('client-a', 'key-2', { ...first, id: '01HQ0000000000000000000099', amount: '2' })).rejects.toThrow(IdempotencyKeyReusedError);
    // Not a conversion: a currency item of the same table.
    await env.clients.dynamodb.send(new PutCommand({ TableName: table, Item: { pk: 'CURRENCY', sk: 'USD', minorUnits: 2 } }));

    // What the stream holds: per claimed key, Powertools' record inserted in progress and completed
    // (in the transaction that inserts the conversion); the filter passes the conversions alone.
    const records = await streamReader(env, table).next();
    const kind = (r: StreamRecord) => `${r.eventName} ${r.dynamodb!.Keys!.pk.S} ${r.dynamodb!.Keys!.sk.S!.replace(/^IDEMPOTENCY#.*/, 'IDEMPOTENCY#<md5>')}`;
    expect(records.map(kind).sort()).toEqual(
      [
        'INSERT CURRENCY USD',
        ...[['client-a', '1'], ['client-b', '2'], ['client-a', '3'], ['client-a', '4']].flatMap(([partner, n]) => [
          `INSERT PARTNER#${partner} IDEMPOTENCY#<md5>`,
          `MODIFY PARTNER#${partner} IDEMPOTENCY#<md5>`,
          `INSERT PARTNER#${partner} CONVERSION#01HQ000000000000000000000${n}`,
        ]),
      ].sort(),
    );
    const claims = records.filter((r) => r.eventName === 'INSERT' && r.dynamodb!.Keys!.sk.S!.startsWith('IDEMPOTENCY#'));
    for (const claim of claims) {
      expect(claim.dynamodb!.NewImage).toMatchObject({ status: { S: 'INPROGRESS' }, expiresAt: { N: expect.any(String) }, requestHash: { S: expect.any(String) } });
    }
    expect(records.filter((r) => matchesFilter(CONVERSION_INSERT_FILTER, r)).map(kind).sort()).toEqual(
      ['1', '3', '4'].map((n) => `INSERT PARTNER#client-a CONVERSION#01HQ000000000000000000000${n}`).concat('INSERT PARTNER#client-b CONVERSION#01HQ0000000000000000000002').sort(),
    );

    const running = poller(path.join(dir, 'checkpoint.json'));
    try {
      const keys = await eventually(async () => {
        const found = await listKeys(env.clients.s3, bucket, '');
        return found.length >= 3 ? found : undefined;
      }, 30_000, 'curated and quarantine objects');
      expect(keys.filter((k) => k.startsWith('curated/conversions/year=2024/month=01/day=10/'))).toHaveLength(1);
      expect(keys.filter((k) => k.startsWith('curated/conversions/year=2024/month=01/day=11/'))).toHaveLength(1);
      const [quarantined] = keys.filter((k) => k.startsWith('quarantine/conversions/dt=2024-01-11/'));
      const lines = (await (await env.clients.s3.send(new GetObjectCommand({ Bucket: bucket, Key: quarantined }))).Body!.transformToString())
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines).toEqual([
        expect.objectContaining({ partnerId: 'client-a', reason: 'amount 0.00000000000000000001 has more than 18 fraction digits' }),
      ]);
      // Only conversion inserts reached the function (the filter dropped the currency and idempotency items).
      expect(invocations.flatMap((e) => e.Records.map((r) => r.dynamodb?.Keys?.sk?.S))).toEqual([
        'CONVERSION#01HQ0000000000000000000001',
        'CONVERSION#01HQ0000000000000000000002',
        'CONVERSION#01HQ0000000000000000000003',
        'CONVERSION#01HQ0000000000000000000004',
      ]);
    } finally {
      await running.stop();
    }

    const athena = await openLocalAthena({ s3: env.clients.s3, bucket, cacheDir: path.join(dir, 'cache'), database: 'fx_local' });
    try {
      const result = await athena.query(
        'SELECT conversion_id, partner_id, from_currency, to_currency, amount, converted, rate, created_at, year, month, day FROM conversions_latest ORDER BY conversion_id',
      );
      expect(result.rows).toEqual([
        ['01HQ0000000000000000000001', 'client-a', 'EUR', 'USD', '100.000000000000000000', '109.500000000000000000', '1.095000000000000000', '2024-01-10 09:00:00', '2024', '01', '10'],
        ['01HQ0000000000000000000002', 'client-b', 'EUR', 'USD', '20.000000000000000000', '21.900000000000000000', '1.095000000000000000', '2024-01-10 10:30:00', '2024', '01', '10'],
        ['01HQ0000000000000000000003', 'client-a', 'EUR', 'USD', '1.500000000000000000', '1.640000000000000000', '1.095000000000000000', '2024-01-11 08:00:00', '2024', '01', '11'],
      ]);
    } finally {
      athena.close();
    }
  });

  it('continues after a restart from its checkpoint: nothing is handed over twice', async () => {
    const before = invocations.length;
    await convert('client-c', 'key-1', conversion('01HQ0000000000000000000005', '2024-01-12T09:00:00.000Z', '5', '5.48'));
    const running = poller(path.join(dir, 'checkpoint.json'));
    try {
      await eventually(async () => ((await listKeys(env.clients.s3, bucket, 'curated/conversions/year=2024/month=01/day=12/')).length === 1 ? true : undefined), 30_000, 'the new object');
    } finally {
      await running.stop();
    }
    expect(invocations.slice(before).flatMap((e) => e.Records.map((r) => r.dynamodb?.Keys?.sk?.S))).toEqual(['CONVERSION#01HQ0000000000000000000005']);
  });

  it('retries a batch from its first failed record, as Lambda does with batchItemFailures', async () => {
    for (const [n, day] of [['6', '13'], ['7', '13']]) {
      await convert('client-d', `key-${n}`, conversion(`01HQ000000000000000000000${n}`, `2024-01-${day}T09:0${n}:00.000Z`, '1', '1.10'));
    }
    const delivered: string[][] = [];
    let failOnce = true;
    const real = handler;
    handler = async (event) => {
      delivered.push(event.Records.map((r) => r.dynamodb!.Keys!.sk!.S!));
      if (failOnce) {
        failOnce = false;
        return { batchItemFailures: [{ itemIdentifier: event.Records.at(-1)!.dynamodb!.SequenceNumber! }] };
      }
      return real(event);
    };
    const running = poller(path.join(dir, 'checkpoint.json'));
    try {
      await eventually(async () => (delivered.length >= 2 ? true : undefined), 30_000, 'the retry');
    } finally {
      await running.stop();
      handler = real;
    }
    expect(delivered.slice(0, 2)).toEqual([
      ['CONVERSION#01HQ0000000000000000000006', 'CONVERSION#01HQ0000000000000000000007'],
      ['CONVERSION#01HQ0000000000000000000007'],
    ]);
  });
});
