import { lakeKeys } from '../domain/lake-keys';
import { rateChange, type RateChangeEvent } from '../domain/rate-change';
import { validateSnapshot, type RateSnapshot } from '../domain/rate-snapshot';
import type { MessagePublisher } from '../ports/message-publisher';
import type { ObjectStore } from '../ports/object-store';
import type { RateStore } from '../ports/rate-store';

export interface ProcessRatesDeps {
  readonly store: RateStore;
  readonly lake: ObjectStore;
  readonly curatedPrefix: string;
  /** Encodes the snapshot as its curated Parquet object. */
  readonly toCurated: (snapshot: RateSnapshot) => Uint8Array;
  readonly rateChanges: MessagePublisher;
}

export interface ProcessRatesResult {
  readonly snapshotId: string;
  readonly stored: number;
  readonly latest: number;
  readonly changes: number;
}

/**
 * Stores one snapshot: history items, the curated Parquet object, the latest item per pair
 * (never regressed by a late snapshot), then one change event per pair whose latest value moved.
 * Every step is idempotent, so a redelivered message leaves the same state behind.
 */
export async function processRateSnapshot(
  deps: ProcessRatesDeps,
  message: unknown,
  delivery: { readonly redelivered: boolean } = { redelivered: false },
): Promise<ProcessRatesResult> {
  const snapshot = validateSnapshot(message as RateSnapshot);
  // Encoded first: a snapshot the curated table cannot hold fails before anything is written.
  const curated = deps.toCurated(snapshot);
  await deps.store.putHistory(snapshot);
  await deps.lake.put(lakeKeys.curatedRates(deps.curatedPrefix, snapshot), curated, 'application/vnd.apache.parquet');
  const { advanced, alreadyLatest } = await deps.store.advanceLatest(snapshot);
  const changes: RateChangeEvent[] = [];
  for (const { quote, replaced } of advanced) {
    const change = rateChange(snapshot, quote, replaced);
    if (change) changes.push(change);
  }
  // A redelivered message may have died before its events went out, so it sends them again
  // (same eventIds; consumers drop copies). A fresh message for an already stored snapshot
  // (the provider published nothing new) changes nothing.
  if (delivery.redelivered) {
    for (const quote of alreadyLatest) {
      const change = rateChange(snapshot, quote, await deps.store.previousRate(snapshot.base, quote, snapshot.asOf));
      if (change) changes.push(change);
    }
  }
  await deps.rateChanges.publish(changes.map((c) => ({ id: c.eventId, body: JSON.stringify(c) })));
  return {
    snapshotId: snapshot.snapshotId,
    stored: snapshot.rates.length,
    latest: advanced.length,
    changes: changes.length,
  };
}
