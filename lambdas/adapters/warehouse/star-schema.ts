import { DATE_PARTITION } from '../../domain/lake-keys';
import { columnType, quoteIdentifier as q } from '../parquet/column-types';
import { CURATED_TABLES, type CuratedTable, type CuratedTableKey } from '../parquet/curated-tables';
import type { ColumnSpec } from '../parquet/column-values';
import type { LoadStep } from '../../ports/warehouse';
import type { LoadableTable, WarehouseSql } from '../../use-cases/load-warehouse';

/**
 * The warehouse's star schema, generated from the curated tables: one fact table per curated
 * table (its columns, plus `date_key`), and the dimensions they share. The SQL is the subset
 * Redshift and PostgreSQL (PGlite, locally) both run: MERGE from a table, temp tables, window
 * functions, `CREATE TABLE IF NOT EXISTS`.
 */

interface FactDefinition {
  readonly fact: string;
  /** Columns holding currency codes (dim_currency). */
  readonly currencyColumns: readonly string[];
  /** Merchant name and category (dim_merchant). */
  readonly merchant?: { readonly name: string; readonly category: string };
  /** Partner id column (dim_partner). */
  readonly partner?: string;
}

export const FACTS: Record<CuratedTableKey, FactDefinition> = {
  rates: { fact: 'fact_rate', currencyColumns: ['base_currency', 'quote_currency'] },
  transactions: {
    fact: 'fact_transaction',
    currencyColumns: ['currency', 'base_currency'],
    merchant: { name: 'merchant', category: 'merchant_category' },
  },
  conversions: { fact: 'fact_conversion', currencyColumns: ['from_currency', 'to_currency'], partner: 'partner_id' },
};

export const DATE_KEY = 'date_key';

const entries = () => Object.entries(CURATED_TABLES) as [CuratedTableKey, CuratedTable][];
const columnOf = (table: CuratedTable, name: string): ColumnSpec => {
  const column = table.columns.find((c) => c.name === name);
  if (!column) throw new Error(`curated table ${table.name} has no column ${name}`);
  return column;
};
const sqlType = (column: ColumnSpec) => columnType(column, 'warehouse');
const dateKeyOf = (expression: string) => `CAST(TO_CHAR(${expression}, 'YYYYMMDD') AS INTEGER)`;
const list = (names: readonly string[], prefix = '') => names.map((n) => `${prefix}${q(n)}`).join(', ');

/** The fact table's columns: the curated ones, then date_key. */
export function factColumns(key: CuratedTableKey): string[] {
  return [...CURATED_TABLES[key].columns.map((c) => c.name), DATE_KEY];
}

/** Column names referenced by FACTS that the curated column lists do not have. */
export function unknownFactColumns(): string[] {
  return entries().flatMap(([key, table]) => {
    const def = FACTS[key];
    const names = [...def.currencyColumns, ...(def.merchant ? [def.merchant.name, def.merchant.category] : []), ...(def.partner ? [def.partner] : [])];
    return names.filter((n) => !table.columns.some((c) => c.name === n)).map((n) => `${table.name}.${n}`);
  });
}

function createFact(key: CuratedTableKey): string {
  const table: CuratedTable = CURATED_TABLES[key];
  const columns = [
    ...table.columns.map((c) => `${q(c.name)} ${sqlType(c)}${c.nullable ? '' : ' NOT NULL'}`),
    `${q(DATE_KEY)} INTEGER NOT NULL`,
  ];
  return `CREATE TABLE IF NOT EXISTS ${q(FACTS[key].fact)} (${columns.join(', ')}, PRIMARY KEY (${list(table.naturalKey)}))`;
}

