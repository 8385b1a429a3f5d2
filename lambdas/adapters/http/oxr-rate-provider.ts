import { Decimal } from '../../domain/decimal';
import {
  buildSnapshot,
  daysOf,
  publicationAtUnixSeconds,
  RatePayloadError,
  type RateSnapshot,
} from '../../domain/rate-snapshot';
import type {
  DayRange,
  FetchedHistory,
  FetchedRates,
  RateProvider,
} from '../../ports/rate-provider';
import {
  fetchWithRetry,
  isRecord,
  parseJsonKeepingNumbers,
  publishedRatesOf,
  rawPayloadOf,
  trimTrailingSlash,
  type HttpOptions,
} from './http-client';

export const OXR_BASE_URL = 'https://openexchangerates.org';
/** One request per day: keep a backfill from eating the monthly quota. */
export const OXR_MAX_HISTORY_DAYS = 31;

export interface OxrOptions {
  /** Comes from Secrets Manager; only ever logged redacted. */
  readonly appId: string;
  readonly baseUrl?: string;
  readonly http?: HttpOptions;
  readonly clock?: () => Date;
}

/**
 * `latest.json` / `historical/{day}.json`: `{"timestamp":1512799203,"base":"USD","rates":{"AED":3.673097,...}}`,
 * in force from its `timestamp`.
 */
export function parseOxr(json: string, fetchedAt: Date): RateSnapshot {
  const body = parseJsonKeepingNumbers('oxr', json);
  if (!isRecord(body)) throw new RatePayloadError('oxr', 'payload is not a JSON object');
  if (body.error !== undefined) {
    throw new RatePayloadError(
      'oxr',
      `error payload: ${String(body.message)} ${String(body.description ?? '')}`.trim(),
    );
  }
  if (typeof body.base !== 'string') throw new RatePayloadError('oxr', 'missing base');
  if (typeof body.timestamp !== 'string') throw new RatePayloadError('oxr', 'missing timestamp');
  const base = body.base.toUpperCase();
  // OXR lists the base against itself ("USD": 1); that is not a rate.
  const rates = publishedRatesOf('oxr', body.rates).filter(
    ({ quote, rate }) => !(quote === base && /^\d+(\.\d+)?$/.test(rate) && new Decimal(rate).eq(1)),
  );
  return buildSnapshot('oxr', base, publicationAtUnixSeconds('oxr', body.timestamp), rates, fetchedAt);
}

export function createOxrRateProvider(options: OxrOptions): RateProvider {
  if (!options.appId) throw new Error('oxr: an app id is required');
  const baseUrl = `${trimTrailingSlash(options.baseUrl ?? OXR_BASE_URL)}/api`;
  const appId = encodeURIComponent(options.appId);
  const get = (path: string) => fetchWithRetry(`${baseUrl}/${path}?app_id=${appId}`, options.http);
  const clock = options.clock ?? (() => new Date());

  return {
    name: 'oxr',
    async fetchLatest(): Promise<FetchedRates> {
      const response = await get('latest.json');
      return { snapshot: parseOxr(response.body, clock()), raw: rawPayloadOf(response, 'json') };
    },
    async fetchHistory(range: DayRange): Promise<FetchedHistory> {
      const days = daysOf(range);
      if (days.length > OXR_MAX_HISTORY_DAYS) {
        throw new RangeError(`oxr: history is limited to ${OXR_MAX_HISTORY_DAYS} days per call`);
      }
      const bodies: string[] = [];
      for (const day of days) bodies.push((await get(`historical/${day}.json`)).body);
      // One raw document for the lot: a JSON array of the verbatim bodies.
      const raw = {
        body: `[${bodies.join(',\n')}]`,
        contentType: 'application/json',
        extension: 'json',
      } as const;
      const fetchedAt = clock();
      return { snapshots: bodies.map((body) => parseOxr(body, fetchedAt)), raw };
    },
  };
}
