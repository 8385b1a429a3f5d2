import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { GetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { QUEUES } from '../../lib/definitions/resources';
import { queueDepth } from '../../lib/cli/command-run';
import { inboxEmails } from '../../lib/local-platform/email';
import { eventually, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';
import { rawPublications } from '../support/lake';

jest.setTimeout(300_000);

const REPO_ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'rates');
const HISTORY_FILE = path.join(FIXTURES, 'ecb_eurofxref-hist_2024-12-16_2025-01-10.xml');
/** USD per EUR on each day of the real history file, exactly as ECB published it. */
const USD_BY_DAY = new Map(
  [...readFileSync(HISTORY_FILE, 'utf8').matchAll(/<Cube time="(\d{4}-\d{2}-\d{2})"><Cube currency="USD" rate="([0-9.]+)"\/>/g)].map((m) => [m[1], m[2]]),
);
const DAILY_2022 = readFileSync(path.join(FIXTURES, 'ecb_eurofxref-daily_2022-07-08.xml'), 'utf8');

/** Starts `npm run mirror -- <file> --port 0` and returns the directory URL it prints. */
async function startMirror(file: string): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'bin/mirror.ts', file, '--port', '0'], { cwd: REPO_ROOT });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const url = await eventually(async () => /(http:\/\/127\.0\.0\.1:\d+\/stats\/eurofxref\/)\s/.exec(output)?.[1], 30_000, `the mirror's URL in:\n${output}`);
  return { url, child };
}

