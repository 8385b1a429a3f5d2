/** One batch a queue poller delivered to its function. */
export interface BatchSummary {
  readonly received: number;
  readonly failed: number;
  /** Set when the poll or the invocation itself failed. */
  readonly error?: string;
}

export interface MinuteActivity {
  /** Start of the minute, ISO 8601. */
  readonly minute: string;
  readonly processed: number;
  readonly failed: number;
}

const MINUTE_MS = 60_000;
const KEPT_MINUTES = 60;

/** Everything a consumer was delivered since the platform started. */
export interface ConsumerTotals {
  /** Invocations with a batch. */
  readonly batches: number;
  readonly processed: number;
  readonly failed: number;
}

/** What each queue consumer processed, per minute over the last hour (for the status page), and in total. */
export class ConsumerActivity {
  private readonly minutes = new Map<string, Map<number, { processed: number; failed: number }>>();
  private readonly sums = new Map<string, ConsumerTotals>();

  constructor(private readonly now: () => number = Date.now) {}

  record(consumer: string, batch: BatchSummary): void {
    const sum = this.sums.get(consumer) ?? { batches: 0, processed: 0, failed: 0 };
    this.sums.set(consumer, {
      batches: sum.batches + 1,
      processed: sum.processed + batch.received - batch.failed,
      failed: sum.failed + batch.failed,
    });
    const minute = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    const byMinute = this.minutes.get(consumer) ?? new Map<number, { processed: number; failed: number }>();
    this.minutes.set(consumer, byMinute);
    const slot = byMinute.get(minute) ?? { processed: 0, failed: 0 };
    slot.processed += batch.received - batch.failed;
    slot.failed += batch.failed;
    byMinute.set(minute, slot);
    for (const kept of byMinute.keys()) if (kept <= minute - KEPT_MINUTES * MINUTE_MS) byMinute.delete(kept);
  }

  /** Totals since start of every consumer that was delivered a batch. */
  totals(): Record<string, ConsumerTotals> {
    return Object.fromEntries(this.sums);
  }

  /** The last `count` minutes, oldest first, the current (partial) minute last; empty minutes are 0. */
  perMinute(consumer: string, count = KEPT_MINUTES): MinuteActivity[] {
    const current = Math.floor(this.now() / MINUTE_MS) * MINUTE_MS;
    const byMinute = this.minutes.get(consumer);
    return Array.from({ length: count }, (_, i) => {
      const minute = current - (count - 1 - i) * MINUTE_MS;
      const slot = byMinute?.get(minute) ?? { processed: 0, failed: 0 };
      return { minute: new Date(minute).toISOString(), ...slot };
    });
  }
}

/**
 * The start terminal's lines about queue batches: a run of successful batches of one consumer
 * within `windowMs` becomes one line with its total (a backfill's 78 batches are one line, not
 * 78); a batch with failures or an error is printed at once, after the run before it.
 */
export function batchLines(log: (line: string) => void, windowMs = 2_000) {
  const pending = new Map<string, { messages: number; batches: number; timer: NodeJS.Timeout }>();
  const flushOne = (consumer: string) => {
    const run = pending.get(consumer);
    if (!run) return;
    clearTimeout(run.timer);
    pending.delete(consumer);
    const batches = run.batches > 1 ? ` in ${run.batches} batches` : '';
    log(`${consumer}: ${run.messages} message(s)${batches}, 0 failed`);
  };
  return {
    batch(consumer: string, batch: BatchSummary): void {
      if (batch.failed > 0 || batch.error) {
        flushOne(consumer);
        log(`${consumer}: ${batch.received} message(s), ${batch.failed} failed${batch.error ? ` (${batch.error})` : ''}`);
        return;
      }
      const run = pending.get(consumer);
      if (run) {
        run.messages += batch.received;
        run.batches += 1;
      } else {
        pending.set(consumer, { messages: batch.received, batches: 1, timer: setTimeout(() => flushOne(consumer), windowMs) });
      }
    },
    /** Prints what is pending now (at shutdown). */
    flush(): void {
      for (const consumer of [...pending.keys()]) flushOne(consumer);
    },
  };
}
