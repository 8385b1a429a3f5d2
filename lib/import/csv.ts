import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { CsvError, parse, type Info, type Options } from 'csv-parse';

export { CsvError };

/** A CSV record and the (1-based) line of the file it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

/**
 * RFC 4180 CSV with csv-parse, lenient where exports are sloppy: records end at CRLF, LF or CR
 * (even mixed in one file), a byte order mark is dropped, blank lines are skipped, a quote inside
 * an unquoted field is kept as text, and rows may have any number of fields (the importer
 * reports a row whose count differs from the header's).
 */
const OPTIONS: Options = {
  bom: true,
  relax_quotes: true,
  relax_column_count: true,
  skip_empty_lines: true,
  record_delimiter: ['\r\n', '\n', '\r'],
  info: true,
};

/** csv-parse counts the line a record ends on, each CR and LF inside its quoted fields included. */
const startLine = (fields: readonly string[], info: Info) =>
  info.lines - fields.reduce((breaks, field) => breaks + (field.match(/[\r\n]/g)?.length ?? 0), 0);

/** Records of a stream of text chunks (a file read with an encoding). */
export async function* csvRecords(chunks: AsyncIterable<string> | Iterable<string>, delimiter = ','): AsyncGenerator<CsvRecord> {
  const parser = parse({ ...OPTIONS, delimiter });
  const feeding = pipeline(Readable.from(chunks), parser).catch((error: unknown) => parser.destroy(error as Error));
  for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: Info }>) {
    yield { line: startLine(record, info), fields: record };
  }
  await feeding;
}

/** Every record of a whole CSV text. */
export async function parseCsv(text: string, delimiter = ','): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of csvRecords([text], delimiter)) records.push(record);
  return records;
}
