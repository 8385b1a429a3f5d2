import type { RateProviderName } from '../../domain/rate-publication';
import type { SeriesKey } from '../../domain/rate-policy';
import type { RateOrientation, SeriesSnapshot } from '../../domain/rate-snapshot';

/**
 * Rates table layout (pk, sk), one series per provider and base:
 * - history: `SERIES#<provider>#<base>`, `<inForceFrom>` — one item per publication;
 * - latest:  `LATEST#<provider>#<base>`, `LATEST` — the newest publication, plus `fetchedAt`
 *   (the fetch that made it the latest) and `checkedAt` (the newest fetch that confirmed it).
 * Both hold provider, base, inForceFrom, rateDate, snapshotId and `rates`, a map
 * quote -> { rate (a NumberValue), published (the provider's exact digits), orientation }.
 * "In force at t" is the newest history item with sk <= t: one Query, descending, Limit 1.
 * No SDK import: export-rates reads history items from the table's stream with it.
 */
export const HISTORY_PK_PREFIX = 'SERIES#';

export const seriesKeys = {
  history: (key: SeriesKey, inForceFrom: string) => ({ pk: `${HISTORY_PK_PREFIX}${key.provider}#${key.base}`, sk: inForceFrom }),
  latest: (key: SeriesKey) => ({ pk: `LATEST#${key.provider}#${key.base}`, sk: 'LATEST' }),
};

export function toSeriesSnapshot(item: Record<string, unknown>): SeriesSnapshot {
  const rates = item.rates as Record<string, { published: string; orientation: RateOrientation }>;
  return {
    provider: String(item.provider) as RateProviderName,
    base: String(item.base),
    inForceFrom: String(item.inForceFrom),
    rateDate: String(item.rateDate),
    snapshotId: String(item.snapshotId),
    // `published` keeps the provider's digits; `rate` (a NumberValue) drops trailing zeros.
    rates: new Map(Object.entries(rates).map(([quote, r]) => [quote, { rate: String(r.published), orientation: r.orientation }])),
  };
}
