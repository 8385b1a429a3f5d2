/** A query's answer as text: exact decimals, engine-formatted timestamps, null for SQL NULL. */
export interface QueryResult {
  readonly columns: readonly { readonly name: string; readonly type: string }[];
  readonly rows: readonly (readonly (string | null)[])[];
}

export type OutputFormat = 'table' | 'json' | 'csv';

/** A SQL error from the engine (bad SQL, unknown table), as opposed to a broken setup. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
}

const NUMERIC = /^(decimal|numeric|int|integer|bigint|smallint|tinyint|hugeint|ubigint|uinteger|double|float|real)\b/i;

export function formatResult(result: QueryResult, format: OutputFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(
        result.rows.map((row) => Object.fromEntries(result.columns.map((c, i) => [c.name, row[i]]))),
        null,
        2,
      )}\n`;
    case 'csv':
      return [result.columns.map((c) => c.name), ...result.rows].map((row) => `${row.map(csvField).join(',')}\n`).join('');
    case 'table':
      return alignedTable(result);
  }
}

function csvField(value: string | null): string {
  if (value === null) return '';
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Columns padded to their widest value, numbers right-aligned, NULL shown as such, a row count. */
function alignedTable(result: QueryResult): string {
  const shown = result.rows.map((row) => row.map((v) => (v === null ? 'NULL' : v.replace(/\r?\n/g, '\\n'))));
  const widths = result.columns.map((c, i) => Math.max(c.name.length, ...shown.map((row) => row[i].length)));
  const right = result.columns.map((c) => NUMERIC.test(c.type));
  const line = (cells: readonly string[]) =>
    cells.map((cell, i) => (right[i] ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join(' | ').trimEnd();
  const count = `(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})`;
  return [
    line(result.columns.map((c) => c.name)),
    widths.map((w) => '-'.repeat(w)).join('-+-'),
    ...shown.map(line),
    count,
    '',
  ].join('\n');
}
