import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type BatchWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { lakeKeys } from '../../../lambdas/domain/lake-keys';
import type { RateChangeEvent } from '../../../lambdas/domain/rate-change';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { ENV } from '../../../lambdas/shared/env-names';
import { LAKE_PREFIXES } from '../../../lambdas/shared/lake-prefixes';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { snapshotOf, snapshotWithZeroRate } from '../../support/rates';
import { sqsEvent, sqsRecord } from '../../support/sqs-events';

const TABLE = 'rates';
const BUCKET = 'lake';
const RATE_CHANGES_URL = 'http://127.0.0.1:4566/000000000000/rate-changes';

const ddbMock = mockClient(DynamoDBDocumentClient);
const s3Mock = mockClient(S3Client);
const sqsMock = mockClient(SQSClient);

let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({
    ...LOCAL_AWS,
    ...QUIET_POWERTOOLS,
    [ENV.ratesTable]: TABLE,
    [ENV.dataLakeBucket]: BUCKET,
    [ENV.rateChangesQueue]: RATE_CHANGES_URL,
  });
  // Imported after the env is set: the handler reads its config at module load. Same module
  // registry as this file, so the client mocks above apply to the handler's clients.
  ({ handler } = await import('../../../lambdas/handlers/process-rates'));
});
afterAll(() => restoreEnv());

beforeEach(() => {
  ddbMock.reset();
  s3Mock.reset();
  sqsMock.reset();
  ddbMock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
  ddbMock.on(PutCommand).resolves({});
  ddbMock.on(QueryCommand).resolves({ Items: [] });
  s3Mock.on(PutObjectCommand).resolves({});
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  }));
});

const jul7 = snapshotOf('2022-07-07T00:00:00.000Z', { USD: '1.0180', JPY: '137.50' });
const jul8 = snapshotOf('2022-07-08T00:00:00.000Z', { USD: '1.0163', JPY: '138.05' });
const record = (id: string, snapshot: RateSnapshot) => sqsRecord(id, JSON.stringify(snapshot));

/** What the mocked AWS calls wrote, per snapshot id. */
function written() {
  const historySnapshots = ddbMock
    .commandCalls(BatchWriteCommand)
    .flatMap((c) => (c.args[0].input as BatchWriteCommandInput).RequestItems![TABLE])
    .map((r) => r.PutRequest!.Item!);
  const latest = ddbMock.commandCalls(PutCommand).map((c) => c.args[0].input);
  const objects = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
  const events = sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => c.args[0].input.Entries!)
    .map((e) => JSON.parse(e.MessageBody!) as RateChangeEvent);
  return {
    historyIds: [...new Set(historySnapshots.map((i) => i.snapshotId as string))].sort(),
    historyItems: historySnapshots,
    latestIds: [...new Set(latest.map((i) => i.Item!.snapshotId as string))].sort(),
    latestTables: [...new Set(latest.map((i) => i.TableName))],
    objectKeys: objects.map((o) => o.Key!).sort(),
    objectBuckets: [...new Set(objects.map((o) => o.Bucket))],
    eventIds: events.map((e) => e.eventId).sort(),
    eventQueues: [...new Set(sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.QueueUrl))],
  };
}

