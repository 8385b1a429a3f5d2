import { lakeKeys } from '../domain/lake-keys';
import { freshnessOf, type Freshness } from '../domain/publication-calendar';
import type { MessagePublisher } from '../ports/message-publisher';
import type { ObjectStore } from '../ports/object-store';
import type { RateProvider } from '../ports/rate-provider';

export interface FetchRatesDeps {
  readonly provider: RateProvider;
  readonly lake: ObjectStore;
  readonly rawPrefix: string;
  readonly ratesQueue: MessagePublisher;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

export interface FetchRatesResult {
  readonly snapshotId: string;
  /** From when the fetched publication is in force. */
  readonly inForceFrom: string;
  readonly rates: number;
  readonly rawKey: string;
  /** The newest publication's as-of time, and how fresh it is by the provider's calendar. */
  readonly asOf: string;
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
<<<<<<< HEAD
  return { snapshotId: snapshot.snapshotId, inForceFrom: snapshot.inForceFrom, rates: snapshot.rates.length, rawKey };
=======
  const now = (deps.clock ?? (() => new Date()))();
  const freshness = freshnessOf(deps.provider.name, snapshot.asOf, now);
  return { snapshotId: snapshot.snapshotId, rates: snapshot.rates.length, rawKey, asOf: snapshot.asOf, freshness };
>>>>>>> ops
}
