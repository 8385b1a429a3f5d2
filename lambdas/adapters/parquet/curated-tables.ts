import { LAKE_PREFIXES } from '../../shared/lake-prefixes';
import { CURATED_CONVERSION_COLUMNS } from './curated-conversions';
import { CURATED_RATE_COLUMNS } from './curated-rate-rows';
import { CURATED_TRANSACTION_COLUMNS } from './curated-transactions';
import type { ColumnSpec } from './column-values';

/**
 * The curated tables of the lake: where their objects live and which columns they hold. The
 * Glue tables and views, the local Athena stand-in and the warehouse's staging and fact tables
 * are all generated from this catalog and the writers' column lists.
 */
export interface CuratedTable {
  /** Glue table name (and the DuckDB view name locally). */
  readonly name: string;
  /** Key prefix; objects sit under `<prefix>/year=YYYY/month=MM/day=DD/`. */
  readonly prefix: string;
  readonly columns: readonly ColumnSpec[];
  /** Columns that identify one row. */
  readonly naturalKey: readonly string[];
  /** The timestamp column whose UTC day is the object's partition. */
  readonly partitionTime: string;
  /**
   * Objects are written per batch, so a redelivered batch that SQS or a stream regrouped can
   * put a row in two objects. Such tables get a view with one row per natural key.
   */
  readonly latestView?: { readonly name: string; readonly orderBy: string };
}

export const CURATED_TABLES = {
  rates: {
    name: 'rates',
    prefix: LAKE_PREFIXES.curatedRates,
    columns: CURATED_RATE_COLUMNS,
    naturalKey: ['snapshot_id', 'quote_currency'],
    // process-rates writes a snapshot under the UTC day of its in-force instant (lake-keys.ts),
    // which is also its rate date for every provider (the ECB's 16:00 Berlin is 14:00/15:00Z).
    partitionTime: 'in_force_from',
  },
  transactions: {
    name: 'transactions',
    prefix: LAKE_PREFIXES.curatedTransactions,
    columns: CURATED_TRANSACTION_COLUMNS,
    naturalKey: ['transaction_id'],
    partitionTime: 'timestamp',
    latestView: { name: 'transactions_latest', orderBy: 'processed_at_utc' },
  },
  conversions: {
    name: 'conversions',
    prefix: LAKE_PREFIXES.curatedConversions,
    columns: CURATED_CONVERSION_COLUMNS,
    naturalKey: ['conversion_id'],
    partitionTime: 'created_at',
    latestView: { name: 'conversions_latest', orderBy: 'created_at' },
  },
} as const satisfies Record<string, CuratedTable>;

export type CuratedTableKey = keyof typeof CURATED_TABLES;

/** Hive-style partition columns of every curated table, in key order. */
export const PARTITION_COLUMNS = ['year', 'month', 'day'] as const;

/** Column names a table definition refers to that its column list does not have. */
export function unknownColumns(table: CuratedTable): string[] {
  const names = new Set(table.columns.map((c) => c.name));
  const referenced = [...table.naturalKey, table.partitionTime, ...(table.latestView ? [table.latestView.orderBy] : [])];
  return referenced.filter((name) => !names.has(name));
}
