import { Decimal } from './decimal';
import {
  isRateProviderName,
  PROVIDER_PROFILES,
  publicationOf,
  type Publication,
  type RateProviderName,
} from './rate-publication';

export { RATE_PROVIDERS, isRateProviderName, type RateProviderName } from './rate-publication';

/**
 * Which way round a published number reads.
 * - `quote-per-base` (default): 1 base buys `rate` quote. ECB "USD 1.0163" with base EUR.
 * - `base-per-quote`: 1 quote costs `rate` base. CoinGecko "bitcoin usd 16730.75" is stored as
 *   base USD, quote BTC, rate "16730.75", base-per-quote.
 * The provider's digits are stored untouched either way; inverting ("1/16730.75") would round.
 */
export type RateOrientation = 'quote-per-base' | 'base-per-quote';

export interface PublishedRate {
  readonly quote: string;
  /** Exact digits as published, e.g. "0.84770" keeps its trailing zero. */
  readonly rate: string;
  /** Omitted means `quote-per-base`. */
  readonly orientation?: RateOrientation;
}

/** One publication of a provider in one base: the message fetch-rates queues for process-rates. */
export interface RateSnapshot extends Publication {
  /** `provider-base-inForceFrom`: the same publication fetched twice has the same id. */
  readonly snapshotId: string;
  readonly provider: RateProviderName;
  readonly base: string;
  /** When the platform fetched it (ISO-8601 UTC with milliseconds). */
  readonly fetchedAt: string;
  readonly rates: readonly PublishedRate[];
}

/** A published number as stored: its digits and which way round it reads. */
export interface PublishedValue {
  readonly rate: string;
  readonly orientation: RateOrientation;
}

/** One publication of a series (a provider's rates in its base), as stored and read back. */
export interface SeriesSnapshot extends Publication {
  readonly provider: RateProviderName;
  readonly base: string;
  readonly snapshotId: string;
  readonly rates: ReadonlyMap<string, PublishedValue>;
}

export const seriesSnapshotOf = (s: RateSnapshot): SeriesSnapshot => ({
  provider: s.provider,
  base: s.base,
  snapshotId: s.snapshotId,
  inForceFrom: s.inForceFrom,
  rateDate: s.rateDate,
  rates: new Map(s.rates.map((r) => [r.quote, { rate: r.rate, orientation: r.orientation ?? 'quote-per-base' }])),
});

/** A payload that does not parse or breaks the snapshot rules; says what and which provider. */
export class RatePayloadError extends Error {
  override readonly name = 'RatePayloadError';
  constructor(
    readonly provider: string,
    readonly detail: string,
  ) {
    super(`${provider}: ${detail}`);
  }
}

/**
 * How far ahead of the clock a publication may claim to be in force (clock skew between the
 * provider, the fetcher and the processor). Anything later is rejected: a snapshot dated 2099
 * would otherwise become "latest" for good.
 */
export const MAX_RATE_FUTURE_SKEW_SECONDS = 300;

const PLAIN_POSITIVE_DECIMAL = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;
// ISO 4217 codes plus crypto symbols such as BTC or USDT.
const CURRENCY_CODE = /^[A-Z][A-Z0-9]{2,9}$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;
/** DynamoDB numbers hold 38 significant digits. */
const MAX_SIGNIFICANT_DIGITS = 38;

export function isPlainPositiveDecimal(value: string): boolean {
  return PLAIN_POSITIVE_DECIMAL.test(value) && new Decimal(value).gt(0);
}

/** e.g. "ecb-EUR-20220708T140000Z"; milliseconds appear only when non-zero ("...T000000.250Z"). */
export function snapshotIdOf(provider: RateProviderName, base: string, inForceFrom: string): string {
  const compact = inForceFrom.replace(/[-:]/g, '').replace('.000Z', 'Z');
  return `${provider}-${base}-${compact}`;
}

/** The publication of a TARGET-daily provider for a day "YYYY-MM-DD"; RatePayloadError if the day is not real. */
export function publicationOfDay(provider: RateProviderName, day: string): Publication {
  if (!isDay(day)) throw new RatePayloadError(provider, `bad date ${JSON.stringify(day)}`);
  return publicationOf(provider, day);
}

/** The publication at a unix time as written in the payload (digits only), e.g. "1512799203". */
export function publicationAtUnixSeconds(provider: RateProviderName, seconds: string): Publication {
  if (!/^\d{1,12}$/.test(seconds)) {
    throw new RatePayloadError(provider, `bad unix timestamp ${JSON.stringify(seconds)}`);
  }
  return publicationOf(provider, new Date(Number(seconds) * 1000).toISOString());
}

/**
 * Checks a snapshot against the rules, with `now` the clock of whoever checks: a publication
 * in force later than now (plus MAX_RATE_FUTURE_SKEW_SECONDS), or later than its own fetch,
 * is refused.
 */