function createDimensions(): string[] {
  const transactions = CURATED_TABLES.transactions;
  const merchant = FACTS.transactions.merchant!;
  const currency = columnOf(transactions, FACTS.transactions.currencyColumns[0]);
  const partner = columnOf(CURATED_TABLES.conversions, FACTS.conversions.partner!);
  return [
    `CREATE TABLE IF NOT EXISTS ${q('dim_currency')} (${q('currency_code')} ${sqlType(currency)} NOT NULL, PRIMARY KEY (${q('currency_code')}))`,
    `CREATE TABLE IF NOT EXISTS ${q('dim_date')} (${q(DATE_KEY)} INTEGER NOT NULL, ${q('calendar_date')} DATE NOT NULL, ` +
      `${q('year')} SMALLINT NOT NULL, ${q('month')} SMALLINT NOT NULL, ${q('day')} SMALLINT NOT NULL, ` +
      `${q('day_of_week')} SMALLINT NOT NULL, PRIMARY KEY (${q(DATE_KEY)}))`,
    `CREATE TABLE IF NOT EXISTS ${q('dim_merchant')} (${q('merchant')} ${sqlType(columnOf(transactions, merchant.name))} NOT NULL, ` +
      `${q('merchant_category')} ${sqlType(columnOf(transactions, merchant.category))}, PRIMARY KEY (${q('merchant')}))`,
    `CREATE TABLE IF NOT EXISTS ${q('dim_partner')} (${q('partner_id')} ${sqlType(partner)} NOT NULL, PRIMARY KEY (${q('partner_id')}))`,
  ];
}

/**
 * Creates what is missing: every dimension and fact table, and the columns a curated table
 * gained since its fact table was created (`known`: the columns each fact had at the last load).
 */
export function schemaStatements(known: Partial<Record<string, readonly string[]>>): string[] {
  const alters = entries().flatMap(([key, table]) => {
    const had = known[FACTS[key].fact];
    if (!had) return [];
    return table.columns
      .filter((c) => !had.includes(c.name))
      .map((c) => `ALTER TABLE ${q(FACTS[key].fact)} ADD COLUMN ${q(c.name)} ${sqlType(c)}`);
  });
  return [
    ...createDimensions(),
    ...entries().map(([key]) => createFact(key)),
    ...alters,
    // Analysts connect as their own IAM identities (Data API, Query Editor): every warehouse user may read.
    `GRANT SELECT ON ALL TABLES IN SCHEMA ${q('public')} TO PUBLIC`,
  ];
}

/** The statements that load one partition (`year=YYYY/month=MM/day=DD`) of a curated table. */
export function loadStep(key: CuratedTableKey, partition: string): LoadStep {
  // The only partition text a step's SQL and prefix are built from.
  if (!DATE_PARTITION.test(partition)) throw new Error(`not a lake partition: ${JSON.stringify(partition)}`);
  const table: CuratedTable = CURATED_TABLES[key];
  const def = FACTS[key];
  const raw = `stage_${def.fact}_raw`;
  const rows = `stage_${def.fact}`;
  const curated = table.columns.map((c) => c.name);
  const all = [...curated, DATE_KEY];
  const order = table.latestView?.orderBy ?? table.naturalKey[0];
  const notKey = all.filter((c) => !table.naturalKey.includes(c));
  const dropStaging = [`DROP TABLE IF EXISTS ${q(rows)}`, `DROP TABLE IF EXISTS ${q(raw)}`];

  const after = [
    // One row per natural key: a redelivered batch can put a row in two objects of a partition.
    `CREATE TEMP TABLE ${q(rows)} AS SELECT ${list(curated)}, ${dateKeyOf(q(table.partitionTime))} AS ${q(DATE_KEY)} ` +
      `FROM (SELECT *, ROW_NUMBER() OVER (PARTITION BY ${list(table.naturalKey)} ORDER BY ${q(order)} DESC) AS ${q('row_rank')} ` +
      `FROM ${q(raw)}) ${q('ranked')} WHERE ${q('row_rank')} = 1`,
    `MERGE INTO ${q(def.fact)} USING ${q(rows)} ${q('s')} ON ${table.naturalKey.map((k) => `${q(def.fact)}.${q(k)} = ${q('s')}.${q(k)}`).join(' AND ')} ` +
      `WHEN MATCHED THEN UPDATE SET ${notKey.map((c) => `${q(c)} = ${q('s')}.${q(c)}`).join(', ')} ` +
      `WHEN NOT MATCHED THEN INSERT (${list(all)}) VALUES (${list(all, `${q('s')}.`)})`,
    ...dimensionInserts(key, rows),
    ...dropStaging,
  ];
  return {
    name: `${def.fact} ${partition}`,
    table: key,
    fact: def.fact,
    prefix: `${table.prefix}/${partition}/`,
    staging: raw,
    stagingColumns: curated,
    before: [
      ...dropStaging,
      `CREATE TEMP TABLE ${q(raw)} (${table.columns.map((c) => `${q(c.name)} ${sqlType(c)}`).join(', ')})`,
    ],
    after,
  };
}

