import { CsvError, CsvParser, csvRecords, parseCsv } from '../../../lib/import/csv';

const fields = (text: string, delimiter?: string) => parseCsv(text, delimiter).map((r) => r.fields);

describe('parseCsv (RFC 4180)', () => {
  it('splits plain fields and keeps empty ones', () => {
    expect(fields('a,b,c\n1,,3\n,,\n')).toEqual([['a', 'b', 'c'], ['1', '', '3'], ['', '', '']]);
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks', () => {
    const text = 'id,merchant,note\r\n1,"Acme, Inc.","said ""hi"""\r\n2,"Two\r\nLines","multi\nline"\r\n';
    expect(fields(text)).toEqual([
      ['id', 'merchant', 'note'],
      ['1', 'Acme, Inc.', 'said "hi"'],
      ['2', 'Two\r\nLines', 'multi\nline'],
    ]);
  });

  it('ends records at CRLF, LF or CR, with or without a final line break', () => {
    expect(fields('a,b\r\n1,2\n3,4\r5,6')).toEqual([['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']]);
  });

  it('drops a byte order mark and skips blank lines', () => {
    expect(fields('\uFEFFa,b\n\n1,2\r\n\r\n')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps an empty quoted field and text around stray quotes', () => {
    expect(fields('"",x\nsay "hi",y\n"a"b,z')).toEqual([['', 'x'], ['say "hi"', 'y'], ['ab', 'z']]);
  });

  it('reports the line each record starts on, counting line breaks inside quotes', () => {
    const records = parseCsv('h1,h2\n"a\nb",c\n\nd,e\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5]);
  });

  it('fails on a quoted field that is never closed, naming its line', () => {
    expect(() => parseCsv('a,b\n1,"open\n2,3\n')).toThrow(new CsvError('line 2: a quoted field is never closed'));
  });

  it('reads another delimiter when told', () => {
    expect(fields('a;b\n"1;5";2\n', ';')).toEqual([['a', 'b'], ['1;5', '2']]);
  });

  it('gives the same records however the text is split into chunks', async () => {
    const text = 'id,name\r\n1,"A ""quoted"", name"\r\n2,"line\r\nbreak"\r\n3,plain';
    async function* oneCharAtATime() {
      for (const char of text) yield char;
    }
    const streamed = [];
    for await (const record of csvRecords(oneCharAtATime())) streamed.push(record);
    expect(streamed).toEqual(parseCsv(text));
  });

  it('refuses a delimiter that cannot work', () => {
    expect(() => new CsvParser('"')).toThrow(CsvError);
    expect(() => new CsvParser(';;')).toThrow(CsvError);
  });
});
