/**
 * The retries the platform runs itself. AWS calls are retried by the SDK (clients.ts,
 * AWS_RETRY); what the SDK cannot see are partial failures inside a successful answer
 * (BatchWriteItem's UnprocessedItems, SendMessageBatch's failed entries): `retryUnprocessed`
 * handles those, and provider HTTP calls use the same backoff (http-client.ts).
 */
export interface RetryOptions {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); drives the jitter. */
  readonly random?: () => number;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The one backoff formula: exponential with full jitter, a random delay in
 * [0, min(max, base * 2^(retry - 1))) before the `retry`-th retry (1 = the first).
 */
export function backoffDelay(retry: number, options: Pick<RetryOptions, 'baseDelayMs' | 'maxDelayMs' | 'random'>): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  return Math.floor((options.random ?? Math.random)() * cap);
}

/**
 * Runs `step` on what is still pending until nothing is or the attempts run out, backing off
 * between attempts; returns what is left. `step` returns the part of its input that must be
 * tried again (unprocessed items, failed entries) and throws for what must not be retried.
 */
export async function retryUnprocessed<T>(
  pending: readonly T[],
  step: (items: readonly T[]) => Promise<readonly T[]>,
  options: RetryOptions,
): Promise<readonly T[]> {
  let left = pending;
  for (let attempt = 0; left.length > 0 && attempt < options.attempts; attempt++) {
    if (attempt > 0) await (options.sleep ?? defaultSleep)(backoffDelay(attempt, options));
    left = await step(left);
  }
  return left;
}

/** retryUnprocessed that fails with `describe(left)` when something is still left. */
export async function retryPending<T>(
  pending: readonly T[],
  step: (items: readonly T[]) => Promise<readonly T[]>,
  options: RetryOptions,
  describe: (left: readonly T[]) => string,
): Promise<void> {
  const left = await retryUnprocessed(pending, step, options);
  if (left.length > 0) throw new Error(describe(left));
}

/** Six attempts over about 3 s: DynamoDB and SQS hand back unprocessed entries under load. */
export const AWS_BATCH_RETRY: RetryOptions = { attempts: 6, baseDelayMs: 100, maxDelayMs: 2000 };

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
