import { Decimal } from '../../domain/decimal';
import {
  buildSnapshot,
  checkDayRange,
  publicationOfDay,
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
  trimTrailingSlash,
  rawPayloadOf,
  type HttpOptions,
} from './http-client';

export const FRANKFURTER_BASE_URL = 'https://api.frankfurter.dev';

export interface FrankfurterOptions {
  readonly baseUrl?: string;
  /** Base currency requested from the API; EUR unless told. */
  readonly base?: string;
  readonly http?: HttpOptions;
  readonly clock?: () => Date;
}

/**
 * `/v1/latest`: `{"amount":1.0,"base":"EUR","date":"2023-04-06","rates":{"AUD":1.6312,...}}`.
 * Frankfurter republishes the ECB's reference rates: in force from 16:00 Berlin on `date`.
 */
export function parseFrankfurterLatest(json: string, fetchedAt: Date): RateSnapshot {
  const body = parseBody(json);
  if (typeof body.date !== 'string') throw new RatePayloadError('frankfurter', 'missing date');
  return buildSnapshot(
    'frankfurter',
    body.base,
    publicationOfDay('frankfurter', body.date),
    publishedRatesOf('frankfurter', body.rates),
    fetchedAt,
  );
}

/** `/v1/{from}..{to}`: `{"amount":1.0,"base":"USD","start_date":...,"rates":{"2024-01-10":{"EUR":0.91358,...},...}}`. */
export function parseFrankfurterTimeSeries(json: string, fetchedAt: Date): RateSnapshot[] {
  const body = parseBody(json);
  if (!isRecord(body.rates)) throw new RatePayloadError('frankfurter', 'rates is not an object');
  const snapshots = Object.entries(body.rates).map(([day, rates]) =>
    buildSnapshot(
      'frankfurter',
      body.base,
      publicationOfDay('frankfurter', day),
      publishedRatesOf('frankfurter', rates),
      fetchedAt,
    ),
  );
  return snapshots.sort((a, b) => a.inForceFrom.localeCompare(b.inForceFrom));
}

function parseBody(json: string): Record<string, unknown> & { base: string } {
  const body = parseJsonKeepingNumbers('frankfurter', json);
  if (!isRecord(body)) throw new RatePayloadError('frankfurter', 'payload is not a JSON object');
  if (typeof body.base !== 'string') throw new RatePayloadError('frankfurter', 'missing base');
  // Rates are per `amount` units of base; anything but 1 would silently scale them.
  if (
    typeof body.amount !== 'string' ||
    !/^\d+(\.\d+)?$/.test(body.amount) ||
    !new Decimal(body.amount).eq(1)
  ) {
    throw new RatePayloadError(
      'frankfurter',
      `amount is ${JSON.stringify(body.amount)}, expected 1`,
    );
  }
  return { ...body, base: body.base.toUpperCase() };
}

export function createFrankfurterRateProvider(options: FrankfurterOptions = {}): RateProvider {
  const baseUrl = trimTrailingSlash(options.baseUrl ?? FRANKFURTER_BASE_URL);
  const base = encodeURIComponent(options.base ?? 'EUR');
  const get = (url: string) => fetchWithRetry(url, options.http);
  const clock = options.clock ?? (() => new Date());

  return {
    name: 'frankfurter',
    async fetchLatest(): Promise<FetchedRates> {
      const response = await get(`${baseUrl}/v1/latest?base=${base}`);
      return {
        snapshot: parseFrankfurterLatest(response.body, clock()),
        raw: rawPayloadOf(response, 'json'),
      };
    },
    async fetchHistory(range: DayRange): Promise<FetchedHistory> {
      checkDayRange(range);
      const response = await get(`${baseUrl}/v1/${range.from}..${range.to}?base=${base}`);
      // Frankfurter may start the series at the last working day before `from`.
      const snapshots = parseFrankfurterTimeSeries(response.body, clock()).filter(
        ({ rateDate }) => rateDate >= range.from && rateDate <= range.to,
      );
      return { snapshots, raw: rawPayloadOf(response, 'json') };
    },
  };
}
