import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * What the long operator commands (backfill, import, replay, redrive) share: progress while they
 * run, a wait until what they queued is processed (not just queued), one summary, and an exit
 * code that is not 0 when anything was quarantined, dead-lettered or left unfinished.
 */

/** A queue and its DLQ, by URL. */
export interface TrackedQueue {
  /** How the summary names it, e.g. "rates". */
  readonly label: string;
  readonly url: string;
  readonly dlqUrl: string;
}

export interface QueueDepth {
  /** Visible messages, waiting for their consumer. */
  readonly waiting: number;
  /** Received and not yet deleted: being processed, or failed and waiting for their retry. */
  readonly inFlight: number;
  /** Everything in the DLQ. */
  readonly deadLetters: number;
}

export interface Settlement {
  /** Nothing was waiting or in flight before the deadline. */
  readonly drained: boolean;
  readonly depth: QueueDepth;
  /** How many messages the DLQ gained since `before`. */
  readonly deadLettered: number;
  readonly waitedMs: number;
}

/** The counts a command ends with; every record it sent is in exactly one of the last four. */
export interface CommandOutcome {
  /** e.g. "backfill". */
  readonly command: string;
  /** What the records are, e.g. "snapshot(s)", "transaction(s)", "message(s)". */
  readonly unit: string;
  /** Records put on the queue (or moved back to it). */
  readonly sent: number;
  /** Taken by the processor without a failure. */
  readonly processed: number;
  /** Rejected with a reason (by the command itself or by the processor). */
  readonly quarantined: number;
  /** Dead-lettered, or refused by the command's target. */
  readonly failed: number;
  /** Still waiting or in flight when the command stopped waiting. */
  readonly unfinished: number;
  /** Printed on stdout with the counts, as JSON (scripts read it). */
  readonly details?: Readonly<Record<string, unknown>>;
  /** What to look at or run next, printed under the summary. */
  readonly notes?: readonly string[];
}

export interface ProgressLine {
  /** Replaces the line on a terminal; elsewhere prints it at most every few seconds. */
  show(text: string): void;
  /** Ends the line (and prints the last text when it was held back). */
  done(): void;
}

const NON_TTY_EVERY_MS = 5_000;

export function progressLine(stream: NodeJS.WriteStream = process.stderr, now: () => number = Date.now): ProgressLine {
  let last = '';
  let printedAt = -Infinity;
  let held = false;
  return {
    show(text) {
      last = text;
      if (stream.isTTY) {
        stream.write(`\r\x1b[2K${text}`);
      } else if (now() - printedAt >= NON_TTY_EVERY_MS) {
        printedAt = now();
        held = false;
        stream.write(`${text}\n`);
      } else {
        held = true;
      }
    },
    done() {
      if (stream.isTTY && last) stream.write('\n');
      else if (held) stream.write(`${last}\n`);
      last = '';
      held = false;
    },
  };
}

export async function queueDepth(sqs: SQSClient, queue: TrackedQueue): Promise<QueueDepth> {
  const counts = async (url: string) => {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: url,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
      }),
    );
    const n = (name: keyof typeof Attributes) => Number(Attributes[name] ?? 0);
    return { visible: n('ApproximateNumberOfMessages') + n('ApproximateNumberOfMessagesDelayed'), inFlight: n('ApproximateNumberOfMessagesNotVisible') };
  };
  const [main, dlq] = await Promise.all([counts(queue.url), counts(queue.dlqUrl)]);
  return { waiting: main.visible, inFlight: main.inFlight, deadLetters: dlq.visible + dlq.inFlight };
}

