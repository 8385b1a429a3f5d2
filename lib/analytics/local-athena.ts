import * as path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { quoteIdentifier as q } from '../../lambdas/adapters/parquet/column-types';
import type { CuratedTable } from '../../lambdas/adapters/parquet/curated-tables';
import { catalogViews, curatedTableList, dataColumns, partitionColumns } from './catalog';
import { openDuckDb, sqlLiteral, type DuckDb } from './duckdb';
import { syncLakePrefix } from './lake-cache';
import { prestoShimStatements } from './presto-shims';
import type { QueryResult } from './query-result';

export interface LocalAthenaOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  /** Where the curated objects are mirrored (kept between runs: only changed objects are fetched). */
  readonly cacheDir: string;
  /** The Glue database name the tables and views are found under: `fx_local`. */
  readonly database: string;
}

export interface LocalAthena {
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

/**
 * Athena on one machine: DuckDB over the curated Parquet read from the S3 emulator, with the
 * Glue catalog's names (`fx_local.transactions`, `fx_local.transactions_latest`, …) and types,
 * and macros for the Presto functions DuckDB lacks. The database is the default schema, so
 * unqualified names work as they do in an Athena query with a database selected.
 */
export async function openLocalAthena(options: LocalAthenaOptions): Promise<LocalAthena> {
  const db = await openDuckDb();
  try {
    for (const statement of prestoShimStatements()) await db.query(statement);
    await db.query(`CREATE SCHEMA ${q(options.database)}`);
    for (const table of curatedTableList()) {
      const files = await syncLakePrefix(options.s3, options.bucket, `${table.prefix}/`, options.cacheDir);
      const source = files.length > 0 ? parquetSource(path.join(options.cacheDir, table.prefix)) : undefined;
      await db.query(`CREATE VIEW ${q(options.database)}.${q(table.name)} AS ${await tableSql(db, table, source)}`);
    }
    for (const view of catalogViews()) {
      await db.query(`CREATE VIEW ${q(options.database)}.${q(view.name)} AS ${view.sql(options.database)}`);
    }
    await db.query(`SET search_path = ${sqlLiteral(options.database)}`);
  } catch (error) {
    db.close();
    throw error;
  }
  return { query: (sql) => db.query(sql), close: () => db.close() };
}

/**
 * The table as Glue declares it: data columns cast to their types, then year/month/day from the
 * paths. A column no object has yet (added to the writer later) reads as NULL, as in Athena.
 */
async function tableSql(db: DuckDb, table: CuratedTable, source: string | undefined): Promise<string> {
  const columns = [...dataColumns(table), ...partitionColumns()];
  const present = source ? new Set((await db.query(`DESCRIBE SELECT * FROM ${source}`)).rows.map((r) => r[0])) : new Set();
  const select = columns
    .map((c) => `CAST(${present.has(c.name) ? q(c.name) : 'NULL'} AS ${c.duckdb}) AS ${q(c.name)}`)
    .join(', ');
  return source ? `SELECT ${select} FROM ${source}` : `SELECT ${select} WHERE false`;
}

/** Every Parquet file under a table's directory, with hive partitions as text and columns matched by name. */
export function parquetSource(dirOrFiles: string | readonly string[]): string {
  const files = typeof dirOrFiles === 'string' ? sqlLiteral(path.join(dirOrFiles, '**', '*.parquet')) : `[${dirOrFiles.map(sqlLiteral).join(', ')}]`;
  const hiveTypes = partitionColumns()
    .map((c) => `${sqlLiteral(c.name)}: ${c.duckdb}`)
    .join(', ');
  return `read_parquet(${files}, hive_partitioning = true, hive_types = {${hiveTypes}}, union_by_name = true)`;
}

