import type { RateProviderName, RateSnapshot } from '../domain/rate-snapshot';

/** The provider's response body, verbatim, for the raw/ zone of the data lake. */
export interface RawPayload {
  readonly body: string;
  readonly contentType: string;
  readonly extension: 'xml' | 'json';
}

export interface FetchedRates {
  readonly snapshot: RateSnapshot;
  readonly raw: RawPayload;
}

export interface FetchedHistory {
  /** One snapshot per published day in the range, oldest first. */
  readonly snapshots: readonly RateSnapshot[];
  readonly raw: RawPayload;
}

/** Inclusive range of days, "YYYY-MM-DD". */
export interface DayRange {
  readonly from: string;
  readonly to: string;
}

export interface RateProvider {
  readonly name: RateProviderName;
  fetchLatest(): Promise<FetchedRates>;
  fetchHistory?(range: DayRange): Promise<FetchedHistory>;
}
