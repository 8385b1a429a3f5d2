import type { RateResolution, ResolvedRate } from './rate-resolver';

/**
 * How long a stored record (a transaction) waits for the rate in force at its instant to be
 * settled, and how often it looks again. The first look-again comes after `retryAfterSeconds`;
 * later ones after as long as it has waited so far (doubling), at most `maxRetryAfterSeconds`.
 */
export interface RateWait {
  readonly retryAfterSeconds: number;
  readonly maxRetryAfterSeconds: number;
  /** Past this, a rate that is not settled is used if its source is within its staleness window. */
  readonly maxWaitSeconds: number;
}

/**
 * What to do with a record given the rate resolved at its instant and how long it has waited:
 * - `use`: the answer is settled (a later lookup gives the same), or the wait is over and
 *   the source is within its staleness window;
 * - `wait`: something in force at the instant may still be published; look again later;
 * - `no-rate`: the instant is before the first publication of every source, or no source
 *   publishes the currency (quarantine it as NO_RATE_AT_TIME; a replay after a backfill may
 *   find one);
 * - `stale`: every source is older than its window allows (retry, then dead-letter as RATE_STALE).
 */
export type RateDecision =
  | { readonly action: 'use'; readonly rate: ResolvedRate }
  | { readonly action: 'wait'; readonly retryAfterSeconds: number }
  | { readonly action: 'no-rate'; readonly detail: string }
  | { readonly action: 'stale'; readonly detail: string };

export function rateDecision(resolution: RateResolution, waitedMs: number, wait: RateWait): RateDecision {
  const patient = waitedMs < wait.maxWaitSeconds * 1000;
  if (!resolution.settled && patient) return { action: 'wait', retryAfterSeconds: retryAfterSeconds(waitedMs, wait) };
  if (resolution.kind === 'rate') return { action: 'use', rate: resolution };
  return resolution.reason === 'STALE' ? { action: 'stale', detail: resolution.message } : { action: 'no-rate', detail: resolution.message };
}

/** The delay before the next look: as long as waited so far, between the two bounds. */
export function retryAfterSeconds(waitedMs: number, wait: RateWait): number {
  return Math.min(wait.maxRetryAfterSeconds, Math.max(wait.retryAfterSeconds, Math.ceil(waitedMs / 1000)));
}

/** Deliveries a record needs to wait `maxWaitSeconds` and be decided once more afterwards. */
export function deliveriesToOutwait(wait: RateWait): number {
  let waited = 0;
  let deliveries = 1;
  while (waited < wait.maxWaitSeconds) {
    waited += retryAfterSeconds(waited * 1000, wait);
    deliveries += 1;
  }
  return deliveries;
}

/** Checks wait settings read from configuration; throws naming the first bad one. */
export function checkRateWait(input: unknown): RateWait {
  const wait = (input ?? {}) as Record<string, unknown>;
  for (const field of ['retryAfterSeconds', 'maxRetryAfterSeconds', 'maxWaitSeconds'] as const) {
    const value = wait[field];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 43_200) {
      throw new Error(`rate wait: ${field} must be a whole number of seconds from 1 to 43200 (SQS allows 12 hours), got ${JSON.stringify(value)}`);
    }
  }
  return wait as unknown as RateWait;
}
