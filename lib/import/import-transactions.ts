import { duplicateKeyDetail } from '../../lambdas/domain/quarantine';
import { queueSafeJson } from '../../lambdas/domain/record-limits';
import { isRawJson, validateTransaction, type TransactionRejection, type ValidTransaction } from '../../lambdas/domain/transaction';
import type { MessagePublisher, OutgoingMessage } from '../../lambdas/ports/message-publisher';
import { DuplicateKeyError, parseJsonStrict, rawJSON } from '../../lambdas/shared/exact-json';
import { csvRecords } from './csv';
import { createRowMapper, MappingError, requiredColumns, type ColumnMapping, type Row } from './mapper';

export type SourceFormat = 'csv' | 'ndjson';
export type QuarantineReason = TransactionRejection | 'UNMAPPABLE';

export interface ImportProgress {
  readonly rows: number;
  readonly accepted: number;
  readonly quarantined: number;
}

export interface ImportSummary extends ImportProgress {
  readonly quarantinedByReason: Partial<Record<QuarantineReason, number>>;
}

/** One line of `<file>.rejected.jsonl`. */
export interface RejectedRow {
  /** Line of the file the row starts on. */
  readonly line: number;
  readonly reason: QuarantineReason;
  readonly detail: string;
  /** The mapped transaction, or the source row when it could not be mapped. */
  readonly record: unknown;
}

export interface ImportOptions {
  readonly format: SourceFormat;
  /** The file's text in chunks (a stream read with an encoding). */
  readonly chunks: AsyncIterable<string>;
  readonly mapping: ColumnMapping;
  readonly transactionsQueue: MessagePublisher;
  readonly reject: (row: RejectedRow) => Promise<void>;
  readonly now: Date;
  readonly maxFutureSkewSeconds: number;
  /**
   * Why no rate can ever be found for each transaction (the NO_RATE_AT_TIME detail), or
   * undefined: such rows are quarantined here instead of being sent to be quarantined there.
   */
  readonly noRateAt?: (transactions: readonly ValidTransaction[]) => Promise<readonly (string | undefined)[]>;
  readonly onProgress?: (progress: ImportProgress) => void;
}

/** A file whose layout does not fit the mapping at all (nothing is sent). */
export class ImportError extends Error {
  override readonly name = 'ImportError';
}

type SourceRow = { readonly line: number } & (
  | { readonly row: Row }
  | { readonly error: string; readonly raw: unknown; readonly malformed?: boolean }
);

const BATCH = 100;

/**
 * Maps each row of a partner's export onto the feed's transaction shape, validates it the way
 * process-transactions will (the same JSON it will parse, so a transaction_id DynamoDB cannot
 * key is KEY_TOO_LONG here already), queues the valid ones and hands the rest to `reject` with
 * the reason. A mapped record holds only the contract's fields, each bounded by validation, so
 * it is always far smaller than a queue message. Rows are streamed; memory stays flat.
 */
