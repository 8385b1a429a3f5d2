import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { z } from 'zod';
import { isRawJson } from '../../lambdas/domain/transaction';
import builtInMappingsJson from './column-mappings.json';

/** One source row: CSV cells by header name, or an NDJSON object's values. */
export type Row = Readonly<Record<string, unknown>>;

/** A row the mapping cannot turn into a transaction (quarantined as UNMAPPABLE). */
export class MappingError extends Error {
  override readonly name = 'MappingError';
}

const ColumnSpec = z.strictObject({
  column: z.string().min(1),
  /** "$-25.00" → "-25.00": drops a leading $, €, £ or ¥ and keeps the sign. */
  transform: z.literal('strip-currency-symbol').optional(),
  /** Replaces a value found here; others pass through. */
  lookup: z.record(z.string(), z.string()).optional(),
  prefix: z.string().optional(),
});
const ConstantSpec = z.strictObject({ value: z.string() });
const HashSpec = z.strictObject({ hashOf: z.array(z.string().min(1)).min(1), prefix: z.string().optional() });
const DateTimeSpec = z.strictObject({
  year: z.string().min(1),
  month: z.string().min(1),
  day: z.string().min(1),
  time: z.string().min(1),
  zone: z.string().regex(/^(Z|[+-]\d{2}:\d{2})$/, 'zone must be "Z" or an offset like "+02:00"'),
});
const FieldSpec = z.union([z.string().min(1), ColumnSpec, ConstantSpec, HashSpec, DateTimeSpec]);
type FieldSpec = z.infer<typeof FieldSpec>;

const ColumnMappingSchema = z.strictObject({
  description: z.string().optional(),
  /** CSV only. @default "," */
  delimiter: z.string().length(1).optional(),
  fields: z.strictObject({
    transaction_id: FieldSpec,
    user_id: FieldSpec,
    amount: FieldSpec,
    currency: FieldSpec,
    timestamp: FieldSpec,
    merchant: FieldSpec,
    merchant_category: FieldSpec.optional(),
    country: FieldSpec.optional(),
  }),
});
export type ColumnMapping = z.infer<typeof ColumnMappingSchema>;
type TargetField = keyof ColumnMapping['fields'];

const OPTIONAL_FIELDS: ReadonlySet<TargetField> = new Set(['merchant_category', 'country']);

export const BUILT_IN_MAPPINGS: Readonly<Record<string, ColumnMapping>> = Object.fromEntries(
  Object.entries(builtInMappingsJson).map(([name, mapping]) => [name, parseMapping(mapping, `built-in mapping ${name}`)]),
);

/** A built-in mapping by name, or a mapping file (one mapping object, see README.md). */
export function loadMapping(nameOrFile: string): { readonly name: string; readonly mapping: ColumnMapping } {
  if (Object.hasOwn(BUILT_IN_MAPPINGS, nameOrFile)) return { name: nameOrFile, mapping: BUILT_IN_MAPPINGS[nameOrFile] };
  if (!existsSync(nameOrFile)) {
    throw new MappingError(`no mapping "${nameOrFile}": use ${Object.keys(BUILT_IN_MAPPINGS).join(', ')} or a mapping file`);
  }
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(nameOrFile, 'utf8'));
  } catch (error) {
    throw new MappingError(`mapping file ${nameOrFile} is not valid JSON (${(error as Error).message})`);
  }
  return { name: nameOrFile, mapping: parseMapping(json, `mapping file ${nameOrFile}`) };
}

