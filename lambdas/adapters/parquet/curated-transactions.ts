import { Decimal } from '../../domain/decimal';
import { AMOUNT_SCALE, type EnrichedTransaction } from '../../domain/transaction';
import type { ColumnSpec } from './column-values';
import { toParquet } from './parquet-table';

const DECIMAL = { kind: 'decimal', precision: 38, scale: AMOUNT_SCALE } as const;

/** curated/transactions columns; Glue and the local Athena stand-in read the same list. No user_id. */
export const CURATED_TRANSACTION_COLUMNS: readonly ColumnSpec[] = [
  { name: 'transaction_id', kind: 'string' },
  { name: 'user_id_hash', kind: 'string' },
  { name: 'amount', ...DECIMAL },
  { name: 'currency', kind: 'string' },
  { name: 'amount_base', ...DECIMAL },
  { name: 'base_currency', kind: 'string' },
  /** Rounded half-even to 18 places; the full-precision rate is on the DynamoDB item. */
  { name: 'rate', ...DECIMAL },
  { name: 'rate_as_of', kind: 'timestamp' },
  { name: 'rate_provider', kind: 'string' },
  { name: 'category', kind: 'string' },
  /** 'true' or 'false'. */
  { name: 'high_value_alert', kind: 'string' },
  { name: 'merchant', kind: 'string' },
  { name: 'merchant_category', kind: 'string', nullable: true },
  { name: 'country', kind: 'string', nullable: true },
  { name: 'timestamp', kind: 'timestamp' },
  { name: 'processed_at_utc', kind: 'timestamp' },
];

/** One Parquet object; rows sorted by transaction_id so the same transactions give the same bytes. */
export function curatedTransactionsParquet(
  transactions: readonly EnrichedTransaction[],
): Uint8Array {
  const rows = [...transactions]
    .sort((a, b) =>
      a.transaction_id < b.transaction_id ? -1 : a.transaction_id > b.transaction_id ? 1 : 0,
    )
    .map((t) => ({
      transaction_id: t.transaction_id,
      user_id_hash: t.user_id_hash,
      amount: t.amount,
      currency: t.currency,
      amount_base: t.amount_base,
      base_currency: t.base_currency,
      rate: new Decimal(t.rate).toDecimalPlaces(AMOUNT_SCALE).toFixed(),
      rate_as_of: t.rate_as_of,
      rate_provider: t.rate_provider,
      category: t.category,
      high_value_alert: String(t.high_value_alert),
      merchant: t.merchant,
      merchant_category: t.merchant_category ?? null,
      country: t.country ?? null,
      timestamp: t.timestamp,
      processed_at_utc: t.processed_at_utc,
    }));
  return toParquet(CURATED_TRANSACTION_COLUMNS, rows);
}
