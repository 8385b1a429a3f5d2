import type { RateOrientation, RateSnapshot } from '../domain/rate-snapshot';

/** One published rate as stored: the provider's digits, base and orientation. */
export interface StoredRate {
  readonly base: string;
  readonly quote: string;
  readonly rate: string;
  readonly orientation: RateOrientation;
  readonly asOf: string;
  readonly provider: string;
  readonly snapshotId: string;
}

export interface LatestOutcome {
  /** Quotes this call moved forward, each with the latest rate it replaced (none for a new pair). */
  readonly advanced: readonly { readonly quote: string; readonly replaced?: StoredRate }[];
  readonly alreadyLatest: readonly string[];
}

export interface RateStore {
  /** Writes a history item per pair and as-of time; rewriting the same snapshot changes nothing. */
  putHistory(snapshot: RateSnapshot): Promise<void>;
  /**
   * Makes the snapshot the latest rate of each pair unless a newer as-of time is already
   * there. `advanced`: quotes this call moved forward (with what they replaced, read in the
   * same conditional write, so concurrent writers cannot skew it); `alreadyLatest`: quotes where this same
   * snapshot was already the latest (a redelivery or a re-fetch of an unchanged publication).
   */
  advanceLatest(snapshot: RateSnapshot): Promise<LatestOutcome>;
  /** The pair's most recent rate strictly before `asOf`, from any provider. */
  previousRate(base: string, quote: string, asOf: string): Promise<StoredRate | undefined>;
}
