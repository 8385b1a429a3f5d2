import { PassThrough } from 'node:stream';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  commandArgs,
  exitCodeOf,
  finish,
  progressLine,
  settledCounts,
  waitOption,
  waitUntilProcessed,
  type CommandOutcome,
  type QueueDepth,
} from '../../../lib/cli/command-run';

const QUEUE = { label: 'rates', url: 'http://sqs/rates', dlqUrl: 'http://sqs/rates-dlq' };
const sqsMock = mockClient(SQSClient);

/** Answers GetQueueAttributes from a script of depths, one per poll (the last one repeats). */
function scriptDepths(depths: readonly QueueDepth[]): void {
  let poll = 0;
  sqsMock.on(GetQueueAttributesCommand).callsFake((input: { QueueUrl: string }) => {
    const depth = depths[Math.min(poll, depths.length - 1)];
    const attributes =
      input.QueueUrl === QUEUE.dlqUrl
        ? { ApproximateNumberOfMessages: String(depth.deadLetters), ApproximateNumberOfMessagesNotVisible: '0' }
        : { ApproximateNumberOfMessages: String(depth.waiting), ApproximateNumberOfMessagesNotVisible: String(depth.inFlight) };
    if (input.QueueUrl === QUEUE.dlqUrl) poll += 1;
    return { Attributes: attributes };
  });
}

function capture() {
  const chunks: string[] = [];
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  (stream as unknown as PassThrough).on('data', (c) => chunks.push(String(c)));
  return { stream, text: () => chunks.join('') };
}

beforeEach(() => sqsMock.reset());

describe('waiting until queued records are processed', () => {
  const before = { waiting: 0, inFlight: 0, deadLetters: 2 };
  let clock = 0;
  const fake = { now: () => clock, sleep: async (ms: number) => void (clock += ms) };
  beforeEach(() => (clock = 0));

  it('is done once the queue shows nothing waiting or in flight twice in a row, and counts what the DLQ gained', async () => {
    scriptDepths([
      { waiting: 17, inFlight: 0, deadLetters: 2 },
      { waiting: 7, inFlight: 10, deadLetters: 2 },
      { waiting: 0, inFlight: 0, deadLetters: 3 }, // a lull between two batches...
      { waiting: 0, inFlight: 1, deadLetters: 3 }, // ...is not the end
      { waiting: 0, inFlight: 0, deadLetters: 3 },
      { waiting: 0, inFlight: 0, deadLetters: 3 },
    ]);
    const seen: number[] = [];
    const settlement = await waitUntilProcessed(new SQSClient({}), QUEUE, { before, timeoutMs: 60_000, ...fake, onProgress: (d) => seen.push(d.waiting + d.inFlight) });
    expect(settlement).toEqual({ drained: true, depth: { waiting: 0, inFlight: 0, deadLetters: 3 }, deadLettered: 1, waitedMs: 5_000 });
    expect(seen).toEqual([17, 17, 0, 1, 0, 0]);
  });

  it('gives up at the timeout and says what is still on the queue', async () => {
    scriptDepths([{ waiting: 0, inFlight: 1, deadLetters: 2 }]);
    const settlement = await waitUntilProcessed(new SQSClient({}), QUEUE, { before, timeoutMs: 10_000, ...fake });
    expect(settlement).toMatchObject({ drained: false, depth: { inFlight: 1 }, deadLettered: 0 });
    expect(settlement.waitedMs).toBe(10_000);
  });
});

