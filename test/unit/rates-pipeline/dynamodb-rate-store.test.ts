import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  NumberValue,
  PutCommand,
  QueryCommand,
  type BatchWriteCommandInput,
  type PutCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamoRateStore } from '../../../lambdas/adapters/aws/dynamodb-rate-store';
import type { RetryOptions } from '../../../lambdas/shared/retry';
import { ecbFixtureSnapshot, snapshotOf } from '../../support/rates';

const TABLE = 'rates';
const ddbMock = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const fast = (attempts: number): RetryOptions => ({
  attempts,
  baseDelayMs: 1,
  maxDelayMs: 1,
  sleep: async () => undefined,
});

type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];
const requestsOf = (call: number): WriteRequest[] =>
  ddbMock.commandCalls(BatchWriteCommand)[call].args[0].input.RequestItems![TABLE];
const quotesOf = (requests: readonly WriteRequest[]) =>
  requests.map((r) => r.PutRequest!.Item!.quote as string);

beforeEach(() => ddbMock.reset());

describe('dynamoRateStore.putHistory', () => {
  const snapshot = snapshotOf('2022-07-08T00:00:00.000Z', {
    USD: '1.0163',
    JPY: '138.05',
    GBP: '0.84585',
  });

  it('writes one history item per pair with the rate as a DynamoDB number and the published digits', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});

    await dynamoRateStore(client, TABLE, fast(3)).putHistory(
      snapshotOf('2022-07-08T00:00:00.000Z', { PLN: '4.7630' }),
    );

    const [request] = requestsOf(0);
    expect(request.PutRequest!.Item).toEqual({
      pk: 'HISTORY#EUR#PLN',
      sk: '2022-07-08T00:00:00.000Z#ecb',
      rate: NumberValue.from('4.7630'),
      published: '4.7630',
      orientation: 'quote-per-base',
      base: 'EUR',
      quote: 'PLN',
      asOf: '2022-07-08T00:00:00.000Z',
      provider: 'ecb',
      snapshotId: 'ecb-EUR-20220708T000000Z',
    });
  });

  it('retries the UnprocessedItems DynamoDB hands back until none are left', async () => {
    ddbMock
      .on(BatchWriteCommand)
      .callsFakeOnce((input: BatchWriteCommandInput) => ({
        UnprocessedItems: { [TABLE]: input.RequestItems![TABLE].slice(1) },
      }))
      .callsFakeOnce((input: BatchWriteCommandInput) => ({
        UnprocessedItems: { [TABLE]: input.RequestItems![TABLE].slice(1) },
      }))
      .resolves({ UnprocessedItems: {} });

    await dynamoRateStore(client, TABLE, fast(6)).putHistory(snapshot);

    expect(ddbMock.commandCalls(BatchWriteCommand)).toHaveLength(3);
    expect(quotesOf(requestsOf(0))).toEqual(['USD', 'JPY', 'GBP']);
    expect(quotesOf(requestsOf(1))).toEqual(['JPY', 'GBP']);
    expect(quotesOf(requestsOf(2))).toEqual(['GBP']);
  });

  it('fails, naming the snapshot, when items stay unprocessed after every attempt', async () => {
    ddbMock.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => ({
      // The same item comes back unprocessed every time (a hot partition that never cools).
      UnprocessedItems: { [TABLE]: input.RequestItems![TABLE].slice(-1) },
    }));

    await expect(dynamoRateStore(client, TABLE, fast(3)).putHistory(snapshot)).rejects.toThrow(
      'DynamoDB left 1 history item(s) of ecb-EUR-20220708T000000Z unprocessed',
    );
    expect(ddbMock.commandCalls(BatchWriteCommand)).toHaveLength(3);
  });

  it('splits a snapshot into batches of at most 25 (the BatchWriteItem limit)', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});

    await dynamoRateStore(client, TABLE, fast(3)).putHistory(ecbFixtureSnapshot());

    expect(ddbMock.commandCalls(BatchWriteCommand).map((_, i) => requestsOf(i).length)).toEqual([
      25, 6,
    ]);
  });
});

