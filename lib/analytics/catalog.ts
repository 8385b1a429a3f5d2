import { columnType, quoteIdentifier as q } from '../../lambdas/adapters/parquet/column-types';
import { CURATED_TABLES, PARTITION_COLUMNS, type CuratedTable } from '../../lambdas/adapters/parquet/curated-tables';

/**
 * The lake's catalog as analysts see it: the curated tables with their year/month/day
 * partitions, and a `<table>_latest` view (one row per natural key) for each table whose rows
 * can be written twice. Glue (CDK) and the local DuckDB stand-in are both built from here.
 */

export interface CatalogColumn {
  readonly name: string;
  /** Glue/Hive type (`decimal(38,18)`, `timestamp`, `string`). */
  readonly glue: string;
  /** Presto/Trino type, as an Athena view records it (`timestamp(3)`, `varchar`). */
  readonly presto: string;
  readonly duckdb: string;
}

export interface CatalogView {
  readonly name: string;
  /** The table it reads. */
  readonly table: CuratedTable;
  readonly columns: readonly CatalogColumn[];
  /** The view's SQL, reading `<database>.<table>`. */
  readonly sql: (database: string) => string;
}

const partitionColumn = (name: string): CatalogColumn => ({ name, glue: 'string', presto: 'varchar', duckdb: 'VARCHAR' });

export const curatedTableList = (): readonly CuratedTable[] => Object.values(CURATED_TABLES);

/** The table's data columns (the writer's list, in order). */
export function dataColumns(table: CuratedTable): CatalogColumn[] {
  return table.columns.map((c) => ({
    name: c.name,
    glue: columnType(c, 'glue'),
    presto: columnType(c, 'presto'),
    duckdb: columnType(c, 'duckdb'),
  }));
}

export const partitionColumns = (): CatalogColumn[] => PARTITION_COLUMNS.map(partitionColumn);

/** Every view of the catalog. */
export function catalogViews(): CatalogView[] {
  return curatedTableList().flatMap((table) => {
    const latest = table.latestView;
    if (!latest) return [];
    const columns = [...dataColumns(table), ...partitionColumns()];
    const names = columns.map((c) => q(c.name)).join(', ');
    return [
      {
        name: latest.name,
        table,
        columns,
        sql: (database: string) =>
          `SELECT ${names} FROM (SELECT *, row_number() OVER (PARTITION BY ${table.naturalKey.map(q).join(', ')} ` +
          `ORDER BY ${q(latest.orderBy)} DESC) AS ${q('row_rank')} FROM ${q(database)}.${q(table.name)}) ${q('ranked')} ` +
          `WHERE ${q('row_rank')} = 1`,
      },
    ];
  });
}

/**
 * The `ViewOriginalText` Athena reads a Glue view from: its SQL and output columns, base64
 * encoded as Athena's own CREATE VIEW records them.
 */
export function prestoViewText(view: CatalogView, database: string): string {
  const definition = {
    originalSql: view.sql(database),
    catalog: 'awsdatacatalog',
    schema: database,
    columns: view.columns.map((c) => ({ name: c.name, type: c.presto })),
  };
  return `/* Presto View: ${Buffer.from(JSON.stringify(definition)).toString('base64')} */`;
}
