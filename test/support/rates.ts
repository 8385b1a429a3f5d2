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

/**
 * The ECB reference rates of 2022-07-08 as printed in the fixture file, copied from it by hand
 * (not parsed): the independent expectation for everything that stores or serves them.
 */
export const ECB_2022_07_08 = {
  snapshotId: 'ecb-EUR-20220708T140000Z',
  /** 16:00 Berlin (CEST) on the rate date. */
  inForceFrom: '2022-07-08T14:00:00.000Z',
  rateDate: '2022-07-08',
  rates: {
    USD: '1.0163', JPY: '138.05', BGN: '1.9558', CZK: '24.614', DKK: '7.4424', GBP: '0.84585', HUF: '402.45', PLN: '4.7630',
    RON: '4.9431', SEK: '10.6665', CHF: '0.9913', ISK: '139.50', NOK: '10.2630', HRK: '7.5190', TRY: '17.6026', AUD: '1.4871',
    BRL: '5.4345', CAD: '1.3201', CNY: '6.8095', HKD: '7.9769', IDR: '15210.73', ILS: '3.5325', INR: '80.5280', KRW: '1321.61',
    MXN: '20.8477', MYR: '4.4992', NZD: '1.6464', PHP: '56.882', SGD: '1.4228', THB: '36.602', ZAR: '17.1922',
  } as Readonly<Record<string, string>>,
} as const;

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
