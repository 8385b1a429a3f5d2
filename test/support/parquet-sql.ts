import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type Json } from '@duckdb/node-api';

/**
 * Runs SQL over a Parquet object with DuckDB (the local Athena stand-in), reading it from a temp
 * file: `sql` refers to the file as `{file}`, e.g. `SELECT rate::VARCHAR FROM read_parquet({file})`.
 */
export async function queryParquet(
  bytes: Uint8Array,
  sql: string,
): Promise<Record<string, Json>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'parquet-sql-'));
  const file = join(dir, 'object.parquet');
  writeFileSync(file, bytes);
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const reader = await connection.runAndReadAll(sql.replaceAll('{file}', `'${file}'`));
    return reader.getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}
