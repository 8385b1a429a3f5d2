import { Decimal } from '../../domain/decimal';

/**
 * The columns of the curated tables and how a row's strings become their values, without the
 * Parquet writer: a function that only checks that a row fits (process-rates) does not load it.
 */

/** A column of a curated table: the one schema the Parquet writer, Glue and SQL share. */
export type ColumnSpec =
  | { readonly name: string; readonly kind: 'string'; readonly nullable?: boolean }
  | { readonly name: string; readonly kind: 'timestamp'; readonly nullable?: boolean }
  | {
      readonly name: string;
      readonly kind: 'decimal';
      readonly precision: 38;
      readonly scale: number;
      readonly nullable?: boolean;
    };

export type Row = Record<string, string | null | undefined>;

/** The first reason a curated table (`toParquet`) would refuse the row (a value that does not fit its column), or undefined. */
export function rowProblem(columns: readonly ColumnSpec[], row: Row): string | undefined {
  for (const c of columns) {
    try {
      columnValue(c, row[c.name]);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

export function columnValue(c: ColumnSpec, value: string | null | undefined): unknown {
  if (value === null || value === undefined) {
    if (!c.nullable) throw new Error(`column ${c.name} is required`);
    return null;
  }
  switch (c.kind) {
    case 'string':
      return value;
    case 'timestamp': {
      const instant = new Date(value);
      if (Number.isNaN(instant.getTime())) throw new Error(`${c.name} ${value} is not a timestamp`);
      return instant;
    }
    case 'decimal':
      return unscaledOf(c, value);
  }
}

const PLAIN_DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

/**
 * The DECIMAL(precision, scale) column's unscaled integer for a decimal string. A plain string
 * ("-12.50") is shifted by its digits, with no Decimal arithmetic: this runs for every value of
 * every row (the profile of process-transactions put a third of its Parquet time here).
 */
function unscaledOf(c: Extract<ColumnSpec, { kind: 'decimal' }>, value: string): bigint {
  const plain = PLAIN_DECIMAL.exec(value);
  const [sign, whole, fraction] = plain
    ? [plain[1], plain[2], plain[3] ?? '']
    : (() => {
        // Exponent forms ("1e-7"), which a Decimal's toString may give: written out first.
        const text = new Decimal(value).toFixed();
        const [w, f = ''] = text.replace('-', '').split('.');
        return [text.startsWith('-') ? '-' : '', w, f];
      })();
  if (fraction.replace(/0+$/, '').length > c.scale) {
    throw new Error(`${c.name} ${value} has more than ${c.scale} fraction digits`);
  }
  const digits = `${whole}${fraction.padEnd(c.scale, '0').slice(0, c.scale)}`.replace(/^0+(?=\d)/, '');
  if (digits.length > c.precision) {
    throw new Error(`${c.name} ${value} does not fit DECIMAL(${c.precision},${c.scale})`);
  }
  return BigInt(`${sign}${digits}`);
}
