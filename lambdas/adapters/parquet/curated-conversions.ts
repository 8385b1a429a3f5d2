import { Decimal } from '../../domain/decimal';
import { AMOUNT_SCALE } from '../../domain/transaction';
import type { StoredConversion } from '../../ports/conversion-store';
import { rowProblem, type ColumnSpec, type Row } from './column-values';
import { toParquet } from './parquet-table';

const DECIMAL = { kind: 'decimal', precision: 38, scale: AMOUNT_SCALE } as const;

/** curated/conversions columns; Glue, the local Athena stand-in and the warehouse read the same list. */
export const CURATED_CONVERSION_COLUMNS: readonly ColumnSpec[] = [
  { name: 'conversion_id', kind: 'string' },
  /** The partner's app client id (the token's client_id). */
  { name: 'partner_id', kind: 'string' },
  { name: 'from_currency', kind: 'string' },
  { name: 'to_currency', kind: 'string' },
  { name: 'amount', ...DECIMAL },
  { name: 'converted', ...DECIMAL },
  /** Rounded half-even to 18 places; the full-precision rate is on the DynamoDB item. */
  { name: 'rate', ...DECIMAL },
  { name: 'inverse_rate', ...DECIMAL },
  { name: 'rate_as_of', kind: 'timestamp' },
  { name: 'rate_provider', kind: 'string' },
  { name: 'created_at', kind: 'timestamp' },
];

/** One conversion as a curated row (decimal strings); rates rounded half-even to the column scale. */
export function curatedConversionRow(partnerId: string, c: StoredConversion): Row {
  const rounded = (rate: string) => new Decimal(rate).toDecimalPlaces(AMOUNT_SCALE).toFixed();
  return {
    conversion_id: c.id,
    partner_id: partnerId,
    from_currency: c.from,
    to_currency: c.to,
    amount: c.amount,
    converted: c.converted,
    rate: rounded(c.rate),
    inverse_rate: rounded(c.inverseRate),
    rate_as_of: c.asOf,
    rate_provider: c.provider,
    created_at: c.createdAt,
  };
}

/** Why a row cannot be stored exactly (an amount wider than DECIMAL(38,18)), or undefined. */
export const curatedConversionProblem = (row: Row): string | undefined =>
  rowProblem(CURATED_CONVERSION_COLUMNS, row);

/** One Parquet object; rows sorted by conversion_id so the same conversions give the same bytes. */
export function curatedConversionsParquet(rows: readonly Row[]): Uint8Array {
  const id = (row: Row) => String(row.conversion_id);
  const sorted = [...rows].sort((a, b) => (id(a) < id(b) ? -1 : id(a) > id(b) ? 1 : 0));
  return toParquet(CURATED_CONVERSION_COLUMNS, sorted);
}
