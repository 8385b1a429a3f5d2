import { scheduler } from 'node:timers/promises';

/**
 * A client-side rate limit: each call resolves at its start slot, `1 / perSecond` seconds after
 * the previous one (counted from the first call), so requests stay below a throttle however many
 * workers share the pacer. It waits for a time slot, never for a condition of the system under
 * test: nothing is asserted after it that a slower platform could make true or false.
 */
export function ratePacer(perSecond: number, now: () => number = Date.now): () => Promise<void> {
  let first: number | undefined;
  let issued = 0;
  return async () => {
    first ??= now();
    const due = first + (issued++ * 1000) / perSecond;
    const wait = due - now();
    if (wait > 0) await scheduler.wait(wait);
  };
}
