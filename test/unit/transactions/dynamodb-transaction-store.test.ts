import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  NumberValue,
  PutCommand,
  type BatchWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamoTransactionStore } from '../../../lambdas/adapters/aws/dynamodb-transaction-store';
import type { EnrichedTransaction } from '../../../lambdas/domain/transaction';
import type { RetryOptions } from '../../../lambdas/shared/retry';

const TABLE = 'transactions';
const ddbMock = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const fast = (attempts: number): RetryOptions => ({
  attempts,
  baseDelayMs: 1,
  maxDelayMs: 1,
  sleep: async () => undefined,
});

const transaction = (id: string): EnrichedTransaction => ({
  transaction_id: id,
  user_id_hash: 'a'.repeat(64),
  amount: '1234.50',
  currency: 'EUR',
  amount_base: '1254.60',
  amount_base_exact: '1254.59999999999999999999999999999999999999999999999999999999',
  base_currency: 'USD',
  rate: '1.01628999999999999999999999999999999999999999999999999999999',
  rate_as_of: '2024-01-10T00:00:00.000Z',
  rate_provider: 'ecb',
  rate_via: 'EUR/USD',
  category: 'high_value',
  high_value_alert: false,
  merchant: 'Café',
  timestamp: '2024-01-10T12:00:00.000Z',
  processed_at_utc: '2024-01-10T12:00:05.000Z',
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => `tx-${String(i).padStart(3, '0')}`);
const written = (call: number) =>
  (
    ddbMock.commandCalls(BatchWriteCommand)[call].args[0].input as BatchWriteCommandInput
  ).RequestItems![TABLE].map((r) => r.PutRequest!.Item!);

beforeEach(() => ddbMock.reset());

describe('dynamoTransactionStore.putAll', () => {
  it('writes one item per transaction keyed by transaction_id, amounts as numbers plus their exact text', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});

    const result = await dynamoTransactionStore(client, TABLE, fast(3)).putAll([
      transaction('tx-1'),
    ]);

    expect(result).toEqual({ unwritten: [], rejected: [] });
    expect(written(0)).toEqual([
      {
        ...transaction('tx-1'),
        amount: NumberValue.from('1234.5'),
        amount_text: '1234.50',
        amount_base: NumberValue.from('1254.6'),
        amount_base_text: '1254.60',
      },
    ]);
    expect(JSON.stringify(written(0))).not.toContain('user_id"');
  });

  it('sends at most 25 items per BatchWriteItem call', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});

    await dynamoTransactionStore(client, TABLE, fast(3)).putAll(ids(60).map(transaction));

    expect(
      ddbMock
        .commandCalls(BatchWriteCommand)
        .map((c) => c.args[0].input.RequestItems![TABLE].length),
    ).toEqual([25, 25, 10]);
    expect([0, 1, 2].flatMap(written).map((i) => i.transaction_id)).toEqual(ids(60));
  });

  it('retries the UnprocessedItems until DynamoDB takes them', async () => {
    ddbMock
      .on(BatchWriteCommand)
      .callsFakeOnce((input: BatchWriteCommandInput) => ({
        UnprocessedItems: { [TABLE]: input.RequestItems![TABLE].slice(2) },
      }))
      .resolves({ UnprocessedItems: {} });

    const result = await dynamoTransactionStore(client, TABLE, fast(3)).putAll(
      ids(5).map(transaction),
    );

    expect(result).toEqual({ unwritten: [], rejected: [] });
    expect(written(1).map((i) => i.transaction_id)).toEqual(ids(5).slice(2));
  });

  it('reports the transactions still unprocessed when the attempts run out', async () => {
    ddbMock.on(BatchWriteCommand).callsFake((input: BatchWriteCommandInput) => ({
      UnprocessedItems: {
        [TABLE]: input.RequestItems![TABLE].filter(
          (r) => r.PutRequest!.Item!.transaction_id === 'tx-003',
        ),
      },
    }));

    const result = await dynamoTransactionStore(client, TABLE, fast(4)).putAll(
      ids(5).map(transaction),
    );

    expect(result).toEqual({ unwritten: ["tx-003"], rejected: [] });
    expect(ddbMock.commandCalls(BatchWriteCommand)).toHaveLength(4);
  });

  it('throws when DynamoDB refuses the call itself', async () => {
    ddbMock
      .on(BatchWriteCommand)
      .rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));

    await expect(
      dynamoTransactionStore(client, TABLE, fast(3)).putAll([transaction('tx-1')]),
    ).rejects.toThrow('Service unavailable');
  });

  it('writes a batch DynamoDB refuses item by item, so only the refused item is rejected and its batch-mates are stored', async () => {
    const validation = (message: string) => Object.assign(new Error(message), { name: 'ValidationException' });
    ddbMock.on(BatchWriteCommand).rejects(validation('Hash primary key values must be under 2048 bytes'));
    ddbMock.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => {
      if (input.Item.transaction_id === 'tx-001') throw validation('Hash primary key values must be under 2048 bytes');
      return {};
    });

    const result = await dynamoTransactionStore(client, TABLE, fast(3)).putAll(ids(3).map(transaction));

    expect(result).toEqual({
      unwritten: [],
      rejected: [
        {
          transaction_id: 'tx-001',
          reason: 'STORE_REJECTED',
          detail: 'DynamoDB refused the item: Hash primary key values must be under 2048 bytes',
        },
      ],
    });
    expect(ddbMock.commandCalls(PutCommand).map((c) => c.args[0].input.Item!.transaction_id).sort()).toEqual(ids(3));
  });

  it('rejects an item larger than DynamoDB takes (400 KB) without sending it, and writes the others', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});
    const huge = { ...transaction('huge'), merchant: 'é'.repeat(205_000) }; // 410,000 bytes in UTF-8

    const result = await dynamoTransactionStore(client, TABLE, fast(3)).putAll([transaction('tx-1'), huge]);

    expect(result.rejected).toEqual([{ transaction_id: 'huge', reason: 'TOO_LARGE', detail: expect.stringMatching(/^the item would be up to 41\d{4} bytes; DynamoDB items hold at most 409600$/) }]);
    expect(written(0).map((i) => i.transaction_id)).toEqual(['tx-1']);
  });

  it('throws, so the batch is retried, when a single write fails for another reason than the item', async () => {
    ddbMock.on(BatchWriteCommand).rejects(Object.assign(new Error('bad item'), { name: 'ValidationException' }));
    ddbMock.on(PutCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }));

    await expect(dynamoTransactionStore(client, TABLE, fast(3)).putAll([transaction('tx-1')])).rejects.toThrow('Rate exceeded');
  });
});
