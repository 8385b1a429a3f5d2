import { spawnSync } from 'node:child_process';
import { copyFileSync, createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OutgoingMessage } from '../../../lambdas/ports/message-publisher';
import {
  ImportError,
  importTransactions,
  type ImportOptions,
  type RejectedRow,
  type SourceFormat,
} from '../../../lib/import/import-transactions';
import { BUILT_IN_MAPPINGS, detectMapping, loadMapping, MappingError } from '../../../lib/import/mapper';
import { finalNoRates } from '../../../lambdas/use-cases/resolve-rates';
import { RATE_WAIT } from '../../../lib/definitions/resources';
import { ecbFixtureSnapshot, memoryRateSources } from '../../support/rates';

const ROOT = join(__dirname, '..', '..', '..');
const TABFORMER = join(ROOT, 'test/fixtures/transactions/card_transactions_ibm_tabformer_format_mini.csv');
const NOW = new Date('2026-11-05T10:00:00.000Z');

async function* chunksOf(text: string, size = 7) {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

async function run(format: SourceFormat, chunks: AsyncIterable<string>, mapping = 'native', extra: Partial<ImportOptions> = {}) {
  const sent: OutgoingMessage[] = [];
  const rejected: RejectedRow[] = [];
  const summary = await importTransactions({
    format,
    chunks,
    mapping: loadMapping(mapping).mapping,
    transactionsQueue: { publish: async (messages) => void sent.push(...messages) },
    reject: async (row) => void rejected.push(row),
    now: NOW,
    maxFutureSkewSeconds: 300,
    ...extra,
  });
  return { summary, sent, bodies: sent.map((m) => JSON.parse(m.body) as Record<string, unknown>), rejected };
}

describe('importing the IBM TabFormer layout', () => {
  it('maps the real sample: "$134.09" becomes "134.09" exactly, times get a zone, the refund is quarantined', async () => {
    const { summary, sent, bodies, rejected } = await run('csv', createReadStream(TABFORMER, { encoding: 'utf8' }), 'tabformer');

    expect(summary).toEqual({ rows: 5, accepted: 4, quarantined: 1, quarantinedByReason: { INVALID_AMOUNT: 1 } });
    expect(bodies.map(({ transaction_id: _id, ...rest }) => rest)).toEqual([
      { user_id: 'tabformer-user-0', amount: '134.09', currency: 'USD', timestamp: '2002-09-01T06:21:00Z', merchant: '3527213246127876953', merchant_category: 'wholesale' },
      { user_id: 'tabformer-user-0', amount: '38.48', currency: 'USD', timestamp: '2002-09-01T06:42:00Z', merchant: '-727612092139916043', merchant_category: 'groceries' },
      { user_id: 'tabformer-user-1', amount: '1200.55', currency: 'USD', timestamp: '2010-12-31T23:59:00Z', merchant: '987654321', merchant_category: 'restaurants' },
      { user_id: 'tabformer-user-1', amount: '3.99', currency: 'USD', timestamp: '2011-01-01T00:01:00Z', merchant: '987654321', merchant_category: 'restaurants' },
    ]);
    expect(sent[0].body).toContain('"amount":"134.09"');
    expect(rejected).toEqual([
      {
        line: 4,
        reason: 'INVALID_AMOUNT',
        detail: expect.stringContaining('"-25.00"'),
        record: expect.objectContaining({ amount: '-25.00', timestamp: '2002-09-02T17:05:00Z' }),
      },
    ]);
  });

  it('derives the same transaction ids on every run, numbering identical consecutive rows', async () => {
    const [header, row] = readFileSync(TABFORMER, 'utf8').split('\n');
    const csv = `${header}\n${row}\n${row}\n${row}\n`;

    const first = await run('csv', chunksOf(csv), 'tabformer');
    const second = await run('csv', chunksOf(csv), 'tabformer');

    const ids = first.bodies.map((b) => b.transaction_id as string);
    expect(ids[0]).toMatch(/^tabformer-[0-9a-f]{24}$/);
    expect(ids).toEqual([ids[0], `${ids[0]}-2`, `${ids[0]}-3`]);
    expect(second.bodies.map((b) => b.transaction_id)).toEqual(ids);
  });

  it('quarantines a row whose time cannot be read, and one whose date does not exist', async () => {
    const header = readFileSync(TABFORMER, 'utf8').split('\n')[0];
    const csv = `${header}\n0,0,2002,9,1,6h21,$1.00,Swipe,1,X,CA,1.0,5411,,No\n0,0,2002,2,30,06:21,$1.00,Swipe,1,X,CA,1.0,5411,,No\n`;

    const { summary, rejected } = await run('csv', chunksOf(csv), 'tabformer');

    expect(summary.quarantinedByReason).toEqual({ UNMAPPABLE: 1, INVALID_TIMESTAMP: 1 });
    expect(rejected[0]).toMatchObject({ line: 2, reason: 'UNMAPPABLE', detail: 'timestamp: column "Time" has "6h21"' });
    expect(rejected[1]).toMatchObject({ line: 3, reason: 'INVALID_TIMESTAMP' });
  });
});

describe('importing the native layout', () => {
  it('reads CSV with the feed field names, quoting included, and quarantines what validation refuses', async () => {
    const csv = [
      'transaction_id,user_id,amount,currency,timestamp,merchant,merchant_category,country',
      't1,u1,12.50,EUR,2026-11-05T09:00:00+01:00,"Café ""Le Coin"", Paris",restaurants,FR',
      't2,u2,3000.01,USD,2026-11-05T09:59:00Z,"Amazon",,',
      't3,u3,5,,2026-11-05T09:00:00Z,Shop,,',
      't4,u4,5,USD,2026-11-05T09:00:00,Shop,,',
      't5,u5,5,XYZ,2026-11-05T09:00:00Z,Shop,,',
      't6,u6,5,USD,2026-11-05T09:00:00Z,Shop',
    ].join('\r\n');

    const { summary, bodies, rejected } = await run('csv', chunksOf(csv));

    expect(bodies).toEqual([
      { transaction_id: 't1', user_id: 'u1', amount: '12.50', currency: 'EUR', timestamp: '2026-11-05T09:00:00+01:00', merchant: 'Café "Le Coin", Paris', merchant_category: 'restaurants', country: 'FR' },
      { transaction_id: 't2', user_id: 'u2', amount: '3000.01', currency: 'USD', timestamp: '2026-11-05T09:59:00Z', merchant: 'Amazon' },
    ]);
    expect(summary).toEqual({
      rows: 6,
      accepted: 2,
      quarantined: 4,
      quarantinedByReason: { MISSING_FIELD: 1, INVALID_TIMESTAMP: 1, UNSUPPORTED_CURRENCY: 1, UNMAPPABLE: 1 },
    });
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [4, 'MISSING_FIELD'],
      [5, 'INVALID_TIMESTAMP'],
      [6, 'UNSUPPORTED_CURRENCY'],
      [7, 'UNMAPPABLE'],
    ]);
    expect(rejected[3].detail).toBe('row has 6 fields, the header has 8');
  });

  it('reads NDJSON keeping every number as written, and quarantines lines that are not objects', async () => {
    const ndjson = [
      '{"transaction_id":"n1","user_id":"u1","amount":12.50,"currency":"JPY","timestamp":"2026-11-05T18:00:00+09:00","merchant":"Lawson","extra":true}',
      '',
      '{"transaction_id":"n2","user_id":"u2","amount":"0.00100000","currency":"BTC","timestamp":"2026-11-05T09:00:00Z","merchant":"Coinbase"}',
      '{"transaction_id":"n3", oops',
      '[1,2]',
      '{"transaction_id":"n4","user_id":"u4","amount":0.12345678901234567,"currency":"USD","timestamp":"2026-11-05T09:00:00Z","merchant":"M"}',
    ].join('\n');

    const { summary, sent, rejected } = await run('ndjson', chunksOf(ndjson, 5));

    expect(sent.map((m) => m.body)).toEqual([
      '{"transaction_id":"n1","user_id":"u1","amount":12.50,"currency":"JPY","timestamp":"2026-11-05T18:00:00+09:00","merchant":"Lawson"}',
      '{"transaction_id":"n2","user_id":"u2","amount":"0.00100000","currency":"BTC","timestamp":"2026-11-05T09:00:00Z","merchant":"Coinbase"}',
    ]);
    expect(summary.quarantinedByReason).toEqual({ MALFORMED: 2, INVALID_AMOUNT: 1 });
    expect(rejected.map((r) => [r.line, r.reason])).toEqual([
      [4, 'MALFORMED'],
      [5, 'MALFORMED'],
      [6, 'INVALID_AMOUNT'],
    ]);
  });

  it('counts a row older than every rate for its currency as quarantined (NO_RATE_AT_TIME), not accepted', async () => {
    const rates = memoryRateSources({ fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }], crypto: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }] }, [ecbFixtureSnapshot()]);
    const noRateAt: ImportOptions['noRateAt'] = (transactions) => finalNoRates(rates, 'USD', transactions, RATE_WAIT);
    const ndjson = [
      '{"transaction_id":"old","user_id":"u1","amount":"10","currency":"EUR","timestamp":"2002-09-01T06:21:00Z","merchant":"M"}',
      '{"transaction_id":"new","user_id":"u2","amount":"10","currency":"EUR","timestamp":"2022-07-08T15:00:00Z","merchant":"M"}',
      '{"transaction_id":"usd","user_id":"u3","amount":"10","currency":"USD","timestamp":"2002-09-01T06:21:00Z","merchant":"M"}',
    ].join('\n');

    const { summary, bodies, rejected } = await run('ndjson', chunksOf(ndjson), 'native', { noRateAt });

    expect(summary).toEqual({ rows: 3, accepted: 2, quarantined: 1, quarantinedByReason: { NO_RATE_AT_TIME: 1 } });
    expect(bodies.map((b) => b.transaction_id)).toEqual(['new', 'usd']);
    expect(rejected).toEqual([
      {
        line: 1,
        reason: 'NO_RATE_AT_TIME',
        detail: 'No rate for EUR was in force at 2002-09-01T06:21:00.000Z: the first publication of ecb with EUR is later',
        record: expect.objectContaining({ transaction_id: 'old' }),
      },
    ]);
  });

  it('refuses a CSV whose header lacks the columns of the mapping, sending nothing', async () => {
    const sent: OutgoingMessage[] = [];
    const queue = { publish: async (messages: readonly OutgoingMessage[]) => void sent.push(...messages) };
    await expect(run('csv', chunksOf('id,amount\n1,2\n'), 'native', { transactionsQueue: queue })).rejects.toThrow(
      new ImportError('the header has no column "transaction_id", "user_id", "currency", "timestamp", "merchant" (header: id, amount)'),
    );
    expect(sent).toEqual([]);
  });
});

