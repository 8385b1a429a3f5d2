/**
 * Presto/Trino functions (Athena's SQL) that DuckDB lacks or names differently, as DuckDB
 * macros, so the named queries and analysts' SQL run unchanged on the local stand-in.
 */

/**
 * Presto's `date_format` takes MySQL specifiers; DuckDB's strftime takes C ones. Applied in
 * this order, so a translated specifier is never translated again. `%%` is not supported.
 */
export const DATE_FORMAT_SPECIFIERS: readonly (readonly [presto: string, strftime: string])[] = [
  ['%M', '%B'], // month name
  ['%W', '%A'], // weekday name
  ['%i', '%M'], // minutes
  ['%s', '%S'], // seconds
  ['%T', '%H:%M:%S'],
  ['%r', '%I:%M:%S %p'],
  ['%h', '%I'], // hour 01-12
  ['%c', '%-m'], // month 1-12
  ['%e', '%-d'], // day 1-31
  ['%k', '%-H'], // hour 0-23
  ['%l', '%-I'], // hour 1-12
];

const translated = DATE_FORMAT_SPECIFIERS.reduce(
  (expression, [from, to]) => `replace(${expression}, '${from}', '${to}')`,
  'format',
);

/** Each shim: Presto name and the DuckDB macro that stands in for it. */
export const PRESTO_SHIMS: readonly { readonly name: string; readonly macro: string }[] = [
  { name: 'date_format', macro: `date_format(value, format) AS strftime(value, ${translated})` },
  { name: 'day_of_week', macro: 'day_of_week(value) AS isodow(value)' },
  { name: 'regexp_like', macro: 'regexp_like(value, pattern) AS regexp_matches(value, pattern)' },
  { name: 'approx_distinct', macro: 'approx_distinct(value) AS approx_count_distinct(value)' },
  { name: 'to_unixtime', macro: 'to_unixtime(value) AS epoch(value)' },
];

/** The statements that define every shim in a DuckDB connection (temporary: nothing is persisted). */
export const prestoShimStatements = (): string[] => PRESTO_SHIMS.map((s) => `CREATE OR REPLACE TEMP MACRO ${s.macro}`);