describe('process-rates handler', () => {
  it('stores every snapshot of a clean batch and reports no failures', async () => {
    const result = await handler(sqsEvent(record('m1', jul7), record('m2', jul8)));

    expect(result).toEqual({ batchItemFailures: [] });
    const w = written();
    expect(w.historyIds).toEqual([jul7.snapshotId, jul8.snapshotId]);
    expect(w.latestIds).toEqual([jul7.snapshotId, jul8.snapshotId]);
    expect(w.latestTables).toEqual([TABLE]);
    expect(w.objectKeys).toEqual(
      [jul7, jul8].map((s) => lakeKeys.curatedRates(LAKE_PREFIXES.curatedRates, s)).sort(),
    );
    expect(w.objectBuckets).toEqual([BUCKET]);
    expect(w.eventQueues).toEqual([RATE_CHANGES_URL]);
  });

  it.each([
    ['a body that is not JSON', '{"snapshotId":"ecb-EUR-20220709T000000Z","rates":['],
    ['a snapshot with a rate of "0"', JSON.stringify(snapshotWithZeroRate('2022-07-09T00:00:00.000Z'))],
  ])('reports only %s in batchItemFailures and stores its siblings', async (_what, badBody) => {
    const result = await handler(
      sqsEvent(record('good-1', jul7), sqsRecord('bad', badBody), record('good-2', jul8)),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    const w = written();
    expect(w.historyIds).toEqual([jul7.snapshotId, jul8.snapshotId]);
    expect(w.historyItems).toHaveLength(4);
    expect(w.latestIds).toEqual([jul7.snapshotId, jul8.snapshotId]);
    expect(w.objectKeys).toEqual(
      [jul7, jul8].map((s) => lakeKeys.curatedRates(LAKE_PREFIXES.curatedRates, s)).sort(),
    );
    expect(w.eventIds).toEqual(
      [`${jul7.snapshotId}#JPY`, `${jul7.snapshotId}#USD`, `${jul8.snapshotId}#JPY`, `${jul8.snapshotId}#USD`].sort(),
    );
    // Nothing of the bad message reached any store.
    expect(JSON.stringify(w)).not.toContain('20220709');
  });

  it('reports a message whose store call fails (a throttled write) and still stores its siblings', async () => {
    ddbMock.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => {
      if (input.RequestItems![TABLE].some((r) => r.PutRequest!.Item!.snapshotId === jul7.snapshotId)) {
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput'), {
          name: 'ProvisionedThroughputExceededException',
        });
      }
      return { UnprocessedItems: {} };
    });

    const result = await handler(sqsEvent(record('m7', jul7), record('m8', jul8)));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm7' }] });
    expect(written().latestIds).toEqual([jul8.snapshotId]);
    expect(written().objectKeys).toEqual([lakeKeys.curatedRates(LAKE_PREFIXES.curatedRates, jul8)]);
  });

  it('reports every message of a batch that fails entirely, without throwing', async () => {
    const result = await handler(sqsEvent(sqsRecord('x', 'not json'), sqsRecord('y', '{}')));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'x' }, { itemIdentifier: 'y' }] });
    expect(ddbMock.calls()).toHaveLength(0);
    expect(s3Mock.calls()).toHaveLength(0);
    expect(sqsMock.calls()).toHaveLength(0);
  });

  describe('a snapshot that is already the latest', () => {
    beforeEach(() => {
      ddbMock.on(PutCommand).rejects(
        new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: { snapshotId: { S: jul8.snapshotId } },
        }),
      );
    });

    it('emits no change events on a first delivery (a re-fetch of an unchanged publication)', async () => {
      const result = await handler(sqsEvent(sqsRecord('refetch', JSON.stringify(jul8), 1)));

      expect(result).toEqual({ batchItemFailures: [] });
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('re-emits its events, same ids, on a redelivery (the first attempt may have died before sending)', async () => {
      const result = await handler(sqsEvent(sqsRecord('retry', JSON.stringify(jul8), 2)));

      expect(result).toEqual({ batchItemFailures: [] });
      expect(written().eventIds).toEqual([`${jul8.snapshotId}#JPY`, `${jul8.snapshotId}#USD`]);
    });
  });

  // Known bug: validateSnapshot accepts any number of fraction digits, but the curated Parquet
  // column is DECIMAL(38,18). process-rate-snapshot.ts writes the history items first and only
  // then encodes the Parquet object, which throws; every redelivery repeats the partial write
  // until the message dead-letters, leaving history items with no curated object or latest item.
  it('fails a snapshot the curated table cannot hold before writing anything for it', async () => {
    const tooPrecise = snapshotOf(
      '2022-07-09T00:00:00.000Z',
      [{ quote: 'SHIB', rate: '0.0000097123456789012345', orientation: 'base-per-quote' }],
      { provider: 'coingecko', base: 'USD' },
    );

    const result = await handler(sqsEvent(record('precise', tooPrecise), record('ok', jul8)));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'precise' }] });
    expect(written().historyIds).toEqual([jul8.snapshotId]);
  });
});
