import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  type BatchWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import type { RateChangeEvent } from '../../../lambdas/domain/rate-change';
import { snapshotIdOf, type RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { ENV } from '../../../lambdas/shared/env-names';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { FETCHED_AT, snapshotOf, snapshotWithZeroRate } from '../../support/rates';
import { sqsEvent, sqsRecord } from '../../support/sqs-events';

const TABLE = 'rates';
const RATE_CHANGES_URL = 'http://127.0.0.1:4566/000000000000/rate-changes';

const ddbMock = mockClient(DynamoDBDocumentClient);
const sqsMock = mockClient(SQSClient);

let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({
    ...LOCAL_AWS,
    ...QUIET_POWERTOOLS,
    [ENV.ratesTable]: TABLE,
    [ENV.rateChangesQueue]: RATE_CHANGES_URL,
  });
  // Imported after the env is set: the handler reads its config at module load. Same module
  // registry as this file, so the client mocks above apply to the handler's clients.
  ({ handler } = await import('../../../lambdas/handlers/process-rates'));
});
afterAll(() => restoreEnv());

beforeEach(() => {
  ddbMock.reset();
  sqsMock.reset();
  ddbMock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
  ddbMock.on(PutCommand).resolves({});
  ddbMock.on(QueryCommand).resolves({ Items: [] });
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  }));
});

const jul7 = snapshotOf('2022-07-07', { USD: '1.0180', JPY: '137.50' });
const jul8 = snapshotOf('2022-07-08', { USD: '1.0163', JPY: '138.05' });
/** jul8's history item as DynamoDB returns it. */
const historyItem = (s: RateSnapshot) => ({
  pk: 'SERIES#ecb#EUR',
  sk: s.inForceFrom,
  ...s,
  rates: Object.fromEntries(s.rates.map((r) => [r.quote, { published: r.rate, orientation: 'quote-per-base' }])),
});
const record = (id: string, snapshot: RateSnapshot) => sqsRecord(id, JSON.stringify(snapshot));

/** What the mocked AWS calls wrote, per snapshot id. */
function written() {
  const historySnapshots = ddbMock
    .commandCalls(BatchWriteCommand)
    .flatMap((c) => (c.args[0].input as BatchWriteCommandInput).RequestItems![TABLE])
    .map((r) => r.PutRequest!.Item!);
  const latest = ddbMock.commandCalls(PutCommand).map((c) => c.args[0].input);
  const events = sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) => c.args[0].input.Entries!)
    .map((e) => JSON.parse(e.MessageBody!) as RateChangeEvent);
  return {
    historyIds: [...new Set(historySnapshots.map((i) => i.snapshotId as string))].sort(),
    historyItems: historySnapshots,
    latestIds: [...new Set(latest.map((i) => i.Item!.snapshotId as string))].sort(),
    latestTables: [...new Set(latest.map((i) => i.TableName))],
    eventIds: events.map((e) => e.eventId).sort(),
    eventQueues: [...new Set(sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.QueueUrl))],
  };
}