describe('the counts a command ends with', () => {
  const drained = { drained: true, depth: { waiting: 0, inFlight: 0, deadLetters: 1 }, waitedMs: 1 };

  it('every record sent is processed, failed or unfinished, exactly once', () => {
    expect(settledCounts(17, { ...drained, deadLettered: 1 })).toEqual({ processed: 16, failed: 1, unfinished: 0 });
    expect(settledCounts(3, { drained: false, depth: { waiting: 0, inFlight: 1, deadLetters: 0 }, deadLettered: 0, waitedMs: 1 })).toEqual({
      processed: 2,
      failed: 0,
      unfinished: 1,
    });
    // Other traffic on the queue cannot make more failures or unfinished records than were sent.
    expect(settledCounts(2, { drained: false, depth: { waiting: 50, inFlight: 9, deadLetters: 9 }, deadLettered: 5, waitedMs: 1 })).toEqual({
      processed: 0,
      failed: 2,
      unfinished: 0,
    });
    // Records quarantined by the processor were deleted like processed ones: counted apart.
    expect(settledCounts(5, { ...drained, deadLettered: 0 }, 2)).toEqual({ processed: 3, failed: 0, unfinished: 0 });
  });

  it('exit 0 only when nothing was quarantined, failed or left unfinished', () => {
    const ok: CommandOutcome = { command: 'backfill', unit: 'snapshot(s)', sent: 3, processed: 3, quarantined: 0, failed: 0, unfinished: 0 };
    expect(exitCodeOf(ok)).toBe(0);
    expect(exitCodeOf({ ...ok, processed: 2, quarantined: 1 })).toBe(1);
    expect(exitCodeOf({ ...ok, processed: 2, failed: 1 })).toBe(1);
    expect(exitCodeOf({ ...ok, processed: 2, unfinished: 1 })).toBe(1);
  });

  it('prints one summary line with notes for people and the counts as JSON for scripts', () => {
    const stdout = capture();
    const stderr = capture();
    const code = finish(
      { command: 'import', unit: 'transaction(s)', sent: 13, processed: 2, quarantined: 11, failed: 0, unfinished: 0, details: { file: 'x.csv' }, notes: ['see x.csv.rejected.jsonl'] },
      { stdout: stdout.stream, stderr: stderr.stream },
    );
    expect(code).toBe(1);
    expect(stderr.text()).toBe('import: 13 transaction(s) sent; 2 processed, 11 quarantined, 0 failed.\n  see x.csv.rejected.jsonl\n');
    expect(JSON.parse(stdout.text())).toEqual({ file: 'x.csv', sent: 13, processed: 2, quarantined: 11, failed: 0, unfinished: 0 });
  });
});

describe('progress', () => {
  it('rewrites one line on a terminal', () => {
    const out = capture();
    out.stream.isTTY = true;
    const line = progressLine(out.stream);
    line.show('queued 10 of 780');
    line.show('queued 780 of 780');
    line.done();
    expect(out.text()).toBe('\r\x1b[2Kqueued 10 of 780\r\x1b[2Kqueued 780 of 780\n');
  });

  it('prints a line every few seconds elsewhere (a log, CI), and the last one at the end', () => {
    const out = capture();
    let now = 0;
    const line = progressLine(out.stream, () => now);
    for (let i = 1; i <= 78; i++) {
      now += 100;
      line.show(`batch ${i}`);
    }
    line.done();
    expect(out.text()).toBe('batch 1\nbatch 51\nbatch 78\n');
  });
});

it('--wait takes minutes, 0 not to wait', () => {
  expect(waitOption(undefined)).toBe(600_000);
  expect(waitOption('0')).toBe(0);
  expect(waitOption('0.5')).toBe(30_000);
  expect(() => waitOption('soon')).toThrow('--wait takes minutes');
});

describe('a long command’s arguments', () => {
  const fail = (message: string): never => {
    throw new Error(`usage: ${message}`);
  };
  it('reads its own options with --stage and --wait (in minutes)', () => {
    const parsed = commandArgs(fail, { reason: { type: 'string' } }, ['quarantine', '--reason', 'NO_RATE_AT_TIME', '--stage', 'dev', '--wait', '2']);
    expect(parsed).toEqual({ values: { reason: 'NO_RATE_AT_TIME', stage: 'dev', wait: '2' }, positionals: ['quarantine'], timeoutMs: 120_000 });
  });

  it('makes an unknown option or a bad --wait a usage error', () => {
    expect(() => commandArgs(fail, {}, ['--bogus'])).toThrow(/^usage: Unknown option '--bogus'/);
    expect(() => commandArgs(fail, {}, ['--wait', 'soon'])).toThrow('usage: --wait takes minutes (a number), not "soon"');
  });
});
