import { CsvError, csvRecords, parseCsv } from '../../../lib/import/csv';

const fields = async (text: string, delimiter?: string) => (await parseCsv(text, delimiter)).map((r) => r.fields);

describe('parseCsv (RFC 4180, csv-parse)', () => {
  it('splits plain fields and keeps empty ones', async () => {
    expect(await fields('a,b,c\n1,,3\n,,\n')).toEqual([['a', 'b', 'c'], ['1', '', '3'], ['', '', '']]);
  });

  it('reads quoted fields holding commas, doubled quotes and line breaks', async () => {
    const text = 'id,merchant,note\r\n1,"Acme, Inc.","said ""hi"""\r\n2,"Two\r\nLines","multi\nline"\r\n';
    expect(await fields(text)).toEqual([
      ['id', 'merchant', 'note'],
      ['1', 'Acme, Inc.', 'said "hi"'],
      ['2', 'Two\r\nLines', 'multi\nline'],
    ]);
  });

  it('ends records at CRLF, LF or CR, with or without a final line break', async () => {
    expect(await fields('a,b\r\n1,2\n3,4\r5,6')).toEqual([['a', 'b'], ['1', '2'], ['3', '4'], ['5', '6']]);
  });

  it('drops a byte order mark and skips blank lines', async () => {
    expect(await fields('\uFEFFa,b\n\n1,2\r\n\r\n')).toEqual([['a', 'b'], ['1', '2']]);
  });

  it('keeps an empty quoted field, and a quote inside an unquoted field as text', async () => {
    expect(await fields('"",x\nsay "hi",y\n')).toEqual([['', 'x'], ['say "hi"', 'y']]);
  });

  it('reports the line each record starts on, counting line breaks inside quotes', async () => {
    const records = await parseCsv('h1,h2\n"a\nb",c\n\nd,e\n"x\r\ny",z\n');
    expect(records.map((r) => r.line)).toEqual([1, 2, 5, 6]);
  });

  it('fails on a quoted field that is never closed', async () => {
    await expect(parseCsv('a,b\n1,"open\n2,3\n')).rejects.toThrow(CsvError);
    await expect(parseCsv('a,b\n1,"open\n2,3\n')).rejects.toThrow(/Quote Not Closed/);
  });

  it('reads another delimiter when told', async () => {
    expect(await fields('a;b\n"1;5";2\n', ';')).toEqual([['a', 'b'], ['1;5', '2']]);
  });

  it('gives the same records however the text is split into chunks', async () => {
    const text = 'id,name\r\n1,"A ""quoted"", name"\r\n2,"line\r\nbreak"\r\n3,plain';
    async function* oneCharAtATime() {
      for (const char of text) yield char;
    }
    const streamed = [];
    for await (const record of csvRecords(oneCharAtATime())) streamed.push(record);
    expect(streamed).toEqual(await parseCsv(text));
  });
});