function parseMapping(json: unknown, what: string): ColumnMapping {
  const parsed = ColumnMappingSchema.safeParse(json);
  if (!parsed.success) throw new MappingError(`${what} is invalid:\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Columns a file must have for the mapping to fill every required field. */
export function requiredColumns(mapping: ColumnMapping): string[] {
  const columns = Object.entries(mapping.fields)
    .filter(([field, spec]) => spec !== undefined && !OPTIONAL_FIELDS.has(field as TargetField))
    .flatMap(([, spec]) => columnsOf(spec as FieldSpec));
  return [...new Set(columns)];
}

/** The first built-in mapping whose required columns the CSV header has. */
export function detectMapping(header: readonly string[]): string | undefined {
  const present = new Set(header);
  return Object.keys(BUILT_IN_MAPPINGS).find((name) =>
    requiredColumns(BUILT_IN_MAPPINGS[name]).every((column) => present.has(column)),
  );
}

/**
 * Turns rows into feed-shaped transactions (README, "Partner transaction feed"). Empty cells leave the field out, so
 * validation names it. Values taken as they are keep their JSON type and digits (NDJSON).
 * A hashOf id numbers identical consecutive rows (-2, -3…) so repeats stay distinct.
 */
export function createRowMapper(mapping: ColumnMapping): (row: Row) => Record<string, unknown> {
  let previousHash: string | undefined;
  let repeats = 0;
  const hashId = (spec: z.infer<typeof HashSpec>, row: Row) => {
    const values = spec.hashOf.map((column) => text(row[column]) ?? '');
    const hash = createHash('sha256').update(JSON.stringify(values)).digest('hex').slice(0, 24);
    repeats = hash === previousHash ? repeats + 1 : 1;
    previousHash = hash;
    return `${spec.prefix ?? ''}${hash}${repeats > 1 ? `-${repeats}` : ''}`;
  };

  return (row) => {
    const transaction: Record<string, unknown> = {};
    for (const [field, spec] of Object.entries(mapping.fields) as [TargetField, FieldSpec | undefined][]) {
      if (spec === undefined) continue;
      const value =
        typeof spec === 'string'
          ? present(row[spec])
          : 'column' in spec
            ? columnValue(spec, row)
            : 'value' in spec
              ? spec.value
              : 'hashOf' in spec
                ? hashId(spec, row)
                : dateTime(field, spec, row);
      if (value !== undefined) transaction[field] = value;
    }
    return transaction;
  };
}

function columnsOf(spec: FieldSpec): string[] {
  if (typeof spec === 'string') return [spec];
  if ('column' in spec) return [spec.column];
  if ('hashOf' in spec) return spec.hashOf;
  if ('value' in spec) return [];
  return [spec.year, spec.month, spec.day, spec.time];
}

function columnValue(spec: z.infer<typeof ColumnSpec>, row: Row): unknown {
  const value = present(row[spec.column]);
  if (value === undefined || (!spec.transform && !spec.lookup && !spec.prefix)) return value;
  let result = text(value)!.trim();
  if (spec.transform === 'strip-currency-symbol') result = result.replace(/^(-?)\s*[$€£¥]\s*/, '$1');
  if (spec.lookup && Object.hasOwn(spec.lookup, result)) result = spec.lookup[result];
  return `${spec.prefix ?? ''}${result}`;
}

/** Year, month, day and "H:MM[:SS]" columns into ISO 8601 with the mapping's zone. */
function dateTime(field: string, spec: z.infer<typeof DateTimeSpec>, row: Row): string {
  const part = (column: string, pattern: RegExp) => {
    const value = text(row[column])?.trim() ?? '';
    if (!pattern.test(value)) throw new MappingError(`${field}: column "${column}" has ${JSON.stringify(value)}`);
    return value;
  };
  const year = part(spec.year, /^\d{4}$/);
  const month = part(spec.month, /^\d{1,2}$/).padStart(2, '0');
  const day = part(spec.day, /^\d{1,2}$/).padStart(2, '0');
  const [hours, minutes, seconds = '00'] = part(spec.time, /^\d{1,2}:\d{2}(:\d{2})?$/).split(':');
  return `${year}-${month}-${day}T${hours.padStart(2, '0')}:${minutes}:${seconds}${spec.zone}`;
}

/** The value unless it is missing or an empty string. */
function present(value: unknown): unknown {
  return value === undefined || value === null || value === '' ? undefined : value;
}

/** A cell as text: strings as they are, JSON numbers with their digits. */
function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (isRawJson(value)) return value.rawJSON;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}
