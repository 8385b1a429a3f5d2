import type { ColumnSpec } from './column-values';

/** The engines a curated column is declared in. */
export type SqlDialect = 'glue' | 'presto' | 'duckdb' | 'warehouse';

/**
 * Longest text the warehouse keeps: the feed's 1,024-character limit in UTF-8 (up to four
 * bytes a character, and Redshift counts VARCHAR length in bytes).
 */
const WAREHOUSE_TEXT_BYTES = 4096;

/** A curated column's type in each engine; one switch, so a new column kind must be mapped everywhere. */
export function columnType(column: ColumnSpec, dialect: SqlDialect): string {
  switch (column.kind) {
    case 'string':
      return { glue: 'string', presto: 'varchar', duckdb: 'VARCHAR', warehouse: `VARCHAR(${WAREHOUSE_TEXT_BYTES})` }[dialect];
    case 'timestamp':
      // Parquet TIMESTAMP_MILLIS; Athena engine v3 reads it as timestamp(3).
      return { glue: 'timestamp', presto: 'timestamp(3)', duckdb: 'TIMESTAMP', warehouse: 'TIMESTAMP' }[dialect];
    case 'decimal': {
      const type = `decimal(${column.precision},${column.scale})`;
      return dialect === 'glue' || dialect === 'presto' ? type : type.toUpperCase();
    }
  }
}

/** A double-quoted identifier: column names such as `timestamp` are keywords in some engines. */
export const quoteIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;
