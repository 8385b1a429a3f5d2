import { DuckDBInstance, type DuckDBConnection, type DuckDBMaterializedResult } from '@duckdb/node-api';
import { QueryError, type QueryResult } from './query-result';

/** An in-memory DuckDB connection (the local Athena stand-in and the warehouse stager). */
export interface DuckDb {
  readonly connection: DuckDBConnection;
  /** Runs SQL and returns its last result as text; engine errors become QueryError. */
  query(sql: string): Promise<QueryResult>;
  close(): void;
}

export async function openDuckDb(): Promise<DuckDb> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  return {
    connection,
    async query(sql) {
      let reader: DuckDBMaterializedResult;
      try {
        reader = await connection.run(sql);
      } catch (error) {
        throw new QueryError((error as Error).message);
      }
      const types = reader.columnTypes().map(String);
      const columns = reader.columnNames().map((name, i) => ({ name, type: types[i] }));
      const rows = (await reader.getRows()).map((row) => row.map((value, i) => asText(value, types[i])));
      return { columns, rows };
    },
    close() {
      connection.closeSync();
      instance.closeSync();
    },
  };
}

/** A DuckDB value as DuckDB prints it: decimals exact, doubles with a fraction (`2.0`), timestamps as text. */
function asText(value: unknown, type: string): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' && /^(DOUBLE|FLOAT)$/.test(type) && Number.isInteger(value)) return value.toFixed(1);
  return String(value);
}

/** A SQL string literal. */
export const sqlLiteral = (text: string): string => `'${text.replace(/'/g, "''")}'`;
