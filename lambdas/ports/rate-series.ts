import type { SeriesKey } from '../domain/rate-policy';
import type { SeriesState } from '../domain/rate-resolver';
import type { RateSnapshot, SeriesSnapshot } from '../domain/rate-snapshot';

/** A series' newest publication and what is known about its freshness. */
export interface LatestSeries {
  readonly snapshot: SeriesSnapshot;
  /** The fetch that made it the latest. */
  readonly fetchedAt: string;
  /** The newest fetch that found it still the newest publication. */
  readonly checkedAt: string;
}

/**
 * What advancing a series' latest publication did:
 * - `moved`: the snapshot is the latest now (`previous` is what it replaced, none for a new series);
 * - `confirmed`: the same publication was already the latest; its checkedAt moved forward;
 * - `unchanged`: the same publication was already the latest, checked at or after this fetch;
 * - `superseded`: a newer publication is the latest; nothing changed.
 */
export type LatestAdvance =
  | { readonly outcome: 'moved'; readonly previous?: SeriesSnapshot }
  | { readonly outcome: 'confirmed' }
  | { readonly outcome: 'unchanged' | 'superseded'; readonly latestInForceFrom: string };

/** Write side of the rate series that process-rates stores. */
export interface RateSeriesWriter {
  /**
   * One history item per snapshot, keyed by series and in-force instant; writing a snapshot
   * again writes the same item. Returns the snapshots that could not be written, and why.
   */
  putHistory(snapshots: readonly RateSnapshot[]): Promise<readonly { readonly snapshotId: string; readonly reason: string }[]>;
  /** Makes the snapshot its series' latest unless a newer publication already is (a late, older snapshot never wins). */
  advanceLatest(snapshot: RateSnapshot): Promise<LatestAdvance>;
}

/** Read side: the latest item of each series and its history (all reads strongly consistent). */
export interface RateSeriesReader {
  /** The latest publication of each series that has one, by seriesId. */
  latest(keys: readonly SeriesKey[]): Promise<ReadonlyMap<string, LatestSeries>>;
  /** Publications in force at or before `at`, newest first, at most `limit`. */
  atOrBefore(key: SeriesKey, at: string, limit: number): Promise<readonly SeriesSnapshot[]>;
  /**
   * Publications in force after `after`, oldest first, at most `limit` (fewer when a page fills
   * up); `complete` when none follows the last one returned.
   */
  after(key: SeriesKey, after: string, limit: number): Promise<{ readonly items: readonly SeriesSnapshot[]; readonly complete: boolean }>;
}

/** One series wanted at one instant. */
export interface SeriesRequest {
  readonly key: SeriesKey;
  readonly at: string;
}

/** A series' state at an instant, or undefined when it was not loaded. */
export type SeriesStateAt = (key: SeriesKey, at: string) => SeriesState | undefined;

/**
 * What the resolver reads: the state of series at instants, loaded in as few reads as it
 * can (and, in a warm container, from memory when no newer publication can exist).
 */
export interface RateTimeline {
  load(requests: readonly SeriesRequest[]): Promise<SeriesStateAt>;
}
