import { Decimal } from './decimal';
import type { RateOrientation, RateSnapshot } from './rate-snapshot';

export interface RatePoint {
  readonly rate: string;
  readonly orientation: RateOrientation;
  readonly asOf: string;
  readonly provider: string;
}

/** A pair's latest rate moved. `eventId` is stable, so a consumer can drop redelivered copies. */
export interface RateChangeEvent {
  readonly eventId: string;
  readonly base: string;
  readonly quote: string;
  readonly previous: RatePoint | null;
  readonly current: RatePoint;
}

/** The change event for one quote of a snapshot, or undefined when the value did not move. */
export function rateChange(
  snapshot: RateSnapshot,
  quote: string,
  previous: RatePoint | undefined,
): RateChangeEvent | undefined {
  const published = snapshot.rates.find((r) => r.quote === quote);
  if (!published) return undefined;
  const current: RatePoint = {
    rate: published.rate,
    orientation: published.orientation ?? 'quote-per-base',
    asOf: snapshot.asOf,
    provider: snapshot.provider,
  };
  if (
    previous &&
    previous.orientation === current.orientation &&
    new Decimal(previous.rate).eq(current.rate)
  ) {
    return undefined;
  }
  return {
    eventId: `${snapshot.snapshotId}#${quote}`,
    base: snapshot.base,
    quote,
    previous: previous ?? null,
    current,
  };
}
