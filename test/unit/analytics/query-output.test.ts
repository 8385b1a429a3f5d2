import { parseRequest, runQueryCli, type EngineFactory } from '../../../lib/analytics/query-cli';
import { namedQuery } from '../../../lib/analytics/named-queries';
import { formatResult, QueryError, type QueryResult } from '../../../lib/analytics/query-result';

const RESULT: QueryResult = {
  columns: [
    { name: 'merchant', type: 'VARCHAR' },
    { name: 'transactions', type: 'BIGINT' },
    { name: 'amount_base', type: 'DECIMAL(38,18)' },
    { name: 'note', type: 'VARCHAR' },
  ],
  rows: [
    ['Corner Shop', '2', '112.490000000000000000', null],
    ['Grand "Hotel", Rome', '12', '1775.000000000000000000', 'line1\nline2'],
  ],
};

describe('formatResult', () => {
  it('aligns a table: text left, numbers right, NULL spelled out, a row count', () => {
    expect(formatResult(RESULT, 'table')).toBe(
      [
        'merchant            | transactions |             amount_base | note',
        '--------------------+--------------+-------------------------+-------------',
        'Corner Shop         |            2 |  112.490000000000000000 | NULL',
        'Grand "Hotel", Rome |           12 | 1775.000000000000000000 | line1\\nline2',
        '(2 rows)',
        '',
      ].join('\n'),
    );
  });

  it('writes JSON objects with every value a string (decimals keep their digits) and null for NULL', () => {
    expect(JSON.parse(formatResult(RESULT, 'json'))).toEqual([
      { merchant: 'Corner Shop', transactions: '2', amount_base: '112.490000000000000000', note: null },
      { merchant: 'Grand "Hotel", Rome', transactions: '12', amount_base: '1775.000000000000000000', note: 'line1\nline2' },
    ]);
  });

  it('writes RFC 4180 CSV: a header, quotes where needed, NULL as an empty field, "" for an empty string', () => {
    expect(formatResult({ ...RESULT, rows: [...RESULT.rows, ['', '0', '0.000000000000000000', null]] }, 'csv')).toBe(
      'merchant,transactions,amount_base,note\n' +
        'Corner Shop,2,112.490000000000000000,\n' +
        '"Grand ""Hotel"", Rome",12,1775.000000000000000000,"line1\nline2"\n' +
        '"",0,0.000000000000000000,\n',
    );
  });

  it('says (0 rows) for an empty answer', () => {
    expect(formatResult({ columns: [{ name: 'n', type: 'BIGINT' }], rows: [] }, 'table')).toBe('n\n-\n(0 rows)\n');
  });
});

describe('npm run query arguments', () => {
  it('reads an engine, SQL and a format', () => {
    expect(parseRequest(['athena', 'select 1', '--csv'])).toEqual({ engine: 'athena', sql: 'select 1', format: 'csv', stage: undefined });
    expect(parseRequest(['warehouse', 'select 1', '--stage', 'prod'])).toEqual({ engine: 'warehouse', sql: 'select 1', format: 'table', stage: 'prod' });
  });

  it('runs a named query from its .sql file', () => {
    expect(parseRequest(['athena', '--named', 'daily-ohlc', '--json']).sql).toBe(namedQuery('daily-ohlc').sql);
  });

  it.each([
    [[], /say which engine: athena or warehouse/],
    [['mysql', 'select 1'], /not "mysql"/],
    [['athena'], /no SQL/],
    [['athena', '   '], /no SQL/],
    [['athena', 'select 1', '--json', '--csv'], /choose one of --json and --csv/],
    [['athena', 'select 1', '--named', 'daily-ohlc'], /either SQL or --named/],
    [['warehouse', '--named', 'daily-ohlc'], /named queries are Athena queries/],
    [['athena', 'select', '1'], /one SQL statement, quoted/],
    [['athena', 'select 1', '--bogus'], /Unknown option '--bogus'/],
    [['athena', '--named', 'nope'], /no named query "nope": use one of conversions-per-partner, daily-ohlc/],
  ])('refuses %j', (argv, message) => {
    expect(() => parseRequest(argv)).toThrow(message);
  });
});

describe('runQueryCli exit codes', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (t: string) => void out.push(t), err: (t: string) => void err.push(t) } };
  };
  const engines = (run: (sql: string) => Promise<QueryResult>): EngineFactory => async () => ({ run, close: () => undefined });

  it('prints the result and exits 0', async () => {
    const { out, io: cli } = io();
    expect(await runQueryCli(['warehouse', 'select 1', '--json'], cli, engines(async () => RESULT))).toBe(0);
    expect(JSON.parse(out.join(''))).toHaveLength(2);
  });

  it('exits 1 with the engine’s message when the SQL is bad', async () => {
    const { err, io: cli } = io();
    const code = await runQueryCli(['athena', 'selec 1'], cli, engines(async () => Promise.reject(new QueryError('syntax error at or near "selec"'))));
    expect([code, err.join('')]).toEqual([1, 'query failed: syntax error at or near "selec"\n']);
  });

  it('exits 2 with the usage for an unknown named query, without opening an engine', async () => {
    const { err, io: cli } = io();
    const opened = jest.fn();
    expect(await runQueryCli(['athena', '--named', 'nope'], cli, async () => opened())).toBe(2);
    expect(err.join('')).toMatch(/no named query "nope"[\s\S]*Usage:/);
    expect(opened).not.toHaveBeenCalled();
  });

  it('exits 1 when the platform cannot be reached', async () => {
    const { err, io: cli } = io();
    expect(await runQueryCli(['athena', 'select 1'], cli, async () => Promise.reject(new Error('the local platform is not running')))).toBe(1);
    expect(err.join('')).toBe('the local platform is not running\n');
  });

  it('lists the named queries with their descriptions', async () => {
    const { out, io: cli } = io();
    expect(await runQueryCli(['athena', '--list'], cli)).toBe(0);
    expect(out.join('')).toMatch(/^conversions-per-partner\s+Conversions per partner and currency pair/);
  });
});
