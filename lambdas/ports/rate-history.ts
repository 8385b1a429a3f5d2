import type { AppliedRate } from '../domain/transaction';

/** A rate in force at a time, and the span of times for which the same lookup gives the same answer. */
export interface RateAt extends AppliedRate {
  /**
   * Every `at` in [validFrom, validUntil) gets this same answer (validUntil null: no later rate
   * is stored yet). Absent: the answer holds for the asked `at` only.
   */
  readonly validFrom?: string;
  readonly validUntil?: string | null;
}

export interface RateHistory {
  /**
   * Units of `to` per 1 `from` in force at `at` (ISO UTC): the most recent stored rate at or
   * before `at`. Throws RateUnavailable when no stored rate connects the two currencies then.
   */
  rateAt(from: string, to: string, at: string): Promise<RateAt>;
}

/** No rate was stored yet for the pair at that time; retrying later may find one. */
export class RateUnavailable extends Error {
  override readonly name = 'RateUnavailable';
  constructor(
    readonly from: string,
    readonly to: string,
    readonly at: string,
  ) {
    super(`no ${from}->${to} rate in force at ${at}`);
  }
}

/**
 * Remembers answers for one batch. An answer with a validity span serves every later lookup of
 * the pair inside that span, so transactions minutes apart share one lookup and still get
 * exactly what an uncached lookup would return.
 */
export function cachedRateHistory(port: RateHistory): RateHistory {
  const spans = new Map<string, RateAt[]>();
  const exact = new Map<string, RateAt>();
  return {
    async rateAt(from, to, at) {
      const pair = `${from}>${to}`;
      const hit =
        spans
          .get(pair)
          ?.find((r) => r.validFrom! <= at && (r.validUntil == null || at < r.validUntil)) ??
        exact.get(`${pair}@${at}`);
      if (hit) return hit;
      const answer = await port.rateAt(from, to, at);
      if (answer.validFrom === undefined) exact.set(`${pair}@${at}`, answer);
      else spans.set(pair, [...(spans.get(pair) ?? []), answer]);
      return answer;
    },
  };
}
