import { parquetWriteBuffer } from 'hyparquet-writer';
import { columnValue, type ColumnSpec, type Row } from './column-values';

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
    data: rows.map((row) => columnValue(c, row[c.name])),
  }));
  // hyparquet-writer's own types are looser than its runtime checks; the schema above is explicit.
  const buffer = parquetWriteBuffer({ columnData, schema } as unknown as Parameters<typeof parquetWriteBuffer>[0]);
  return new Uint8Array(buffer);
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
