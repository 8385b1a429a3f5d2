import { lakeKeys } from '../domain/lake-keys';
import { freshnessOf, type Freshness } from '../domain/rate-publication';
import type { MessagePublisher } from '../ports/message-publisher';
import type { ObjectStore } from '../ports/object-store';
import type { RateProvider } from '../ports/rate-provider';

export interface FetchRatesDeps {
  readonly provider: RateProvider;
  readonly lake: ObjectStore;
  readonly rawPrefix: string;
  readonly ratesQueue: MessagePublisher;
}

export interface FetchRatesResult {
  readonly snapshotId: string;
  /** From when the fetched publication is in force. */
  readonly inForceFrom: string;
  readonly rates: number;
  readonly rawKey: string;
  /** How fresh the fetched publication was when it was fetched (the stale-rate alarm's metrics). */
  readonly freshness: Freshness;
}

/**
 * Fetches the provider's latest rates, keeps the payload verbatim in the raw zone and queues
 * the parsed snapshot. A payload that fails to parse throws before anything is written.
 */
export async function fetchRates(deps: FetchRatesDeps): Promise<FetchRatesResult> {
  const { snapshot, raw } = await deps.provider.fetchLatest();
  const rawKey = lakeKeys.rawRates(deps.rawPrefix, snapshot, raw.extension);
  await deps.lake.put(rawKey, raw.body, raw.contentType);
  await deps.ratesQueue.publish([{ id: snapshot.snapshotId, body: JSON.stringify(snapshot) }]);
  const freshness = freshnessOf(snapshot.provider, snapshot, snapshot.fetchedAt);
  return { snapshotId: snapshot.snapshotId, inForceFrom: snapshot.inForceFrom, rates: snapshot.rates.length, rawKey, freshness };
}