describe('dynamoRateStore.advanceLatest', () => {
  const snapshot = snapshotOf('2022-07-08T00:00:00.000Z', {
    USD: '1.0163',
    JPY: '138.05',
    GBP: '0.84585',
  });
  /** What DynamoDB answers (ReturnValuesOnConditionCheckFailure: ALL_OLD) when the latest item wins. */
  const conditionFailed = (snapshotId: string) =>
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
      Item: { snapshotId: { S: snapshotId } },
    });

  it('advances pairs with an older or no latest item, and tells a newer one from the same snapshot', async () => {
    ddbMock.on(PutCommand).callsFake((input: PutCommandInput) => {
      if (input.Item?.quote === 'JPY') throw conditionFailed('ecb-EUR-20220711T000000Z'); // newer snapshot won
      if (input.Item?.quote === 'GBP') throw conditionFailed(snapshot.snapshotId); // already stored
      // USD replaces an older latest item, returned by ReturnValues: ALL_OLD.
      return {
        Attributes: {
          base: 'EUR',
          quote: 'USD',
          rate: { value: '1.0150' },
          published: '1.0150',
          orientation: 'quote-per-base',
          asOf: '2022-07-07T00:00:00.000Z',
          provider: 'ecb',
          snapshotId: 'ecb-EUR-20220707T000000Z',
        },
      };
    });

    await expect(dynamoRateStore(client, TABLE).advanceLatest(snapshot)).resolves.toEqual({
      advanced: [
        {
          quote: 'USD',
          replaced: {
            base: 'EUR',
            quote: 'USD',
            rate: '1.0150',
            orientation: 'quote-per-base',
            asOf: '2022-07-07T00:00:00.000Z',
            provider: 'ecb',
            snapshotId: 'ecb-EUR-20220707T000000Z',
          },
        },
      ],
      alreadyLatest: ['GBP'],
    });
  });

  it('writes the latest item only when it is absent or older, and asks for the winner on failure', async () => {
    ddbMock.on(PutCommand).resolves({});

    await dynamoRateStore(client, TABLE).advanceLatest(
      snapshotOf('2022-07-08T00:00:00.000Z', { USD: '1.0163' }),
    );

    expect(ddbMock.commandCalls(PutCommand)[0].args[0].input).toMatchObject({
      TableName: TABLE,
      Item: { pk: 'LATEST#EUR', sk: 'USD', published: '1.0163', asOf: '2022-07-08T00:00:00.000Z' },
      ConditionExpression: 'attribute_not_exists(pk) OR asOf < :asOf',
      ExpressionAttributeValues: { ':asOf': '2022-07-08T00:00:00.000Z' },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('propagates any other error so the message is retried', async () => {
    ddbMock.on(PutCommand).rejects(new Error('ProvisionedThroughputExceededException'));
    await expect(dynamoRateStore(client, TABLE).advanceLatest(snapshot)).rejects.toThrow(
      'ProvisionedThroughputExceededException',
    );
  });
});

describe('dynamoRateStore.previousRate', () => {
  it('reads the published digits of the newest history item strictly before asOf', async () => {
    ddbMock.on(QueryCommand).resolves({
      Items: [
        {
          pk: 'HISTORY#EUR#PLN',
          sk: '2022-07-07T00:00:00.000Z#ecb',
          rate: NumberValue.from('4.763'),
          published: '4.7630',
          orientation: 'quote-per-base',
          base: 'EUR',
          quote: 'PLN',
          asOf: '2022-07-07T00:00:00.000Z',
          provider: 'ecb',
          snapshotId: 'ecb-EUR-20220707T000000Z',
        },
      ],
    });

    const previous = await dynamoRateStore(client, TABLE).previousRate(
      'EUR',
      'PLN',
      '2022-07-08T00:00:00.000Z',
    );

    expect(previous).toEqual({
      base: 'EUR',
      quote: 'PLN',
      rate: '4.7630',
      orientation: 'quote-per-base',
      asOf: '2022-07-07T00:00:00.000Z',
      provider: 'ecb',
      snapshotId: 'ecb-EUR-20220707T000000Z',
    });
    expect(ddbMock.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND sk < :sk',
      ExpressionAttributeValues: { ':pk': 'HISTORY#EUR#PLN', ':sk': '2022-07-08T00:00:00.000Z' },
      ScanIndexForward: false,
      Limit: 1,
    });
  });

  it('is undefined for a pair with no earlier history', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    await expect(
      dynamoRateStore(client, TABLE).previousRate('EUR', 'USD', '2022-07-08T00:00:00.000Z'),
    ).resolves.toBeUndefined();
  });
});
