import type { MessagePublisher } from '../ports/message-publisher';
import type { ObjectStore } from '../ports/object-store';
import type { DayRange, RateProvider } from '../ports/rate-provider';

export interface BackfillDeps {
  readonly provider: RateProvider;
  readonly lake: ObjectStore;
  readonly rawPrefix: string;
  readonly ratesQueue: MessagePublisher;
  /** Called after each batch of snapshots is queued. */
  readonly onProgress?: (queued: number, total: number) => void;
}

export interface BackfillSummary {
  readonly provider: string;
  readonly range: DayRange;
  readonly snapshots: number;
  readonly rates: number;
  readonly first?: string;
  readonly last?: string;
  readonly rawKey: string;
}

const BATCH = 50;

/**
 * Loads a provider's history through the same path as the scheduled fetch: the payload goes to
 * the raw zone, each published day goes on the rates queue as one snapshot message, and
 * process-rates stores it. Snapshot ids are deterministic, so a re-run changes nothing.
 */
export async function backfillRates(deps: BackfillDeps, range: DayRange): Promise<BackfillSummary> {
  if (!deps.provider.fetchHistory) {
    throw new Error(`${deps.provider.name} publishes no history to backfill from`);
  }
  const { snapshots, raw } = await deps.provider.fetchHistory(range);
  const rawKey = `${deps.rawPrefix}/provider=${deps.provider.name}/backfill/${range.from}_${range.to}.${raw.extension}`;
  await deps.lake.put(rawKey, raw.body, raw.contentType);
  for (let i = 0; i < snapshots.length; i += BATCH) {
    const batch = snapshots.slice(i, i + BATCH);
    await deps.ratesQueue.publish(batch.map((s) => ({ id: s.snapshotId, body: JSON.stringify(s) })));
    deps.onProgress?.(i + batch.length, snapshots.length);
  }
  return {
    provider: deps.provider.name,
    range,
    snapshots: snapshots.length,
    rates: snapshots.reduce((sum, s) => sum + s.rates.length, 0),
    first: snapshots[0]?.rateDate,
    last: snapshots.at(-1)?.rateDate,
    rawKey,
  };
}
