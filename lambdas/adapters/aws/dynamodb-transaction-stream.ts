import type { DynamoDBRecord } from 'aws-lambda';
import type { EnrichedTransaction, TransactionCategory } from '../../domain/transaction';
import type { TransactionChange } from '../../use-cases/export-transactions';
import { writtenItem, type WrittenEvents } from './stream-images';

const TRANSACTION_WRITES: WrittenEvents = ['INSERT', 'MODIFY'];

/**
 * The Lambda event-source filter of the transactions table's stream: items written (inserted, or
 * rewritten with other content: a transaction id the feed sent again later). A deletion (none
 * today) never invokes export-transactions. The handler applies `transactionChange` as well.
 */
export const TRANSACTION_WRITE_FILTER = { eventName: [...TRANSACTION_WRITES] };

/** An optional attribute as the enriched transaction has it: absent when the item has none. */
const optional = (name: 'merchant_category' | 'country', value: unknown) =>
  value === undefined || value === null ? {} : { [name]: String(value) };

/**
 * A transaction as the transactions table stores it (`transactionItem`), from its stream record
 * (NEW_IMAGE); undefined for any other change. Amounts come from their exact text attributes
 * (`amount_text`, `amount_base_text`), never from the DynamoDB number.
 */
export function transactionChange(record: DynamoDBRecord): TransactionChange | undefined {
  const written = writtenItem(record, TRANSACTION_WRITES);
  if (!written) return undefined;
  const { sequenceNumber, item } = written;
  if (typeof item.transaction_id !== 'string') return undefined;
  const transaction: EnrichedTransaction = {
    transaction_id: item.transaction_id,
    user_id_hash: String(item.user_id_hash),
    amount: String(item.amount_text),
    currency: String(item.currency),
    amount_base: String(item.amount_base_text),
    amount_base_exact: String(item.amount_base_exact),
    base_currency: String(item.base_currency),
    rate: String(item.rate),
    rate_as_of: String(item.rate_as_of),
    rate_provider: String(item.rate_provider),
    rate_via: String(item.rate_via),
    category: String(item.category) as TransactionCategory,
    high_value_alert: item.high_value_alert === true,
    merchant: String(item.merchant),
    ...optional('merchant_category', item.merchant_category),
    ...optional('country', item.country),
    timestamp: String(item.timestamp),
    processed_at_utc: String(item.processed_at_utc),
  };
  return { sequenceNumber, transaction };
}
