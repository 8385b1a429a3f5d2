import {
  buildSnapshot,
  publicationAtUnixSeconds,
  RatePayloadError,
  type PublishedRate,
  type RateSnapshot,
} from '../../domain/rate-snapshot';
import { publicationOf } from '../../domain/rate-publication';
import type { FetchedRates, RateProvider } from '../../ports/rate-provider';
import {
  fetchWithRetry,
  isRecord,
  parseJsonKeepingNumbers,
  rawPayloadOf,
  trimTrailingSlash,
  type HttpOptions,
} from './http-client';

export const COINGECKO_BASE_URL = 'https://api.coingecko.com';
export const DEFAULT_COINGECKO_IDS: Readonly<Record<string, string>> = {
  bitcoin: 'BTC',
  ethereum: 'ETH',
  solana: 'SOL',
};

export interface CoinGeckoOptions {
  readonly baseUrl?: string;
  /** Demo API key, sent as `x-cg-demo-api-key`. */
  readonly apiKey?: string;
  /** CoinGecko coin id → symbol used as the quote code. */
  readonly ids?: Readonly<Record<string, string>>;
  readonly vsCurrency?: string;
  readonly clock?: () => Date;
  readonly http?: HttpOptions;
}

/**
 * `/simple/price`: `{"bitcoin":{"usd":16730.75,"last_updated_at":1672679293},...}`.
 * Base is the vs currency (USD); each coin is a quote with its price as published, orientation
 * base-per-quote (USD per 1 BTC). The snapshot is in force from the newest `last_updated_at`
 * of its coins: a coin updated earlier keeps its price, so from that instant on every price of
 * the snapshot is published, and none is used before it existed (one snapshot per distinct
 * `last_updated_at` would leave coins out of the series' publication in force). A body without
 * any (the parameter was not honoured) is in force from the fetch time truncated to the minute.
 */
export function parseCoinGeckoSimplePrice(
  json: string,
  options: { ids?: Readonly<Record<string, string>>; vsCurrency?: string; fetchedAt: Date },
): RateSnapshot {
  const ids = options.ids ?? DEFAULT_COINGECKO_IDS;
  const vs = (options.vsCurrency ?? 'usd').toLowerCase();
  const body = parseJsonKeepingNumbers('coingecko', json);
  if (!isRecord(body)) throw new RatePayloadError('coingecko', 'payload is not a JSON object');

  const rates: PublishedRate[] = [];
  const updatedAt: string[] = [];
  for (const [id, coin] of Object.entries(body)) {
    const symbol = ids[id];
    if (symbol === undefined) continue;
    if (!isRecord(coin)) throw new RatePayloadError('coingecko', `${id} is not an object`);
    const price = coin[vs];
    if (typeof price !== 'string') {
      throw new RatePayloadError('coingecko', `${id} has no ${vs} price: ${JSON.stringify(price)}`);
    }
    rates.push({ quote: symbol.toUpperCase(), rate: price, orientation: 'base-per-quote' });
    if (coin.last_updated_at !== undefined) {
      updatedAt.push(publicationAtUnixSeconds('coingecko', String(coin.last_updated_at)).inForceFrom);
    }
  }
  const inForceFrom = updatedAt.length > 0 ? updatedAt.sort().at(-1)! : minuteOf(options.fetchedAt);
  return buildSnapshot('coingecko', vs.toUpperCase(), publicationOf('coingecko', inForceFrom), rates, options.fetchedAt);
}

export function createCoinGeckoRateProvider(options: CoinGeckoOptions = {}): RateProvider {
  const ids = options.ids ?? DEFAULT_COINGECKO_IDS;
  const vs = (options.vsCurrency ?? 'usd').toLowerCase();
  const url =
    `${trimTrailingSlash(options.baseUrl ?? COINGECKO_BASE_URL)}/api/v3/simple/price` +
    `?ids=${Object.keys(ids).map(encodeURIComponent).join(',')}&vs_currencies=${encodeURIComponent(vs)}` +
    '&include_last_updated_at=true&precision=full';
  const headers = {
    accept: 'application/json',
    ...options.http?.headers,
    ...(options.apiKey ? { 'x-cg-demo-api-key': options.apiKey } : {}),
  };
  const clock = options.clock ?? (() => new Date());

  return {
    name: 'coingecko',
    async fetchLatest(): Promise<FetchedRates> {
      const response = await fetchWithRetry(url, { ...options.http, headers });
      const snapshot = parseCoinGeckoSimplePrice(response.body, {
        ids,
        vsCurrency: vs,
        fetchedAt: clock(),
      });
      return { snapshot, raw: rawPayloadOf(response, 'json') };
    },
  };
}

function minuteOf(date: Date): string {
  return new Date(Math.floor(date.getTime() / 60_000) * 60_000).toISOString();
}