export interface SettleOptions {
  /** The depth before the command sent anything (the DLQ's count is compared with it). */
  readonly before: QueueDepth;
  /** Give up waiting after this long. */
  readonly timeoutMs: number;
  /**
   * Between polls. SQS counts are approximate (in AWS they lag up to a minute): the queue counts
   * as drained after `quietPolls` polls in a row show nothing waiting or in flight.
   * @default 1000
   */
  readonly pollMs?: number;
  /** @default 2 */
  readonly quietPolls?: number;
  readonly onProgress?: (depth: QueueDepth, waitedMs: number) => void;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Waits until the queue has nothing waiting or in flight, so every message sent to it was either
 * processed (deleted by its consumer) or moved to the DLQ after its last receive, or until the
 * timeout. A message that keeps failing stays in flight between its retries, so on a queue with
 * a long visibility timeout the wait for it to reach the DLQ can outlast the timeout: it is then
 * reported as unfinished.
 */
export async function waitUntilProcessed(sqs: SQSClient, queue: TrackedQueue, options: SettleOptions): Promise<Settlement> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const quietPolls = options.quietPolls ?? 2;
  const started = now();
  let quiet = 0;
  for (;;) {
    const depth = await queueDepth(sqs, queue);
    const waitedMs = now() - started;
    options.onProgress?.(depth, waitedMs);
    quiet = depth.waiting === 0 && depth.inFlight === 0 ? quiet + 1 : 0;
    const deadLettered = Math.max(0, depth.deadLetters - options.before.deadLetters);
    if (quiet >= quietPolls) return { drained: true, depth, deadLettered, waitedMs };
    if (waitedMs >= options.timeoutMs) return { drained: false, depth, deadLettered, waitedMs };
    await sleep(options.pollMs ?? 1_000);
  }
}

/** "12 waiting, 3 in flight, DLQ +1 (42 s)". */
export function depthText(depth: QueueDepth, before: QueueDepth, waitedMs: number): string {
  const gained = depth.deadLetters - before.deadLetters;
  return `${depth.waiting} waiting, ${depth.inFlight} in flight, DLQ ${gained >= 0 ? '+' : ''}${gained} (${Math.round(waitedMs / 1000)} s)`;
}

/**
 * Of `sent` records, how many were processed, failed or left unfinished once the wait ended: what
 * the DLQ gained failed (capped at `sent`), what is still on the queue is unfinished.
 */
export function settledCounts(sent: number, settlement: Settlement, alreadyAccounted = 0): Pick<CommandOutcome, 'processed' | 'failed' | 'unfinished'> {
  const open = Math.max(0, sent - alreadyAccounted);
  const failed = Math.min(open, settlement.deadLettered);
  const unfinished = settlement.drained ? 0 : Math.min(open - failed, settlement.depth.waiting + settlement.depth.inFlight);
  return { processed: open - failed - unfinished, failed, unfinished };
}

/** The exit code of a command: 0 only when every record it sent was processed. */
export function exitCodeOf(outcome: CommandOutcome): number {
  return outcome.quarantined + outcome.failed + outcome.unfinished === 0 ? 0 : 1;
}

/**
 * Prints the summary (stderr, for people) and the counts with the details (stdout, JSON, for
 * scripts), and returns the exit code.
 */
export function finish(outcome: CommandOutcome, out: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = process): number {
  const { command, unit, sent, processed, quarantined, failed, unfinished } = outcome;
  const code = exitCodeOf(outcome);
  const parts = [`${processed} processed`, `${quarantined} quarantined`, `${failed} failed`];
  if (unfinished > 0) parts.push(`${unfinished} not finished`);
  out.stderr.write(`${command}: ${sent} ${unit} sent; ${parts.join(', ')}.${code === 0 ? ' Done.' : ''}\n`);
  for (const note of outcome.notes ?? []) out.stderr.write(`  ${note}\n`);
  out.stdout.write(`${JSON.stringify(outcomeJson(outcome), null, 2)}\n`);
  return code;
}

/** What `finish` prints on stdout: the details with the counts. */
export function outcomeJson(outcome: CommandOutcome): Record<string, unknown> {
  const { sent, processed, quarantined, failed, unfinished } = outcome;
  return { ...outcome.details, sent, processed, quarantined, failed, unfinished };
}

/** `--wait MINUTES` (how long a command waits for its records to be processed); 0 = do not wait. */
export function waitOption(value: string | undefined, defaultMinutes = 10): number {
  if (value === undefined) return defaultMinutes * 60_000;
  const minutes = Number(value);
  if (!/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(minutes)) throw new Error(`--wait takes minutes (a number), not "${value}"`);
  return minutes * 60_000;
}

