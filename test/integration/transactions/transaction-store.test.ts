import { dynamoTransactionStore } from '../../../lambdas/adapters/aws/dynamodb-transaction-store';
import type { EnrichedTransaction } from '../../../lambdas/domain/transaction';
import { TABLES } from '../../../lib/definitions/resources';
import { createTableFrom, scanAll, uniqueName, useEmulators } from '../../support/emulator-resources';

jest.setTimeout(60_000);

const env = useEmulators('transaction-store');

const transaction = (id: string): EnrichedTransaction => ({
  transaction_id: id,
  user_id_hash: 'a'.repeat(64),
  amount: '12.50',
  currency: 'USD',
  amount_base: '12.50',
  amount_base_exact: '12.5',
  base_currency: 'USD',
  rate: '1',
  rate_as_of: '2024-01-10T00:00:00.000Z',
  rate_provider: 'identity',
  rate_via: 'identity',
  category: 'standard',
  high_value_alert: false,
  merchant: 'Corner Shop',
  timestamp: '2024-01-10T12:00:00.000Z',
  processed_at_utc: '2024-01-10T12:00:05.000Z',
});

describe('dynamoTransactionStore against DynamoDB Local', () => {
  it('stores the batch-mates of an item DynamoDB refuses (a 1,000 × € key, 3,000 bytes) and rejects only that item', async () => {
    const table = uniqueName('transactions');
    await createTableFrom(env.clients, TABLES.transactions, table);
    const euros = '€'.repeat(1000);

    const result = await dynamoTransactionStore(env.clients.dynamodb, table).putAll([
      transaction('before'),
      transaction(euros),
      transaction('after'),
    ]);

    expect(result).toEqual({
      unwritten: [],
      rejected: [{ transaction_id: euros, reason: 'STORE_REJECTED', detail: expect.stringMatching(/^DynamoDB refused the item: .*2048 bytes/) }],
    });
    expect((await scanAll(env.clients, table)).map((i) => i.transaction_id).sort()).toEqual(['after', 'before']);
  });
});