describe('operator commands against npm start', () => {
  let platform: PlatformProcess;
  let sqs: SQSClient;
  let documents: DynamoDBDocumentClient;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    ({ sqs, dynamodb: documents } = platform.clients);
  });
  afterAll(async () => {
    await platform?.stop();
  });

  /**
   * USD per EUR of each ECB publication stored in the rates table's ECB series, by rate date, as
   * published. (This platform's policy answers from the simulated feed, so the API does not serve them.)
   */
  const storedEcbUsd = async (): Promise<Map<string, string>> => {
    const result = await documents.send(
      new QueryCommand({ TableName: platform.endpoints.resources.tables.rates, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': 'SERIES#ecb#EUR' } }),
    );
    return new Map((result.Items ?? []).map((i) => [String(i.rateDate), String((i.rates as Record<string, { published: string }>).USD.published)]));
  };

  it('backfill from a local mirror of a real ECB history file: progress, then a summary once process-rates has taken every day', async () => {
    const mirror = await startMirror(HISTORY_FILE);
    try {
      const result = await platform.backfill(['--provider', 'ecb', '--from', '2024-12-16', '--to', '2025-01-10', '--url', mirror.url]);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ snapshots: USD_BY_DAY.size, sent: USD_BY_DAY.size, processed: USD_BY_DAY.size, failed: 0, unfinished: 0 });
      expect(result.stderr).toContain(`backfill: ${USD_BY_DAY.size} snapshot(s) sent; ${USD_BY_DAY.size} processed, 0 quarantined, 0 failed. Done.`);
    } finally {
      mirror.child.kill('SIGINT');
    }
    // Processed means stored: one history item per published day, with ECB's own digits.
    expect(await storedEcbUsd()).toEqual(USD_BY_DAY);
  });

  it('replay re-queues quarantined records, waits for process-transactions and exits 1 when one is quarantined again', async () => {
    const { s3 } = platform.clients;
    const stamp = Date.now();
    const record = (id: string, timestamp: string) => ({
      transaction_id: id,
      amount: '25.00',
      currency: 'EUR',
      timestamp,
      merchant: 'Corner Shop',
      user_id_hash: 'a'.repeat(64),
    });
    // Quarantined long ago (its own dt= day, so nothing else the platform quarantined is picked up).
    // Not older than the platform's first simulated publication (its first tick can be stored
    // after start-up), so a rate exists for it however fast the tests before this one ran.
    const [first] = await eventually(async () => {
      const publications = await rawPublications(s3, platform.endpoints.resources.buckets.dataLake);
      return publications.length > 0 ? publications : undefined;
    }, 90_000, 'a first simulated publication under raw/rates/');
    const fixed = record(`replay-ok-${stamp}`, new Date(Math.max(stamp - 20_000, Date.parse(first.inForceFrom) + 1_000)).toISOString());
    const hopeless = record(`replay-old-${stamp}`, '2002-09-02T17:05:00.000Z');
    const line = (r: object) => JSON.stringify({ messageId: `m-${stamp}`, reason: 'NO_RATE_AT_TIME', detail: 'no rate yet', record: r });
    await s3.send(
      new PutObjectCommand({
        Bucket: platform.endpoints.resources.buckets.dataLake,
        Key: `quarantine/transactions/dt=2001-01-01/replay-${stamp}.jsonl`,
        Body: `${line(fixed)}\n${line(hopeless)}\n`,
      }),
    );
    const result = await platform.run('replay', ['quarantine', '--reason', 'NO_RATE_AT_TIME', '--from', '2001-01-01', '--to', '2001-01-01', '--wait', '3']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ reason: 'NO_RATE_AT_TIME', matched: 2, requeued: 2, sent: 2, processed: 1, quarantined: 1, failed: 0, unfinished: 0 });
    expect(result.stderr).toContain('replay: 2 record(s) sent; 1 processed, 1 quarantined, 0 failed.');
    expect(result.stderr).toContain('1 record(s) were quarantined again (NO_RATE_AT_TIME)');
    // Processed means stored: the transaction is in the table, the hopeless one is not.
    const stored = async (id: string) => (await documents.send(new GetCommand({ TableName: platform.endpoints.resources.tables.transactions, Key: { transaction_id: id } }))).Item;
    expect(await stored(fixed.transaction_id)).toMatchObject({ transaction_id: fixed.transaction_id, user_id_hash: fixed.user_id_hash, currency: 'EUR' });
    expect(await stored(hopeless.transaction_id)).toBeUndefined();
  });

  it('import exits 1 and says why when rows are rejected and one cannot be processed in time', async () => {
    const dir = path.join(tmpdir(), `fx-import-${Date.now()}`);
    const file = `${dir}.ndjson`;
    const now = new Date().toISOString();
    const rows = [
      { transaction_id: `ok-1-${Date.now()}`, user_id: 'u-1', amount: '12.50', currency: 'USD', timestamp: now, merchant: 'Corner Shop' },
      { transaction_id: `ok-2-${Date.now()}`, user_id: 'u-2', amount: '99.99', currency: 'USD', timestamp: now, merchant: 'Book Store' },
      { transaction_id: `bad-${Date.now()}`, user_id: 'u-3', amount: 'twelve', currency: 'USD', timestamp: now, merchant: 'Corner Shop' },
      // Before the first simulated publication: no rate can ever be found, so the import rejects it.
      { transaction_id: `old-${Date.now()}`, user_id: 'u-4', amount: '10.00', currency: 'EUR', timestamp: '2002-09-02T17:05:00Z', merchant: 'Old Shop' },
      // Two minutes ahead: its rate is not published yet, so process-transactions waits for it, longer than the command.
      { transaction_id: `soon-${Date.now()}`, user_id: 'u-5', amount: '10.00', currency: 'EUR', timestamp: new Date(Date.now() + 120_000).toISOString(), merchant: 'Early Shop' },
    ];
    writeFileSync(file, rows.map((r) => JSON.stringify(r)).join('\n'));
    try {
      const result = await platform.run('import-transactions', [file, '--wait', '0.4']);
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ sent: 3, processed: 2, quarantined: 2, failed: 0, unfinished: 1 });
      expect(result.stderr).toContain('import: 3 transaction(s) sent; 2 processed, 2 quarantined, 0 failed, 1 not finished.');
      expect(result.stderr).toMatch(/1 still on the transactions queue/);
      const rejects = readFileSync(`${file}.rejected.jsonl`, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      expect(rejects.sort((a, b) => a.reason.localeCompare(b.reason))).toEqual([
        expect.objectContaining({ reason: 'INVALID_AMOUNT', record: expect.objectContaining({ transaction_id: rows[2].transaction_id }) }),
        expect.objectContaining({ reason: 'NO_RATE_AT_TIME', record: expect.objectContaining({ transaction_id: rows[3].transaction_id }) }),
      ]);
    } finally {
      rmSync(file, { force: true });
      rmSync(`${file}.rejected.jsonl`, { force: true });
      rmSync(`${file}.summary.json`, { force: true });
    }
  });

  it('redrive moves a DLQ back to its queue: a fixed message is processed, a poisoned one fails again and exits 1', async () => {
    const queue = { label: 'rates', ...platform.endpoints.resources.queues.rates };
    // A snapshot that died in an outage, whose cause is fixed now: a real ECB day.
    const { parseEcbXml } = await import('../../lambdas/adapters/http/ecb-rate-provider');
    const snapshot = parseEcbXml(DAILY_2022, new Date())[0];
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.dlqUrl, MessageBody: JSON.stringify(snapshot) }));
    await eventually(async () => ((await queueDepth(sqs, queue)).deadLetters === 1 ? true : undefined), 10_000, 'the message in the DLQ');

    const fixed = await platform.run('redrive', ['rates']);
    expect({ code: fixed.code, stderr: fixed.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('redrive: 1 message(s) sent; 1 processed, 0 quarantined, 0 failed. Done.') });
    expect(JSON.parse(fixed.stdout)).toMatchObject({ queue: 'rates', moved: 1, processed: 1, failed: 0 });
    expect((await queueDepth(sqs, queue)).deadLetters).toBe(0);
    expect((await storedEcbUsd()).get('2022-07-08')).toBe('1.0163');

    // Still poisoned: fails its maxReceiveCount receives (6 s apart for the test) and is dead-lettered again.
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { VisibilityTimeout: '6' } }));
    const poison = `{"snapshotId":"poison-${Date.now()}","rates":[]}`;
    await sqs.send(new SendMessageCommand({ QueueUrl: queue.dlqUrl, MessageBody: poison }));
    const again = await platform.run('redrive', ['rates', '--wait', '3']);
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ moved: 1, processed: 0, failed: 1 });
    expect(again.stderr).toContain('failed again');
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, WaitTimeSeconds: 1, VisibilityTimeout: 30 }));
    expect(dead.Messages?.map((m) => m.Body)).toEqual([poison]);

    // The status shows the DLQ, what to run, and process-rates' last errors.
    const status = await platform.cli(['status']);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^\s+rates\s+\d+\s+\d+\s+1\s+process-rates\s+<- npm run redrive -- rates$/m);
    expect(status.stdout).toMatch(/Last errors per function[\s\S]*process-rates\s+\d\d:\d\d:\d\d\s+snapshot message failed/);
  });

  it('status prints every queue, the latest rates, transactions per minute and emails; the page serves the same', async () => {
    // The simulated feed's high-value transactions may bring a digest e-mail while this runs.
    const mailedBefore = (await inboxEmails(platform.endpoints.services.ses)).length;
    const status = await eventually(async () => {
      const result = await platform.cli(['status']);
      return /USD\s+\d/.test(result.stdout) ? result : undefined;
    }, 90_000, 'latest rates in the status');
    expect(status.code).toBe(0);
    for (const name of Object.keys(QUEUES)) expect(status.stdout).toMatch(new RegExp(`^\\s+${name}\\s+\\d+\\s+\\d+\\s+\\d+\\s`, 'm'));
    expect(status.stdout).toContain('Latest rates (base EUR');
    expect(status.stdout).toMatch(/Transactions per minute \(process-transactions\): \d+/);
    const mailedAfter = (await inboxEmails(platform.endpoints.services.ses)).length;
    const emailsSent = Number(/Emails sent: (\d+)/.exec(status.stdout)?.[1]);
    expect(emailsSent).toBeGreaterThanOrEqual(mailedBefore);
    expect(emailsSent).toBeLessThanOrEqual(mailedAfter);

    const page = await fetch(platform.endpoints.status);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    for (const name of Object.keys(QUEUES)) expect(html).toContain(`<td>${name}</td>`);
    expect(html).toContain('EUR/USD');
    expect(platform.output()).toContain(`Status page      ${platform.endpoints.status}`);
  });
});