/** How often to poll and how many quiet polls mean drained: AWS counts lag, the emulator's do not. */
export function pollingFor(deployed: boolean): Pick<SettleOptions, 'pollMs' | 'quietPolls'> {
  return deployed ? { pollMs: 10_000, quietPolls: 3 } : { pollMs: 1_000, quietPolls: 2 };
}

/** The note for records still on the queue when the wait ended. */
export function unfinishedNote(queue: TrackedQueue, unfinished: number, deployed: boolean): string | undefined {
  if (unfinished === 0) return undefined;
  const look = deployed ? 'the operations dashboard' : '`npm run local -- status`';
  return (
    `${unfinished} still on the ${queue.label} queue when the wait ended: a failing message returns after its visibility ` +
    `timeout until its last receive moves it to the DLQ. Look at ${look}; wait longer with --wait <minutes>.`
  );
}

/** Where a command waits for its records and how it shows that. */
export interface ProcessingWait {
  readonly sqs: SQSClient;
  readonly queue: TrackedQueue;
  /** The function that takes the records, for the progress ("Waiting for process-rates…"). */
  readonly consumer: string;
  /** The depth before anything was sent. */
  readonly before: QueueDepth;
  /** 0 = do not wait (the records count as not finished). */
  readonly timeoutMs: number;
  readonly deployed: boolean;
  readonly line: ProgressLine;
}

/** Waits with progress until `sent` records are processed; undefined when told not to wait or nothing was sent. */
export async function waitWithProgress(wait: ProcessingWait, sent: number): Promise<Settlement | undefined> {
  if (wait.timeoutMs <= 0 || sent === 0) return undefined;
  process.stderr.write(`Waiting for ${wait.consumer} to take them (up to ${Math.round(wait.timeoutMs / 60_000)} min)…\n`);
  const settlement = await waitUntilProcessed(wait.sqs, wait.queue, {
    before: wait.before,
    timeoutMs: wait.timeoutMs,
    ...pollingFor(wait.deployed),
    onProgress: (depth, waited) => wait.line.show(depthText(depth, wait.before, waited)),
  });
  wait.line.done();
  return settlement;
}

/** settledCounts, or every record not finished when the command did not wait. */
export function countsAfter(sent: number, settlement: Settlement | undefined, alreadyAccounted = 0): Pick<CommandOutcome, 'processed' | 'failed' | 'unfinished'> {
  return settlement ? settledCounts(sent, settlement, alreadyAccounted) : { processed: 0, failed: 0, unfinished: Math.max(0, sent - alreadyAccounted) };
}

const TARGET_OPTIONS = { stage: { type: 'string' }, wait: { type: 'string' } } as const;

/**
 * A long command's arguments: its own options, plus `--stage` (where it works) and `--wait
 * MINUTES` (read into `timeoutMs`). An unknown option or a bad value is a usage error.
 */
export function commandArgs<O extends ParseArgsOptionsConfig>(fail: (message: string) => never, options: O, args = process.argv.slice(2)) {
  try {
    const { values, positionals } = parseArgs<{ args: string[]; allowPositionals: true; options: O & typeof TARGET_OPTIONS }>({
      args,
      allowPositionals: true,
      options: { ...options, ...TARGET_OPTIONS },
    });
    return { values, positionals, timeoutMs: waitOption((values as { wait?: string }).wait) };
  } catch (error) {
    return fail((error as Error).message);
  }
}

/** A usage error: the message and the usage on stderr, exit code 2. */
export function usageError(usage: string): (message: string) => never {
  return (message) => {
    process.stderr.write(`${message}\n\n${usage}\n`);
    process.exit(2);
  };
}

/** Runs a command and exits with the code it returns; an unexpected error is one line and exit 1. */
export function runCommand(name: string, main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (error: Error) => {
      process.stderr.write(`${name} failed: ${error.message}\n`);
      process.exitCode = 1;
    },
  );
}