export async function importTransactions(options: ImportOptions): Promise<ImportSummary> {
  const mapRow = createRowMapper(options.mapping);
  const byReason: Partial<Record<QuarantineReason, number>> = {};
  let rows = 0;
  let accepted = 0;
  let quarantined = 0;
  let pending: (OutgoingMessage & { readonly line: number; readonly tx: ValidTransaction; readonly record: unknown })[] = [];
  const progress = () => ({ rows, accepted, quarantined });
  const quarantine = async (row: RejectedRow) => {
    quarantined += 1;
    byReason[row.reason] = (byReason[row.reason] ?? 0) + 1;
    await options.reject(row);
  };
  const flush = async () => {
    const noRate = options.noRateAt ? await options.noRateAt(pending.map((p) => p.tx)) : [];
    const sendable = pending.filter((_, i) => noRate[i] === undefined);
    for (const [i, p] of pending.entries()) {
      if (noRate[i] !== undefined) await quarantine({ line: p.line, reason: 'NO_RATE_AT_TIME', detail: noRate[i]!, record: p.record });
    }
    await options.transactionsQueue.publish(sendable.map(({ id, body }) => ({ id, body })));
    accepted += sendable.length;
    pending = [];
    options.onProgress?.(progress());
  };

  const source = options.format === 'csv' ? csvRows(options.chunks, options.mapping) : ndjsonRows(options.chunks);
  for await (const item of source) {
    rows += 1;
    if (rows % 1000 === 0) options.onProgress?.(progress());
    if ('error' in item) {
      const reason = options.format === 'csv' && !item.malformed ? 'UNMAPPABLE' : 'MALFORMED';
      await quarantine({ line: item.line, reason, detail: item.error, record: item.raw });
      continue;
    }
    let mapped: Record<string, unknown>;
    try {
      mapped = mapRow(item.row);
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      await quarantine({ line: item.line, reason: 'UNMAPPABLE', detail: error.message, record: item.row });
      continue;
    }
    const body = queueSafeJson(JSON.stringify(mapped));
    const result = validateTransaction(JSON.parse(body), options.now, options.maxFutureSkewSeconds);
    if (!result.ok) {
      await quarantine({ line: item.line, reason: result.reason, detail: result.detail, record: mapped });
      continue;
    }
    pending.push({ id: result.value.transaction_id, body, line: item.line, tx: result.value, record: mapped });
    if (pending.length >= BATCH) await flush();
  }
  await flush();
  return { ...progress(), quarantinedByReason: byReason };
}

async function* csvRows(chunks: AsyncIterable<string>, mapping: ColumnMapping): AsyncGenerator<SourceRow> {
  let header: string[] | undefined;
  for await (const { line, fields } of csvRecords(chunks, mapping.delimiter)) {
    if (!header) {
      header = fields.map((name) => name.trim());
      const repeated = header.find((name, i) => header!.indexOf(name) !== i);
      if (repeated !== undefined) throw new ImportError(`the header names the column ${JSON.stringify(repeated)} more than once`);
      const missing = requiredColumns(mapping).filter((column) => !header!.includes(column));
      if (missing.length > 0) {
        throw new ImportError(`the header has no column ${missing.map((c) => `"${c}"`).join(', ')} (header: ${header.join(', ')})`);
      }
      continue;
    }
    if (fields.length !== header.length) {
      yield { line, error: `row has ${fields.length} fields, the header has ${header.length}`, raw: fields };
      continue;
    }
    yield { line, row: Object.fromEntries(header.map((name, i) => [name, fields[i]])) };
  }
  if (!header) throw new ImportError('the file is empty');
}

async function* ndjsonRows(chunks: AsyncIterable<string>): AsyncGenerator<SourceRow> {
  for await (const { line, text } of lines(chunks)) {
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = parseJsonStrict(text, rawJSON);
    } catch (error) {
      if (error instanceof DuplicateKeyError) {
        const { path, key } = error.duplicate;
        yield { line, error: duplicateKeyDetail(path, key), raw: text, malformed: true };
      } else {
        yield { line, error: `not valid JSON (${(error as Error).message})`, raw: text };
      }
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value) || isRawJson(value)) {
      yield { line, error: 'a line must hold one JSON object', raw: text };
      continue;
    }
    yield { line, row: value as Row };
  }
}

async function* lines(chunks: AsyncIterable<string>): AsyncGenerator<{ line: number; text: string }> {
  let buffer = '';
  let line = 0;
  const next = (text: string) => ({
    line: ++line,
    text: (line === 1 ? text.replace(/^\uFEFF/, '') : text).replace(/\r$/, ''),
  });
  for await (const chunk of chunks) {
    buffer += chunk;
    let start = 0;
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n', start)) {
      yield next(buffer.slice(start, end));
      start = end + 1;
    }
    buffer = buffer.slice(start);
  }
  if (buffer !== '') yield next(buffer);
}
