import { Decimal } from './decimal';
import type { RateProviderName } from './rate-publication';
import type { PublishedValue, SeriesSnapshot } from './rate-snapshot';

/** One publication of a series in a rate-change message. */
export interface RateSeriesPoint {
  readonly snapshotId: string;
  readonly inForceFrom: string;
  readonly rateDate: string;
  /** quote -> the published digits and their orientation (base `base` of the message). */
  readonly rates: Readonly<Record<string, PublishedValue>>;
}

/**
 * The rate-changes queue's message: a series (one provider's rates in one base) moved from
 * `previous` to `current`, its newer publication. `eventId` is the current snapshot id: stable,
 * so a consumer drops the copies a redelivery may send. Consumers re-evaluate every pair and
 * cross that values a currency through this series.
 */
export interface RateChangeEvent {
  readonly eventId: string;
  readonly type: 'rate-series-moved';
  readonly provider: RateProviderName;
  readonly base: string;
  readonly previous: RateSeriesPoint | null;
  readonly current: RateSeriesPoint;
}

export const seriesPoint = (s: SeriesSnapshot): RateSeriesPoint => ({
  snapshotId: s.snapshotId,
  inForceFrom: s.inForceFrom,
  rateDate: s.rateDate,
  rates: Object.fromEntries([...s.rates].sort(([a], [b]) => (a < b ? -1 : 1))),
});

function sameRates(a: SeriesSnapshot, b: SeriesSnapshot): boolean {
  if (a.rates.size !== b.rates.size) return false;
  for (const [quote, value] of a.rates) {
    const other = b.rates.get(quote);
    if (!other || other.orientation !== value.orientation || !new Decimal(other.rate).eq(value.rate)) return false;
  }
  return true;
}

/**
 * The change events of a series moving from `previous` through `newer` (oldest first, each
 * newer than the one before). A publication whose numbers all equal the one before (a
 * provider republishing unchanged prices) moves the series but changes no rate: no event.
 */
export function seriesMoves(previous: SeriesSnapshot | undefined, newer: readonly SeriesSnapshot[]): RateChangeEvent[] {
  const events: RateChangeEvent[] = [];
  let before = previous;
  for (const current of newer) {
    if (!before || !sameRates(before, current)) {
      events.push({
        eventId: current.snapshotId,
        type: 'rate-series-moved',
        provider: current.provider,
        base: current.base,
        previous: before ? seriesPoint(before) : null,
        current: seriesPoint(current),
      });
    }
    before = current;
  }
  return events;
}