describe('importing records that do not fit where they go', () => {
  const line = (record: Record<string, unknown>) => JSON.stringify({ transaction_id: 'ok', user_id: 'u1', amount: '1.00', currency: 'USD', timestamp: '2026-11-05T09:00:00Z', merchant: 'Shop', ...record });

  it('quarantines an id DynamoDB cannot key and a line that writes a key twice, sends the rest, and never a message SQS refuses', async () => {
    const ndjson = [
      line({ transaction_id: 'ok-1' }),
      line({ transaction_id: '€'.repeat(1000) }),
      line({ transaction_id: 'huge', notes: 'n'.repeat(1_100_000) }),
      line({ transaction_id: 'long', merchant: 'm'.repeat(1_100_000) }),
      line({ transaction_id: 'dup' }).replace('}', ',"amount":"1000"}'),
      line({ transaction_id: 'ok-2', merchant: 'a\uFFFFb' }),
    ].join('\n');

    const { summary, sent, bodies, rejected } = await run('ndjson', chunksOf(ndjson, 65_536));

    expect(summary).toEqual({ rows: 6, accepted: 3, quarantined: 3, quarantinedByReason: { KEY_TOO_LONG: 1, MALFORMED: 2 } });
    // The mapping keeps only the contract's fields: the 1.1 MB of notes never reach the queue.
    expect(bodies.map((b) => b.transaction_id)).toEqual(['ok-1', 'huge', 'ok-2']);
    expect(Math.max(...sent.map((m) => Buffer.byteLength(m.body)))).toBeLessThan(1000);
    expect(sent[2].body).toContain('"merchant":"a\\uffffb"');
    expect(rejected.map((r) => [r.line, r.reason, r.detail])).toEqual([
      [2, 'KEY_TOO_LONG', 'transaction_id is 3000 bytes in UTF-8; DynamoDB keys hold at most 2048'],
      [4, 'MALFORMED', 'merchant is longer than 1024 characters'],
      [5, 'MALFORMED', 'the record has the key "amount" more than once'],
    ]);
  });

  it('refuses a CSV whose header names a column twice, sending nothing', async () => {
    const csv = 'transaction_id,user_id,amount,currency,timestamp,merchant,amount\nt1,u1,1.00,USD,2026-11-05T09:00:00Z,Shop,1000\n';

    await expect(run('csv', chunksOf(csv))).rejects.toThrow(new ImportError('the header names the column "amount" more than once'));
  });
});