describe('process-rates handler', () => {
  it('stores every snapshot of a clean batch in one BatchWriteItem and one latest write per series', async () => {
    const result = await handler(sqsEvent(record('m1', jul7), record('m2', jul8)));

    expect(result).toEqual({ batchItemFailures: [] });
    const w = written();
    expect(w.historyIds).toEqual([jul7.snapshotId, jul8.snapshotId]);
    expect(ddbMock.commandCalls(BatchWriteCommand)).toHaveLength(1);
    // The series' newest snapshot of the batch is offered as its latest; one event per move.
    expect(w.latestIds).toEqual([jul8.snapshotId]);
    expect(w.eventIds).toEqual([jul7.snapshotId, jul8.snapshotId]);
    expect(w.latestTables).toEqual([TABLE]);
    expect(w.eventQueues).toEqual([RATE_CHANGES_URL]);
  });

  it.each([
    ['a body that is not JSON', '{"snapshotId":"ecb-EUR-20220709T000000Z","rates":['],
    ['a snapshot with a rate of "0"', JSON.stringify(snapshotWithZeroRate('2022-07-09'))],
  ])('reports only %s in batchItemFailures and stores its siblings', async (_what, badBody) => {
    const result = await handler(
      sqsEvent(record('good-1', jul7), sqsRecord('bad', badBody), record('good-2', jul8)),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'bad' }] });
    const w = written();
    expect(w.historyIds).toEqual([jul7.snapshotId, jul8.snapshotId]);
    expect(w.historyItems).toHaveLength(2);
    expect(w.latestIds).toEqual([jul8.snapshotId]);
    expect(w.eventIds).toEqual([jul7.snapshotId, jul8.snapshotId]);
    // Nothing of the bad message reached any store.
    expect(JSON.stringify(w)).not.toContain('20220709');
  });

  it('reports a message whose store call fails (its latest not written) and still stores its siblings', async () => {
    const frankfurter = snapshotOf('2022-07-08', { USD: '1.0163' }, { provider: 'frankfurter' });
    ddbMock.on(PutCommand).callsFake((input: { Item: { pk: string } }) => {
      if (input.Item.pk.includes('#ecb#')) throw Object.assign(new Error('Throughput exceeds the current capacity'), { name: 'ProvisionedThroughputExceededException' });
      return {};
    });

    const result = await handler(sqsEvent(record('m8', jul8), record('mf', frankfurter)));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm8' }] });
    // Both histories are written; only the sibling's series moves and is announced.
    expect(written().historyIds).toEqual([jul8.snapshotId, frankfurter.snapshotId].sort());
    expect(written().eventIds).toEqual([frankfurter.snapshotId]);
  });

  it('refuses a future-dated snapshot put on the queue: nothing stored, latest untouched, RateSnapshotsRejected counted with the service dimension only', async () => {
    const inForceFrom = '2099-12-31T15:00:00.000Z';
    const pinned = { ...jul8, snapshotId: snapshotIdOf('ecb', 'EUR', inForceFrom), inForceFrom, rateDate: '2099-12-31', fetchedAt: FETCHED_AT.toISOString() };
    const singles: Metrics[] = [];
    const single = jest.spyOn(Metrics.prototype, 'singleMetric').mockImplementation(function (this: Metrics) {
      const metric = new Metrics({ namespace: 'FxPlatform', serviceName: 'process-rates', singleMetric: true });
      singles.push(metric);
      return metric;
    });
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    try {
      const result = await handler(sqsEvent(sqsRecord('pinned', JSON.stringify(pinned)), record('ok', jul8)));

      expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'pinned' }] });
      expect(written().latestIds).toEqual([jul8.snapshotId]);
      expect(JSON.stringify(written())).not.toContain('2099');
      const rejected = added.mock.calls.filter(([name]) => name === 'RateSnapshotsRejected');
      expect(rejected).toEqual([['RateSnapshotsRejected', 'Count', 1]]);
      expect(singles.includes(added.mock.contexts[added.mock.calls.findIndex(([name]) => name === 'RateSnapshotsRejected')] as Metrics)).toBe(true);
    } finally {
      single.mockRestore();
      added.mockRestore();
    }
  });

  it('reports every message of a batch that fails entirely, without throwing', async () => {
    const result = await handler(sqsEvent(sqsRecord('x', 'not json'), sqsRecord('y', '{}')));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'x' }, { itemIdentifier: 'y' }] });
    expect(ddbMock.calls()).toHaveLength(0);
    expect(sqsMock.calls()).toHaveLength(0);
  });

  describe('a snapshot that is already the latest', () => {
    beforeEach(() => {
      ddbMock.on(PutCommand).rejects(
        new ConditionalCheckFailedException({
          message: 'The conditional request failed',
          $metadata: {},
          Item: { inForceFrom: { S: jul8.inForceFrom }, checkedAt: { S: jul8.fetchedAt }, fetchedAt: { S: jul8.fetchedAt } },
        }),
      );
      // History below the latest: jul8, then jul7.
      ddbMock.on(QueryCommand).resolves({ Items: [historyItem(jul8), historyItem(jul7)] });
    });

    it('emits no change events on a first delivery (a re-fetch of an unchanged publication)', async () => {
      const result = await handler(sqsEvent(sqsRecord('refetch', JSON.stringify(jul8), 1)));

      expect(result).toEqual({ batchItemFailures: [] });
      expect(sqsMock.calls()).toHaveLength(0);
    });

    it('re-emits its events, same ids, on a redelivery (the first attempt may have died before sending)', async () => {
      const result = await handler(sqsEvent(sqsRecord('retry', JSON.stringify(jul8), 2)));

      expect(result).toEqual({ batchItemFailures: [] });
      const events = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) => c.args[0].input.Entries!).map((e) => JSON.parse(e.MessageBody!) as RateChangeEvent);
      expect(events).toEqual([
        {
          eventId: jul8.snapshotId,
          type: 'rate-series-moved',
          provider: 'ecb',
          base: 'EUR',
          previous: { snapshotId: jul7.snapshotId, inForceFrom: jul7.inForceFrom, rateDate: '2022-07-07', rates: { JPY: { rate: '137.50', orientation: 'quote-per-base' }, USD: { rate: '1.0180', orientation: 'quote-per-base' } } },
          current: { snapshotId: jul8.snapshotId, inForceFrom: jul8.inForceFrom, rateDate: '2022-07-08', rates: { JPY: { rate: '138.05', orientation: 'quote-per-base' }, USD: { rate: '1.0163', orientation: 'quote-per-base' } } },
        },
      ]);
    });
  });

  // validateSnapshot accepts any number of fraction digits, but the curated Parquet column is
  // DECIMAL(38,18), which export-rates writes every stored publication to: refused up front.
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
