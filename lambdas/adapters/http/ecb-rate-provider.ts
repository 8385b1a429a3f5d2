import {
  buildSnapshot,
  checkDayRange,
  daysAgo,
  publicationOfDay,
  RatePayloadError,
  type PublishedRate,
  type RateSnapshot,
} from '../../domain/rate-snapshot';
import type {
  DayRange,
  FetchedHistory,
  FetchedRates,
  RateProvider,
} from '../../ports/rate-provider';
import { fetchWithRetry, rawPayloadOf, type HttpOptions } from './http-client';

export const ECB_DAILY_URL = 'https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml';

export interface EcbOptions {
  /** The daily file URL, or the directory holding eurofxref-daily.xml and the history files. */
  readonly baseUrl?: string;
  readonly http?: HttpOptions;
  readonly clock?: () => Date;
}

const TAG = /<Cube\b([^>]*)>/g;
const ATTRIBUTE = /([\w:.-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g;

/**
 * Parses any eurofxref file (daily, hist-90d, hist) into one snapshot per `<Cube time=...>`,
 * newest first as published, each in force from 16:00 Berlin on its day. A small attribute
 * scanner, not an XML parser: the format is flat, and attributes may use either quote and any
 * order. A day later than `fetchedAt` allows (a mirror serving 2099-12-31) refuses the file.
 */
export function parseEcbXml(xml: string, fetchedAt: Date): RateSnapshot[] {
  const days: { time: string; rates: PublishedRate[] }[] = [];
  for (const [, attributeText] of xml.matchAll(TAG)) {
    const attributes = new Map(
      [...attributeText.matchAll(ATTRIBUTE)].map(([, name, single, double]) => [
        name,
        single ?? double,
      ]),
    );
    const time = attributes.get('time');
    const currency = attributes.get('currency');
    const rate = attributes.get('rate');
    if (time !== undefined) {
      days.push({ time, rates: [] });
    } else if (currency !== undefined || rate !== undefined) {
      if (currency === undefined || rate === undefined) {
        throw new RatePayloadError(
          'ecb',
          `Cube with only one of currency/rate: <Cube${attributeText}>`,
        );
      }
      const day = days.at(-1);
      if (!day) throw new RatePayloadError('ecb', `rate for ${currency} outside a <Cube time=...>`);
      day.rates.push({ quote: currency, rate });
    }
  }
  if (days.length === 0) throw new RatePayloadError('ecb', 'no <Cube time=...> in payload');
  return days.map(({ time, rates }) =>
    buildSnapshot('ecb', 'EUR', publicationOfDay('ecb', time), rates, fetchedAt),
  );
}

export function createEcbRateProvider(options: EcbOptions = {}): RateProvider {
  const dailyUrl = resolveDailyUrl(options.baseUrl ?? ECB_DAILY_URL);
  const directory = dailyUrl.slice(0, dailyUrl.lastIndexOf('/') + 1);
  const clock = options.clock ?? (() => new Date());
  const get = (url: string) => fetchWithRetry(url, options.http);

  return {
    name: 'ecb',
    async fetchLatest(): Promise<FetchedRates> {
      const response = await get(dailyUrl);
      const snapshots = parseEcbXml(response.body, clock());
      const snapshot = snapshots.reduce((a, b) => (b.inForceFrom > a.inForceFrom ? b : a));
      return { snapshot, raw: rawPayloadOf(response, 'xml') };
    },
    async fetchHistory(range: DayRange): Promise<FetchedHistory> {
      checkDayRange(range);
      // The 90-day file is ~100 KB, the full history several MB: take the small one when it covers the range.
      const file =
        range.from >= daysAgo(clock(), 90) ? 'eurofxref-hist-90d.xml' : 'eurofxref-hist.xml';
      const response = await get(directory + file);
      const snapshots = parseEcbXml(response.body, clock())
        .filter(({ rateDate }) => rateDate >= range.from && rateDate <= range.to)
        .sort((a, b) => a.inForceFrom.localeCompare(b.inForceFrom));
      return { snapshots, raw: rawPayloadOf(response, 'xml') };
    },
  };
}

function resolveDailyUrl(baseUrl: string): string {
  return /\.xml(\?.*)?$/.test(baseUrl)
    ? baseUrl
    : `${baseUrl.replace(/\/+$/, '')}/eurofxref-daily.xml`;
}
