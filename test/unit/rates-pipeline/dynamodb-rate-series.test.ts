import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  NumberValue,
  PutCommand,
  QueryCommand,
  type BatchGetCommandInput,
  type BatchWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamoRateSeries } from '../../../lambdas/adapters/aws/dynamodb-rate-series';
import type { RetryOptions } from '../../../lambdas/shared/retry';
import { snapshotOf } from '../../support/rates';

const TABLE = 'rates';
const ddbMock = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const fast = (attempts: number): RetryOptions => ({ attempts, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined });
const series = (attempts = 3) => dynamoRateSeries(client, TABLE, fast(attempts));

const jul7 = snapshotOf('2022-07-07', { USD: '1.0180', PLN: '4.7630' });
const jul8 = snapshotOf('2022-07-08', { USD: '1.0163', PLN: '4.7630' });
const ecbKey = { provider: 'ecb', base: 'EUR' } as const;

beforeEach(() => ddbMock.reset());

const conditionFailed = (item: Record<string, string>) =>
  new ConditionalCheckFailedException({
    message: 'The conditional request failed',
    $metadata: {},
    Item: Object.fromEntries(Object.entries(item).map(([k, v]) => [k, { S: v }])),
  });

describe('dynamoRateSeries.putHistory', () => {
  it('writes one item per snapshot: its series and in-force instant as keys, every rate in one map', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});

    expect(await series().putHistory([jul8])).toEqual([]);

    const [request] = ddbMock.commandCalls(BatchWriteCommand)[0].args[0].input.RequestItems![TABLE];
    expect(request.PutRequest!.Item).toEqual({
      pk: 'SERIES#ecb#EUR',
      sk: '2022-07-08T14:00:00.000Z',
      provider: 'ecb',
      base: 'EUR',
      inForceFrom: '2022-07-08T14:00:00.000Z',
      rateDate: '2022-07-08',
      snapshotId: 'ecb-EUR-20220708T140000Z',
      rates: {
        USD: { rate: NumberValue.from('1.0163'), published: '1.0163', orientation: 'quote-per-base' },
        PLN: { rate: NumberValue.from('4.7630'), published: '4.7630', orientation: 'quote-per-base' },
      },
    });
  });

  it('puts 30 snapshots in two calls (25 + 5) and retries what DynamoDB hands back unprocessed', async () => {
    const month = Array.from({ length: 30 }, (_, i) => snapshotOf(`2022-06-${String(i + 1).padStart(2, '0')}`, { USD: '1.05' }));
    ddbMock
      .on(BatchWriteCommand)
      .callsFakeOnce((input: BatchWriteCommandInput) => ({ UnprocessedItems: { [TABLE]: input.RequestItems![TABLE].slice(20) } }))
      .resolves({ UnprocessedItems: {} });

    expect(await series().putHistory(month)).toEqual([]);

    const sizes = ddbMock.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems![TABLE].length);
    expect(sizes.sort((a, b) => a - b)).toEqual([5, 5, 25]);
  });

  it('reports the snapshots of a chunk DynamoDB keeps refusing, and writes the others', async () => {
    ddbMock.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => {
      if (input.RequestItems![TABLE].some((r) => r.PutRequest!.Item!.snapshotId === jul7.snapshotId)) {
        throw Object.assign(new Error('Item size has exceeded the maximum allowed size'), { name: 'ValidationException' });
      }
      return { UnprocessedItems: {} };
    });
    const many = [jul7, ...Array.from({ length: 25 }, (_, i) => snapshotOf(`2022-05-${String(i + 1).padStart(2, '0')}`, { USD: '1.05' }))];

    const unwritten = await series().putHistory(many);

    expect(unwritten.map((u) => u.snapshotId)).toHaveLength(25);
    expect(unwritten.map((u) => u.snapshotId)).toContain(jul7.snapshotId);
    expect(unwritten[0].reason).toMatch(/maximum allowed size/);
  });
});

