import { createHash } from 'node:crypto';
import type { DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { transactionItem } from '../../../lambdas/adapters/aws/dynamodb-transaction-store';
import { transactionChange, TRANSACTION_WRITE_FILTER } from '../../../lambdas/adapters/aws/dynamodb-transaction-stream';
import type { EnrichedTransaction } from '../../../lambdas/domain/transaction';
import { exportTransactions, type TransactionChange } from '../../../lambdas/use-cases/export-transactions';
import { matchesFilter } from '../../../lib/local-platform/event-filter';
import { memoryLake } from '../../support/lake';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

const stored = (id: string, timestamp: string, amount = '12.50'): EnrichedTransaction => ({
  transaction_id: id,
  user_id_hash: 'a'.repeat(64),
  amount,
  currency: 'EUR',
  amount_base: '13.69',
  amount_base_exact: '13.6875',
  base_currency: 'USD',
  rate: '1.0950',
  rate_as_of: '2024-01-09T15:00:00.000Z',
  rate_provider: 'ecb',
  rate_via: 'EUR/USD',
  category: 'standard',
  high_value_alert: false,
  merchant: 'Café Zürich',
  merchant_category: 'food',
  timestamp,
  processed_at_utc: '2024-01-10T12:00:05.000Z',
});
const change = (sequenceNumber: string, transaction: EnrichedTransaction): TransactionChange => ({ sequenceNumber, transaction });

/** The exporter over an in-memory lake; the Parquet encoder's stand-in writes which transactions, in which order, as which amounts. */
function exporter(failKeys?: (key: string) => boolean) {
  const m = memoryLake(failKeys);
  const toCurated = (ts: readonly EnrichedTransaction[]) => new TextEncoder().encode(ts.map((t) => `${t.transaction_id}=${t.amount}`).join(','));
  return { ...m, deps: { lake: m.lake, curatedPrefix: 'curated/transactions', toCurated } };
}

describe('exportTransactions', () => {
  it('writes one Parquet object per UTC day of the timestamp, named by the sha256 of its sorted ids', async () => {
    const m = exporter();
    const result = await exportTransactions(m.deps, [
      change('1', stored('c', '2024-01-10T23:59:59.999Z')),
      change('2', stored('b', '2024-01-09T23:30:00.000Z')),
      change('3', stored('a', '2024-01-09T07:00:00.000Z')),
    ]);

    const day9 = `curated/transactions/year=2024/month=01/day=09/${sha256('a\nb')}.parquet`;
    const day10 = `curated/transactions/year=2024/month=01/day=10/${sha256('c')}.parquet`;
    expect(result).toEqual({ exported: 3, failedSequenceNumbers: [], objectKeys: [day9, day10] });
    expect([m.text(day9), m.contentTypes.get(day9)]).toEqual(['b=12.50,a=12.50', 'application/vnd.apache.parquet']);
  });

  it('exports a transaction written twice in the batch once, as last written, and reports both records done', async () => {
    const m = exporter();
    const result = await exportTransactions(m.deps, [change('1', stored('a', '2024-01-10T08:00:00Z', '1.00')), change('2', stored('a', '2024-01-10T08:00:00Z', '2.00'))]);

    expect(result).toMatchObject({ exported: 2, failedSequenceNumbers: [] });
    expect([...m.objects.keys()].map(m.text)).toEqual(['a=2.00']);
  });

  it('reports only the records of an object that could not be written, in sequence order', async () => {
    const m = exporter((key) => key.includes('day=09'));
    const result = await exportTransactions(m.deps, [
      change('5', stored('b', '2024-01-09T10:00:00Z')),
      change('4', stored('c', '2024-01-10T10:00:00Z')),
      change('3', stored('a', '2024-01-09T11:00:00Z')),
    ]);

    expect(result).toEqual({
      exported: 1,
      failedSequenceNumbers: ['3', '5'],
      objectKeys: [`curated/transactions/year=2024/month=01/day=10/${sha256('c')}.parquet`],
    });
  });
});

describe('transactionChange (stream record → stored transaction)', () => {
  const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', item: Record<string, unknown>): DynamoDBRecord => ({
    eventName,
    dynamodb: {
      SequenceNumber: '42',
      Keys: marshall({ transaction_id: item.transaction_id }) as never,
      NewImage: marshall(item, { removeUndefinedValues: true }) as never,
    },
  });

  it('reads the item the store writes back into the transaction, amounts from their exact text', () => {
    // 12.50 is stored as the number 12.5 beside amount_text "12.50".
    const withoutCountry = stored('tx-1', '2024-01-10T08:00:00.000Z');
    expect(transactionChange(record('INSERT', transactionItem(withoutCountry)))).toEqual({ sequenceNumber: '42', transaction: withoutCountry });
    const withCountry = { ...withoutCountry, country: 'CH', high_value_alert: true };
    expect(transactionChange(record('MODIFY', transactionItem(withCountry)))).toEqual({ sequenceNumber: '42', transaction: withCountry });
  });

  it('ignores deletions; the trigger filter passes writes alone', () => {
    const item = transactionItem(stored('tx-1', '2024-01-10T08:00:00.000Z'));
    expect(transactionChange(record('REMOVE', item))).toBeUndefined();
    expect(['INSERT', 'MODIFY', 'REMOVE'].map((e) => matchesFilter(TRANSACTION_WRITE_FILTER, record(e as 'INSERT', item)))).toEqual([true, true, false]);
  });
});
