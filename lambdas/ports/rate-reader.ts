import type { RateOrientation } from '../domain/rate-snapshot';

/** A rate as its provider published it: its base, its digits, its orientation. */
export interface PublishedPairRate {
  readonly base: string;
  readonly quote: string;
  /** The published digits, e.g. "4.7630". */
  readonly rate: string;
  readonly orientation: RateOrientation;
  /** ISO-8601 UTC with milliseconds. */
  readonly asOf: string;
  readonly provider: string;
}

/** Read side of the rates that process-rates stores. */
export interface RateReader {
  /** The latest rate of every pair published against each of `bases`. */
  latest(bases: readonly string[]): Promise<readonly PublishedPairRate[]>;
  /** The pair's newest publication with an as-of time strictly before `before`, from any provider. */
  lastBefore(base: string, quote: string, before: string): Promise<PublishedPairRate | undefined>;
  /** The pair's oldest publication. */
  first(base: string, quote: string): Promise<PublishedPairRate | undefined>;
}