describe('column mappings', () => {
  it('recognises the built-in layouts from a CSV header', () => {
    const tabformerHeader = readFileSync(TABFORMER, 'utf8').split('\n')[0].split(',');
    expect(detectMapping(tabformerHeader)).toBe('tabformer');
    expect(detectMapping(['transaction_id', 'user_id', 'amount', 'currency', 'timestamp', 'merchant'])).toBe('native');
    expect(detectMapping(['id', 'amount'])).toBeUndefined();
    expect(Object.keys(BUILT_IN_MAPPINGS)).toEqual(['native', 'tabformer']);
  });

  it('loads a mapping file and explains what is wrong with a bad one', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mapping-'));
    try {
      const good = join(dir, 'acme.json');
      writeFileSync(good, JSON.stringify({ fields: { transaction_id: 'Ref', user_id: 'Customer', amount: 'Amount', currency: { value: 'EUR' }, timestamp: 'At', merchant: 'Payee' } }));
      expect(loadMapping(good).mapping.fields.currency).toEqual({ value: 'EUR' });

      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ fields: { transaction_id: 'Ref', amount: { column: 'A', transform: 'guess' } } }));
      expect(() => loadMapping(bad)).toThrow(MappingError);
      expect(() => loadMapping(bad)).toThrow(/user_id/);
      expect(() => loadMapping('nope')).toThrow('no mapping "nope": use native, tabformer or a mapping file');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('npm run import:transactions (dry run)', () => {
  it('prints and writes the summary and writes rejected rows next to the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'import-cli-'));
    try {
      const file = join(dir, 'export.csv');
      copyFileSync(TABFORMER, file);

      const result = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/import-transactions.ts'), file, '--dry-run'], {
        encoding: 'utf8',
        env: { ...process.env, FX_LOCAL_DIR: dir },
      });

      expect(result.stderr).toContain('mapping tabformer');
      // A rejected row is not a success: the import says so with its exit code.
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('1 row(s) rejected before sending, with their reasons, in');
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({ file, format: 'csv', mapping: 'tabformer', rows: 5, accepted: 4, quarantined: 1, rejectedFile: `${file}.rejected.jsonl` });
      expect(JSON.parse(readFileSync(`${file}.summary.json`, 'utf8'))).toEqual(summary);
      const rejected = readFileSync(`${file}.rejected.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(rejected).toEqual([expect.objectContaining({ line: 4, reason: 'INVALID_AMOUNT' })]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('explains itself when given no file', () => {
    const result = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/import-transactions.ts')], { encoding: 'utf8' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('Usage: npm run import:transactions');
  });
});
