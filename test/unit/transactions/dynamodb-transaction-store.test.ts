import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  NumberValue,
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

    expect(result).toEqual({ unwritten: [] });
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

    expect(result).toEqual({ unwritten: [] });
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

    expect(result).toEqual({ unwritten: ['tx-003'] });
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
});
