import { CURATED_TABLES, unknownColumns } from '../../../lambdas/adapters/parquet/curated-tables';
import { CURATED_TRANSACTION_COLUMNS } from '../../../lambdas/adapters/parquet/curated-transactions';
import {
  FACTS,
  LOADABLE_TABLES,
  loadStep,
  redshiftCopy,
  schemaStatements,
  starSchemaSql,
  unknownFactColumns,
} from '../../../lambdas/adapters/warehouse/star-schema';

describe('the curated catalog and the star schema refer only to columns the writers write', () => {
  it.each(Object.values(CURATED_TABLES).map((t) => [t.name, t] as const))('%s', (_name, table) => {
    expect(unknownColumns(table)).toEqual([]);
  });

  it('facts and dimensions', () => {
    expect(unknownFactColumns()).toEqual([]);
  });
});

describe('schema statements', () => {
  it('creates the four dimensions and three fact tables when missing, then lets everyone read', () => {
    const statements = schemaStatements({});
    expect(statements.map((s) => /^CREATE TABLE IF NOT EXISTS "(\w+)"/.exec(s)?.[1] ?? s)).toEqual([
      'dim_currency',
      'dim_date',
      'dim_merchant',
      'dim_partner',
      'fact_rate',
      'fact_transaction',
      'fact_conversion',
      'GRANT SELECT ON ALL TABLES IN SCHEMA "public" TO PUBLIC',
    ]);
  });

  it('declares fact_transaction with the writer’s columns in order, DECIMAL(38,18) amounts, the natural key as primary key', () => {
    const ddl = schemaStatements({}).find((s) => s.includes('"fact_transaction"'))!;
    const columns = [...ddl.matchAll(/"(\w+)" (VARCHAR\(4096\)|TIMESTAMP|DECIMAL\(38,18\)|INTEGER)/g)].map((m) => m[1]);
    expect(columns).toEqual([...CURATED_TRANSACTION_COLUMNS.map((c) => c.name), 'date_key']);
    expect(ddl).toContain('"amount_base" DECIMAL(38,18) NOT NULL');
    expect(ddl).toContain('"merchant_category" VARCHAR(4096),');
    expect(ddl).toMatch(/PRIMARY KEY \("transaction_id"\)\)$/);
  });

  it('adds, and only adds, the columns a curated table gained since the fact table was created', () => {
    const had = [...CURATED_TABLES.transactions.columns.map((c) => c.name)].filter((c) => c !== 'country' && c !== 'rate');
    const alters = schemaStatements({ fact_transaction: had, fact_rate: CURATED_TABLES.rates.columns.map((c) => c.name) }).filter((s) =>
      s.startsWith('ALTER'),
    );
    expect(alters).toEqual([
      'ALTER TABLE "fact_transaction" ADD COLUMN "rate" DECIMAL(38,18)',
      'ALTER TABLE "fact_transaction" ADD COLUMN "country" VARCHAR(4096)',
    ]);
  });
});

describe('a load step', () => {
  const step = loadStep('transactions', 'year=2024/month=01/day=05');

  it('stages the partition’s objects into a temporary table with the curated columns in file order', () => {
    expect(step.prefix).toBe('curated/transactions/year=2024/month=01/day=05/');
    expect(step.staging).toBe('stage_fact_transaction_raw');
    expect(step.stagingColumns).toEqual(CURATED_TRANSACTION_COLUMNS.map((c) => c.name));
    expect(step.before.at(-1)).toMatch(/^CREATE TEMP TABLE "stage_fact_transaction_raw" \("transaction_id" VARCHAR\(4096\), /);
  });

  it('keeps one row per transaction_id, then MERGEs on it, updating every other column', () => {
    const [dedupe, merge] = step.after;
    expect(dedupe).toContain('ROW_NUMBER() OVER (PARTITION BY "transaction_id" ORDER BY "processed_at_utc" DESC)');
    expect(dedupe).toContain(`CAST(TO_CHAR("timestamp", 'YYYYMMDD') AS INTEGER) AS "date_key"`);
    expect(merge).toMatch(/^MERGE INTO "fact_transaction" USING "stage_fact_transaction" "s" ON "fact_transaction"."transaction_id" = "s"."transaction_id" WHEN MATCHED THEN UPDATE SET /);
    const updated = [...merge.split('UPDATE SET ')[1].split('WHEN NOT MATCHED')[0].matchAll(/"(\w+)" = "s"\."\1"/g)].map((m) => m[1]);
    expect(updated).toEqual([...CURATED_TRANSACTION_COLUMNS.map((c) => c.name).filter((c) => c !== 'transaction_id'), 'date_key']);
  });

  it('feeds each dimension only with rows it lacks, and drops the staging tables', () => {
    const inserts = step.after.filter((s) => s.startsWith('INSERT INTO')).map((s) => /^INSERT INTO "(\w+)"/.exec(s)![1]);
    expect(inserts).toEqual(['dim_date', 'dim_currency', 'dim_merchant']);
    for (const insert of step.after.filter((s) => s.startsWith('INSERT INTO'))) expect(insert).toContain('NOT EXISTS');
    expect(step.after.slice(-2)).toEqual(['DROP TABLE IF EXISTS "stage_fact_transaction"', 'DROP TABLE IF EXISTS "stage_fact_transaction_raw"']);
    expect(loadStep('conversions', 'year=2024/month=01/day=05').after.some((s) => s.startsWith('INSERT INTO "dim_partner"'))).toBe(true);
  });

  it('copies the partition prefix from S3 with the COPY role, as Parquet, quoting what it embeds', () => {
    expect(redshiftCopy(step, 'fx-lake', "arn:aws:iam::123:role/copy")).toBe(
      `COPY "stage_fact_transaction_raw" FROM 's3://fx-lake/curated/transactions/year=2024/month=01/day=05/' IAM_ROLE 'arn:aws:iam::123:role/copy' FORMAT AS PARQUET`,
    );
    expect(redshiftCopy(step, "lake'; DROP TABLE x; --", 'r')).toContain(`'s3://lake''; DROP TABLE x; --/`);
  });

  it('is offered to the load use case for each curated table, and refuses an unknown one', () => {
    expect(LOADABLE_TABLES.map((t) => [t.key, t.fact])).toEqual(Object.entries(FACTS).map(([key, f]) => [key, f.fact]));
    expect(() => starSchemaSql.loadStep('nope', 'year=2024/month=01/day=05')).toThrow('no curated table nope');
    expect(() => starSchemaSql.loadStep('rates', "year=2024/month=01/day=05'; DROP TABLE fact_rate; --")).toThrow('not a lake partition');
  });
});
