import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { batchLines, ConsumerActivity } from '../../../lib/local-platform/activity';
import { lastErrors, RateSamples, sparkline, statusHtml, statusText, type PlatformStatus } from '../../../lib/local-platform/status';

describe('the start terminal’s queue lines', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('a burst of successful batches (a backfill) is one line with its total', () => {
    const lines: string[] = [];
    const batches = batchLines((l) => lines.push(l));
    for (let i = 0; i < 78; i++) batches.batch('process-rates', { received: 10, failed: 0 });
    expect(lines).toEqual([]);
    jest.advanceTimersByTime(2_000);
    expect(lines).toEqual(['process-rates: 780 message(s) in 78 batches, 0 failed']);
  });

  it('a lone batch reads as before, and a failure is printed at once, after the run before it', () => {
    const lines: string[] = [];
    const batches = batchLines((l) => lines.push(l));
    batches.batch('process-rates', { received: 1, failed: 0 });
    jest.advanceTimersByTime(2_000);
    batches.batch('process-rates', { received: 3, failed: 0 });
    batches.batch('process-rates', { received: 1, failed: 1 });
    batches.batch('process-transactions', { received: 0, failed: 0, error: 'connect ECONNREFUSED' });
    expect(lines).toEqual([
      'process-rates: 1 message(s), 0 failed',
      'process-rates: 3 message(s), 0 failed',
      'process-rates: 1 message(s), 1 failed',
      'process-transactions: 0 message(s), 0 failed (connect ECONNREFUSED)',
    ]);
  });
});

describe('what the status page shows', () => {
  it('counts processed and failed messages per consumer and minute over the last hour', () => {
    let now = Date.parse('2026-01-01T12:00:10Z');
    const activity = new ConsumerActivity(() => now);
    activity.record('process-transactions', { received: 30, failed: 2 });
    now += 60_000;
    activity.record('process-transactions', { received: 5, failed: 0 });
    const minutes = activity.perMinute('process-transactions', 3);
    expect(minutes).toEqual([
      { minute: '2026-01-01T11:59:00.000Z', processed: 0, failed: 0 },
      { minute: '2026-01-01T12:00:00.000Z', processed: 28, failed: 2 },
      { minute: '2026-01-01T12:01:00.000Z', processed: 5, failed: 0 },
    ]);
    now += 61 * 60_000;
    expect(activity.perMinute('process-transactions').every((m) => m.processed === 0)).toBe(true);
    // The totals since start outlive the hour: tests wait on them for "processing finished".
    expect(activity.totals()).toEqual({ 'process-transactions': { batches: 2, processed: 33, failed: 2 } });
  });

  it('a sparkline scales decimals exactly: the lowest is the lowest bar, the highest the highest', () => {
    expect(sparkline(['1.0801', '1.0805', '1.0809', '1.0805'])).toBe('▁▅█▅');
    // Values a float would confuse: 0.1 + 0.2 style neighbours 1e-20 apart are still told apart.
    expect(sparkline(['0.30000000000000000001', '0.30000000000000000002', '0.30000000000000000003'])).toBe('▁▅█');
    expect(sparkline(['7', '7'])).toBe('▁▁');
    expect(sparkline([])).toBe('');
  });

  it('keeps the last hour of sampled rates per pair', () => {
    let now = Date.parse('2026-01-01T12:00:00Z');
    const samples = new RateSamples(() => now);
    const latest = (rate: string) => ({ base: 'EUR', rates: [{ quote: 'USD', rate, asOf: '', provider: 'simulated' }] });
    samples.add(latest('1.08'));
    now += 30 * 60_000;
    samples.add(latest('1.09'));
    expect(samples.lastHour('USD')).toEqual(['1.08', '1.09']);
    now += 31 * 60_000;
    expect(samples.lastHour('USD')).toEqual(['1.09']);
    expect(samples.lastHour('JPY')).toEqual([]);
  });

  it('the last errors per function come from the ERROR lines of its log, newest last, at most three', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fx-status-'));
    try {
      const line = (level: string, message: string, error?: string) =>
        JSON.stringify({ level, message, timestamp: `2026-01-01T12:00:0${message.length % 10}Z`, service: 'process-rates', ...(error ? { error: { message: error } } : {}) });
      writeFileSync(
        path.join(dir, 'process-rates.log'),
        [
          line('INFO', 'snapshot stored'),
          line('ERROR', 'message failed', 'one'),
          'not json "ERROR"',
          line('ERROR', 'message failed', 'two'),
          line('ERROR', 'message failed', 'three'),
          line('ERROR', 'Invoke Error', 'process-rates timed out after 30 s'),
          '',
        ].join('\n'),
      );
      const errors = await lastErrors(dir, ['process-rates', 'fetch-rates']);
      expect(errors['fetch-rates']).toEqual([]);
      expect(errors['process-rates'].map((e) => e.message)).toEqual([
        'message failed: two',
        'message failed: three',
        'Invoke Error: process-rates timed out after 30 s',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const status: PlatformStatus = {
    generatedAt: '2026-01-01T12:00:00.000Z',
    queues: [
      { name: 'rates', consumer: 'process-rates', waiting: 0, inFlight: 1, deadLetters: 2 },
      { name: 'rateChanges', waiting: 17, inFlight: 0, deadLetters: 0 },
    ],
    rates: { base: 'EUR', pairs: [{ quote: 'USD', rate: '1.0806838', asOf: '2026-01-01T11:59:00.000Z', provider: 'simulated', lastHour: ['1.08', '1.09'] }] },
    transactions: {
      consumer: 'process-transactions',
      perMinute: [
        { minute: '2026-01-01T11:59:00.000Z', processed: 30, failed: 0 },
        { minute: '2026-01-01T12:00:00.000Z', processed: 4, failed: 0 },
      ],
    },
    consumers: { 'process-rates': { batches: 3, processed: 2, failed: 1 } },
    emails: { inbox: 'http://127.0.0.1:1/', sent: 1, latest: [{ at: '2026-01-01T11:58:00.000Z', to: 'ops@example.com', subject: 'High value <script>' }] },
    errors: { 'process-rates': [{ at: '2026-01-01T11:57:00.000Z', message: 'message failed: rejected' }], 'fetch-rates': [] },
  };

  it('the terminal text: queues with what to run for a DLQ, rates with sparklines, throughput, emails, errors', () => {
    const text = statusText(status, 'http://127.0.0.1:1/status');
    expect(text).toMatch(/^\s+rates\s+0\s+1\s+2\s+process-rates\s+<- npm run redrive -- rates$/m);
    expect(text).toMatch(/^\s+rateChanges\s+17\s+0\s+0\s+\(none yet\)$/m);
    expect(text).toMatch(/^\s+USD\s+1\.0806838\s+▁█\s+simulated 2026-01-01T11:59:00\.000Z$/m);
    expect(text).toContain('Transactions per minute (process-transactions): 30 in the last full minute, 4 so far this minute');
    expect(text).toContain('Emails sent: 1');
    expect(text).toMatch(/process-rates\s+11:57:00\s+message failed: rejected/);
  });

  it('the page escapes what it shows', () => {
    const html = statusHtml(status);
    expect(html).toContain('High value &lt;script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<td>EUR/USD</td>');
  });
});
