import { parquetWriteBuffer } from 'hyparquet-writer';
import { Decimal } from '../../domain/decimal';

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

/**
 * Writes rows whose values are strings (decimals as plain decimal strings, timestamps as
 * ISO-8601) into Parquet. Decimals become DECIMAL(38, scale) from unscaled bigints, so no value
 * passes through a float; a value with more fraction digits than the scale is an error, not a
 * silent rounding.
 */
export function toParquet(columns: readonly ColumnSpec[], rows: readonly Row[]): Uint8Array {
  const schema = [
    { name: 'root', num_children: columns.length },
    ...columns.map((c) => ({ ...schemaOf(c), repetition_type: c.nullable ? 'OPTIONAL' : 'REQUIRED' })),
  ];
  const columnData = columns.map((c) => ({
    name: c.name,
    data: rows.map((row) => convert(c, row[c.name])),
  }));
  // hyparquet-writer's own types are looser than its runtime checks; the schema above is explicit.
  const buffer = parquetWriteBuffer({ columnData, schema } as unknown as Parameters<typeof parquetWriteBuffer>[0]);
  return new Uint8Array(buffer);
}

/** The first reason `toParquet` would refuse the row (a value that does not fit its column), or undefined. */
export function rowProblem(columns: readonly ColumnSpec[], row: Row): string | undefined {
  for (const c of columns) {
    try {
      convert(c, row[c.name]);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

function schemaOf(c: ColumnSpec): Record<string, unknown> {
  switch (c.kind) {
    case 'string':
      return { name: c.name, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
    case 'timestamp':
      return { name: c.name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS' };
    case 'decimal':
      return {
        name: c.name,
        type: 'FIXED_LEN_BYTE_ARRAY',
        type_length: 16,
        converted_type: 'DECIMAL',
        precision: c.precision,
        scale: c.scale,
      };
  }
}

function convert(c: ColumnSpec, value: string | null | undefined): unknown {
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