describe('dynamoRateSeries.advanceLatest', () => {
  it('moves the latest item on the condition that no newer publication is there, returning the one it replaced', async () => {
    const previous = { pk: 'LATEST#ecb#EUR', sk: 'LATEST', ...jul7, rates: { USD: { published: '1.0180', orientation: 'quote-per-base' } } };
    ddbMock.on(PutCommand).resolves({ Attributes: previous });

    const advance = await series().advanceLatest(jul8);

    const input = ddbMock.commandCalls(PutCommand)[0].args[0].input;
    expect(input).toMatchObject({
      ConditionExpression: 'attribute_not_exists(pk) OR inForceFrom < :new',
      ExpressionAttributeValues: { ':new': jul8.inForceFrom },
      ReturnValues: 'ALL_OLD',
    });
    expect(input.Item).toMatchObject({ pk: 'LATEST#ecb#EUR', sk: 'LATEST', snapshotId: jul8.snapshotId, fetchedAt: jul8.fetchedAt, checkedAt: jul8.fetchedAt });
    expect(advance).toEqual({
      outcome: 'moved',
      previous: expect.objectContaining({ snapshotId: jul7.snapshotId, rates: new Map([['USD', { rate: '1.0180', orientation: 'quote-per-base' }]]) }),
    });
  });

  it('reports a newer latest (a late, older snapshot never wins) with one call', async () => {
    ddbMock.on(PutCommand).rejects(conditionFailed({ inForceFrom: jul8.inForceFrom, checkedAt: jul8.fetchedAt, fetchedAt: jul8.fetchedAt }));

    expect(await series().advanceLatest(jul7)).toEqual({ outcome: 'superseded', latestInForceFrom: jul8.inForceFrom });
    expect(ddbMock.commandCalls(PutCommand)).toHaveLength(1);
  });

  it('confirms the same publication fetched later: only checkedAt moves, fetchedAt stays the first fetch', async () => {
    const refetched = snapshotOf('2022-07-08', { USD: '1.0163', PLN: '4.7630' }, { fetchedAt: new Date('2025-06-02T00:00:00.000Z') });
    ddbMock
      .on(PutCommand)
      .rejectsOnce(conditionFailed({ inForceFrom: jul8.inForceFrom, checkedAt: jul8.fetchedAt, fetchedAt: jul8.fetchedAt }))
      .resolves({});

    expect(await series().advanceLatest(refetched)).toEqual({ outcome: 'confirmed' });

    const second = ddbMock.commandCalls(PutCommand)[1].args[0].input;
    expect(second.ConditionExpression).toBe('inForceFrom = :new AND checkedAt < :checked');
    expect(second.Item).toMatchObject({ fetchedAt: jul8.fetchedAt, checkedAt: '2025-06-02T00:00:00.000Z' });
  });

  it('changes nothing for a fetch no newer than the last check (a redelivery)', async () => {
    const current = conditionFailed({ inForceFrom: jul8.inForceFrom, checkedAt: jul8.fetchedAt, fetchedAt: jul8.fetchedAt });
    ddbMock.on(PutCommand).rejects(current);

    expect(await series().advanceLatest(jul8)).toEqual({ outcome: 'unchanged', latestInForceFrom: jul8.inForceFrom });
  });
});

describe('dynamoRateSeries reads', () => {
  it('reads every latest item in one strongly consistent BatchGetItem, retrying unprocessed keys', async () => {
    const item = { pk: 'LATEST#ecb#EUR', sk: 'LATEST', ...jul8, rates: { USD: { rate: NumberValue.from('1.0163'), published: '1.0163', orientation: 'quote-per-base' } }, checkedAt: '2025-06-01T00:05:00.000Z' };
    ddbMock
      .on(BatchGetCommand)
      .callsFakeOnce((input: BatchGetCommandInput) => ({ Responses: { [TABLE]: [] }, UnprocessedKeys: { [TABLE]: input.RequestItems![TABLE] } }))
      .resolves({ Responses: { [TABLE]: [item] } });

    const latest = await series().latest([ecbKey, { provider: 'coingecko', base: 'USD' }, ecbKey]);

    const first = ddbMock.commandCalls(BatchGetCommand)[0].args[0].input.RequestItems![TABLE];
    expect(first).toEqual({ Keys: [{ pk: 'LATEST#ecb#EUR', sk: 'LATEST' }, { pk: 'LATEST#coingecko#USD', sk: 'LATEST' }], ConsistentRead: true });
    expect(ddbMock.commandCalls(BatchGetCommand)).toHaveLength(2);
    expect([...latest.keys()]).toEqual(['ecb#EUR']);
    expect(latest.get('ecb#EUR')).toMatchObject({ checkedAt: '2025-06-01T00:05:00.000Z', snapshot: { snapshotId: jul8.snapshotId } });
  });

  it('finds the publication in force at an instant with one descending Query, Limit 1, on the series', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });

    await series().atOrBefore(ecbKey, '2022-07-09T12:00:00.000Z', 1);
    await series().after(ecbKey, '2022-07-09T12:00:00.000Z', 100);

    const [before, after] = ddbMock.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(before).toEqual({
      TableName: TABLE,
      KeyConditionExpression: 'pk = :pk AND sk <= :bound',
      ExpressionAttributeValues: { ':pk': 'SERIES#ecb#EUR', ':bound': '2022-07-09T12:00:00.000Z' },
      ScanIndexForward: false,
      Limit: 1,
      ConsistentRead: true,
    });
    expect(after).toMatchObject({ KeyConditionExpression: 'pk = :pk AND sk > :bound', ScanIndexForward: true, Limit: 100 });
  });
});
