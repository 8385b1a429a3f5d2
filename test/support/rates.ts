import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEcbXml } from '../../lambdas/adapters/http/ecb-rate-provider';
import { seriesId, type RatePolicy, type SeriesKey } from '../../lambdas/domain/rate-policy';
import { publicationOf } from '../../lambdas/domain/rate-publication';
import {
  buildSnapshot,
  seriesSnapshotOf,
  snapshotIdOf,
  type PublishedRate,
  type RateProviderName,
  type RateSnapshot,
} from '../../lambdas/domain/rate-snapshot';
import type { LatestSeries, RateSeriesReader } from '../../lambdas/ports/rate-series';
import { rateSourcesOf, type RateSourceDeps } from '../../lambdas/use-cases/resolve-rates';

export { rateSourcesOf } from '../../lambdas/use-cases/resolve-rates';

export const ECB_DAILY_FIXTURE = 'ecb_eurofxref-daily_2022-07-08.xml';

export function rateFixture(name: string): string {
  return readFileSync(join(__dirname, '../fixtures/rates', name), 'utf8');
}

/** Fetched after anything the tests publish, and before the clock of any machine running them. */
export const FETCHED_AT = new Date('2025-06-01T00:00:00.000Z');

/** The real ECB reference rates of 2022-07-08 (31 currencies), parsed by the ECB adapter. */
export function ecbFixtureSnapshot(fetchedAt: Date = FETCHED_AT): RateSnapshot {
  const [snapshot] = parseEcbXml(rateFixture(ECB_DAILY_FIXTURE), fetchedAt);
  return snapshot;
}

/**
 * A valid snapshot; `rates` maps quote to the published digits. `dateOrInstant` is the rate
 * date of a TARGET-daily provider (ECB by default: in force from 16:00 Berlin that day) or the
 * in-force instant of a continuous one.
 */
export function snapshotOf(
  dateOrInstant: string,
  rates: Readonly<Record<string, string>> | readonly PublishedRate[],
  options: { provider?: RateProviderName; base?: string; fetchedAt?: Date } = {},
): RateSnapshot {
  const list = Array.isArray(rates)
    ? (rates as readonly PublishedRate[])
    : Object.entries(rates).map(([quote, rate]) => ({ quote, rate }));
  const provider = options.provider ?? 'ecb';
  return buildSnapshot(provider, options.base ?? 'EUR', publicationOf(provider, dateOrInstant), list, options.fetchedAt ?? FETCHED_AT);
}

/**
 * A message body that looks like a snapshot but breaks its rules (here: a rate of "0"), built
 * by hand because buildSnapshot would refuse it.
 */
export function snapshotWithZeroRate(day: string): RateSnapshot {
  const { inForceFrom, rateDate } = publicationOf('ecb', day);
  return {
    snapshotId: snapshotIdOf('ecb', 'EUR', inForceFrom),
    provider: 'ecb',
    base: 'EUR',
    inForceFrom,
    rateDate,
    fetchedAt: FETCHED_AT.toISOString(),
    rates: [
      { quote: 'USD', rate: '0' },
      { quote: 'JPY', rate: '138.05' },
    ],
  };
}

/**
 * Stored series in memory, read like the DynamoDB adapter reads them: each series' newest
 * snapshot is its latest, checked at `checkedAt` (default: its fetch time). Counts reads.
 */
export function memoryRateSeries(
  snapshots: readonly RateSnapshot[],
  checkedAt: (latest: RateSnapshot) => string = (latest) => latest.fetchedAt,
): RateSeriesReader & { reads: number } {
  const ofSeries = (key: SeriesKey) =>
    snapshots
      .filter((s) => seriesId(s) === seriesId(key))
      .sort((a, b) => (a.inForceFrom < b.inForceFrom ? -1 : 1))
      .map(seriesSnapshotOf);
  const reader = {
    reads: 0,
    async latest(keys: readonly SeriesKey[]) {
      reader.reads += 1;
      const found = new Map<string, LatestSeries>();
      for (const key of keys) {
        const newest = snapshots.filter((s) => seriesId(s) === seriesId(key)).sort((a, b) => (a.inForceFrom < b.inForceFrom ? 1 : -1))[0];
        if (newest) found.set(seriesId(key), { snapshot: seriesSnapshotOf(newest), fetchedAt: newest.fetchedAt, checkedAt: checkedAt(newest) });
      }
      return found;
    },
    async atOrBefore(key: SeriesKey, at: string, limit: number) {
      reader.reads += 1;
      return ofSeries(key).filter((s) => s.inForceFrom <= at).reverse().slice(0, limit);
    },
    async after(key: SeriesKey, after: string, limit: number) {
      reader.reads += 1;
      const later = ofSeries(key).filter((s) => s.inForceFrom > after);
      return { items: later.slice(0, limit), complete: later.length <= limit };
    },
  };
  return reader;
}

/** The resolver's deps over snapshots in memory: the same cached timeline the functions use. */
export function memoryRateSources(
  policy: RatePolicy,
  snapshots: readonly RateSnapshot[],
  options: { clock?: () => Date; checkedAt?: (latest: RateSnapshot) => string } = {},
): RateSourceDeps & { reader: ReturnType<typeof memoryRateSeries> } {
  const reader = memoryRateSeries(snapshots, options.checkedAt);
  return { ...rateSourcesOf(policy, reader, options.clock), reader };
}
