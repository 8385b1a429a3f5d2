/** A CSV record and the (1-based) line of the file it starts on. */
export interface CsvRecord {
  readonly line: number;
  readonly fields: string[];
}

export class CsvError extends Error {
  override readonly name = 'CsvError';
}

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted';

/**
 * RFC 4180 CSV, fed in chunks of any size: quoted fields may hold the delimiter, `""` and line
 * breaks; records end at CRLF, LF or CR. Lenient where exports are sloppy: a quote inside an
 * unquoted field, or text after a closing quote, is kept as text. Blank lines are skipped.
 */
export class CsvParser {
  private state: State = 'fieldStart';
  private field = '';
  private fields: string[] = [];
  private line = 1;
  private recordLine = 1;
  private afterCr = false;
  private started = false;

  constructor(private readonly delimiter = ',') {
    if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
      throw new CsvError(`delimiter must be one character other than a quote or a line break; got ${JSON.stringify(delimiter)}`);
    }
  }

  /** The records completed by this chunk. */
  push(chunk: string): CsvRecord[] {
    const records: CsvRecord[] = [];
    let text = chunk;
    if (!this.started && text.length > 0) {
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    for (const char of text) {
      const crlf = char === '\n' && this.afterCr;
      this.afterCr = char === '\r';
      if (char === '\r' || (char === '\n' && !crlf)) this.line += 1;
      if (crlf && this.state !== 'quoted') continue; // the LF of a CRLF record end
      switch (this.state) {
        case 'quoted':
          if (char === '"') this.state = 'quoteInQuoted';
          else this.field += char;
          break;
        case 'quoteInQuoted':
          if (char === '"') {
            this.field += '"';
            this.state = 'quoted';
          } else {
            this.state = 'unquoted';
            this.unquoted(char, records);
          }
          break;
        case 'fieldStart':
          if (this.fields.length === 0 && this.field === '') this.recordLine = this.lineOf(char);
          if (char === '"') this.state = 'quoted';
          else {
            this.state = 'unquoted';
            this.unquoted(char, records);
          }
          break;
        case 'unquoted':
          this.unquoted(char, records);
          break;
      }
    }
    return records;
  }

  /** The last record when the input does not end with a line break. */
  end(): CsvRecord[] {
    if (this.state === 'quoted') {
      throw new CsvError(`line ${this.recordLine}: a quoted field is never closed`);
    }
    const records: CsvRecord[] = [];
    if (this.state !== 'fieldStart' || this.fields.length > 0) this.endRecord(records);
    return records;
  }

  private unquoted(char: string, records: CsvRecord[]): void {
    if (char === this.delimiter) {
      this.fields.push(this.field);
      this.field = '';
      this.state = 'fieldStart';
    } else if (char === '\n' || char === '\r') {
      this.endRecord(records);
    } else {
      this.field += char;
    }
  }

  private endRecord(records: CsvRecord[]): void {
    this.fields.push(this.field);
    const blank = this.fields.length === 1 && this.fields[0] === '';
    if (!blank) records.push({ line: this.recordLine, fields: this.fields });
    this.fields = [];
    this.field = '';
    this.state = 'fieldStart';
  }

  /** A record that starts with a line break (a blank line) starts on the line before. */
  private lineOf(char: string): number {
    return char === '\n' || char === '\r' ? this.line - 1 : this.line;
  }
}

/** Every record of a whole CSV text. */
export function parseCsv(text: string, delimiter = ','): CsvRecord[] {
  const parser = new CsvParser(delimiter);
  return [...parser.push(text), ...parser.end()];
}

/** Records of a stream of text chunks (a file read with an encoding). */
export async function* csvRecords(chunks: AsyncIterable<string>, delimiter = ','): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser(delimiter);
  for await (const chunk of chunks) yield* parser.push(chunk);
  yield* parser.end();
}