export function validateSnapshot(snapshot: RateSnapshot, now: Date): RateSnapshot {
  const { provider, base, inForceFrom, rateDate, fetchedAt, rates } = snapshot ?? ({} as RateSnapshot);
  const fail = (detail: string): never => {
    throw new RatePayloadError(String(provider), detail);
  };
  if (typeof provider !== 'string' || !isRateProviderName(provider)) fail(`unknown provider ${JSON.stringify(provider)}`);
  if (typeof base !== 'string' || !CURRENCY_CODE.test(base)) fail(`bad base currency code ${JSON.stringify(base)}`);
  if (!isExactIso(inForceFrom)) fail(`inForceFrom ${JSON.stringify(inForceFrom)} is not ISO-8601 UTC with milliseconds`);
  if (!isExactIso(fetchedAt)) fail(`fetchedAt ${JSON.stringify(fetchedAt)} is not ISO-8601 UTC with milliseconds`);
  if (typeof rateDate !== 'string' || !isDay(rateDate)) fail(`bad rateDate ${JSON.stringify(rateDate)}`);
  const expected = publicationOf(provider, PROVIDER_PROFILES[provider].schedule === 'target-daily' ? rateDate : inForceFrom);
  if (expected.inForceFrom !== inForceFrom || expected.rateDate !== rateDate) {
    fail(`inForceFrom ${inForceFrom} and rateDate ${rateDate} do not match: ${provider} publishes for ${rateDate} from ${expected.inForceFrom}`);
  }
  const latestAllowed = now.getTime() + MAX_RATE_FUTURE_SKEW_SECONDS * 1000;
  if (Date.parse(inForceFrom) > latestAllowed) {
    fail(`publication for ${rateDate} is in force from ${inForceFrom}, later than now (${now.toISOString()}) plus ${MAX_RATE_FUTURE_SKEW_SECONDS} s: refused as future-dated`);
  }
  if (Date.parse(fetchedAt) > latestAllowed) fail(`fetchedAt ${fetchedAt} is later than now (${now.toISOString()})`);
  if (Date.parse(inForceFrom) > Date.parse(fetchedAt) + MAX_RATE_FUTURE_SKEW_SECONDS * 1000) {
    fail(`publication is in force from ${inForceFrom}, after it was fetched (${fetchedAt}): refused as future-dated`);
  }
  if (snapshot.snapshotId !== snapshotIdOf(provider, base, inForceFrom)) {
    fail(`snapshotId ${JSON.stringify(snapshot.snapshotId)} does not match provider, base and inForceFrom`);
  }
  if (!Array.isArray(rates) || rates.length === 0) fail(`no rates for base ${base} at ${inForceFrom}`);
  const seen = new Set<string>();
  for (const { quote, rate, orientation } of rates) {
    if (typeof quote !== 'string' || !CURRENCY_CODE.test(quote)) fail(`bad currency code ${JSON.stringify(quote)}`);
    if (quote === base) fail(`rate for ${quote} quotes the base against itself`);
    if (seen.has(quote)) fail(`duplicate rate for ${quote}`);
    seen.add(quote);
    if (typeof rate !== 'string' || !isPlainPositiveDecimal(rate)) {
      fail(`rate for ${quote} is not a plain positive decimal: ${JSON.stringify(rate)}`);
    }
    if (new Decimal(rate).precision(true) > MAX_SIGNIFICANT_DIGITS) {
      fail(`rate for ${quote} has more than ${MAX_SIGNIFICANT_DIGITS} significant digits`);
    }
    if (orientation !== undefined && orientation !== 'quote-per-base' && orientation !== 'base-per-quote') {
      fail(`bad orientation ${JSON.stringify(orientation)} for ${quote}`);
    }
  }
  return snapshot;
}

/** Builds the snapshot (id included) and validates it against the fetch time. */
export function buildSnapshot(
  provider: RateProviderName,
  base: string,
  publication: Publication,
  rates: readonly PublishedRate[],
  fetchedAt: Date,
): RateSnapshot {
  return validateSnapshot(
    {
      snapshotId: snapshotIdOf(provider, base, publication.inForceFrom),
      provider,
      base,
      inForceFrom: publication.inForceFrom,
      rateDate: publication.rateDate,
      fetchedAt: fetchedAt.toISOString(),
      rates,
    },
    fetchedAt,
  );
}

/** Units of quote per 1 base, inverting base-per-quote rates at 60 significant digits. */
export function quotePerBase(rate: PublishedRate): Decimal {
  const value = new Decimal(rate.rate);
  return rate.orientation === 'base-per-quote' ? new Decimal(1).div(value) : value;
}

export function isExactIso(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const time = Date.parse(value);
  return Number.isFinite(time) && new Date(time).toISOString() === value;
}

function isDay(day: string): boolean {
  return ISO_DAY.test(day) && isExactIso(`${day}T00:00:00.000Z`);
}

/** Throws RangeError unless from and to are real days "YYYY-MM-DD" with from <= to. */
export function checkDayRange(range: { readonly from: string; readonly to: string }): void {
  for (const day of [range.from, range.to]) {
    if (!isDay(day)) throw new RangeError(`bad day ${JSON.stringify(day)}, expected YYYY-MM-DD`);
  }
  if (range.from > range.to) throw new RangeError(`range starts after it ends: ${range.from}..${range.to}`);
}

/** Every day of an inclusive range, oldest first. */
export function daysOf(range: { readonly from: string; readonly to: string }): string[] {
  checkDayRange(range);
  const days: string[] = [];
  for (let t = Date.parse(range.from); t <= Date.parse(range.to); t += DAY_MS) {
    days.push(new Date(t).toISOString().slice(0, 10));
  }
  return days;
}

/** The UTC day `n` days before `now`, "YYYY-MM-DD". */
export function daysAgo(now: Date, n: number): string {
  return new Date(now.getTime() - n * DAY_MS).toISOString().slice(0, 10);
}

const DAY_MS = 86_400_000;
