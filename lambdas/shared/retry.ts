export interface RetryOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter: a random delay in [0, min(max, base * 2^attempt)). */
export function backoffDelay(attempt: number, options: RetryOptions): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** attempt);
  return Math.floor((options.random ?? Math.random)() * cap);
}

/**
 * Repeats `step` on what is still pending until nothing is, or the attempts run out.
 * `step` returns the part of its input that must be tried again (unprocessed items, failed entries).
 */
export async function retryPending<T>(
  pending: readonly T[],
  step: (items: readonly T[]) => Promise<readonly T[]>,
  options: RetryOptions,
  describe: (left: readonly T[]) => string,
): Promise<void> {
  let left = pending;
  for (let attempt = 0; left.length > 0; attempt++) {
    if (attempt >= options.attempts) throw new Error(describe(left));
    if (attempt > 0) await (options.sleep ?? defaultSleep)(backoffDelay(attempt, options));
    left = await step(left);
  }
}

export const AWS_BATCH_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 50, maxDelayMs: 2000 };

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