/** Dimension rows the staged facts refer to and the dimensions lack (insert-only, so reloads change nothing). */
function dimensionInserts(key: CuratedTableKey, rows: string): string[] {
  const table: CuratedTable = CURATED_TABLES[key];
  const def = FACTS[key];
  const missing = (dim: string, column: string, value: string) =>
    `NOT EXISTS (SELECT 1 FROM ${q(dim)} WHERE ${q(dim)}.${q(column)} = ${value})`;
  const statements = [
    `INSERT INTO ${q('dim_date')} (${list([DATE_KEY, 'calendar_date', 'year', 'month', 'day', 'day_of_week'])}) ` +
      `SELECT ${dateKeyOf(q('d'))}, ${q('d')}, EXTRACT(YEAR FROM ${q('d')}), EXTRACT(MONTH FROM ${q('d')}), ` +
      `EXTRACT(DAY FROM ${q('d')}), EXTRACT(DOW FROM ${q('d')}) ` +
      `FROM (SELECT DISTINCT CAST(${q(table.partitionTime)} AS DATE) AS ${q('d')} FROM ${q(rows)}) ${q('days')} ` +
      `WHERE ${missing('dim_date', DATE_KEY, dateKeyOf(`${q('days')}.${q('d')}`))}`,
    `INSERT INTO ${q('dim_currency')} (${q('currency_code')}) SELECT DISTINCT ${q('code')} FROM (` +
      def.currencyColumns.map((c) => `SELECT ${q(c)} AS ${q('code')} FROM ${q(rows)}`).join(' UNION ') +
      `) ${q('codes')} WHERE ${q('code')} IS NOT NULL AND ${missing('dim_currency', 'currency_code', `${q('codes')}.${q('code')}`)}`,
  ];
  if (def.merchant) {
    statements.push(
      `INSERT INTO ${q('dim_merchant')} (${list(['merchant', 'merchant_category'])}) ` +
        `SELECT ${q(def.merchant.name)}, MIN(${q(def.merchant.category)}) FROM ${q(rows)} ${q('m')} ` +
        `WHERE ${missing('dim_merchant', 'merchant', `${q('m')}.${q(def.merchant.name)}`)} GROUP BY ${q(def.merchant.name)}`,
    );
  }
  if (def.partner) {
    statements.push(
      `INSERT INTO ${q('dim_partner')} (${q('partner_id')}) SELECT DISTINCT ${q(def.partner)} FROM ${q(rows)} ${q('p')} ` +
        `WHERE ${missing('dim_partner', 'partner_id', `${q('p')}.${q(def.partner)}`)}`,
    );
  }
  return statements;
}

/** Redshift's COPY of one partition's Parquet objects into the step's staging table. */
export function redshiftCopy(step: LoadStep, bucket: string, roleArn: string): string {
  const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
  return `COPY ${q(step.staging)} FROM ${literal(`s3://${bucket}/${step.prefix}`)} IAM_ROLE ${literal(roleArn)} FORMAT AS PARQUET`;
}

/** The curated tables as the load step sees them. */
export const LOADABLE_TABLES: readonly LoadableTable[] = entries().map(([key, table]) => ({
  key,
  prefix: table.prefix,
  fact: FACTS[key].fact,
  factColumns: factColumns(key),
}));

/** The star schema's SQL for the load use case. */
export const starSchemaSql: WarehouseSql = {
  schema: schemaStatements,
  loadStep: (table, partition) => {
    if (!(table in CURATED_TABLES)) throw new Error(`no curated table ${table}`);
    return loadStep(table as CuratedTableKey, partition);
  },
};
