import { Decimal } from './decimal';

export const RATE_PROVIDERS = ['simulated', 'ecb', 'frankfurter', 'coingecko', 'oxr'] as const;
export type RateProviderName = (typeof RATE_PROVIDERS)[number];

/**
 * Which way round a published number reads.
 * - `quote-per-base` (default): 1 base buys `rate` quote. ECB "USD 1.0163" with base EUR.
 * - `base-per-quote`: 1 quote costs `rate` base. CoinGecko "bitcoin usd 16730.75" is stored as
 *   base USD, quote BTC, rate "16730.75", base-per-quote.
 * The provider's digits are stored untouched either way; inverting ("1/16730.75") would round.
 * Use `quotePerBase` to get the quote-per-base value at full Decimal precision.
 */
export type RateOrientation = 'quote-per-base' | 'base-per-quote';

export interface PublishedRate {
  readonly quote: string;
  /** Exact digits as published, e.g. "0.84770" keeps its trailing zero. */
  readonly rate: string;
  /** Omitted means `quote-per-base`. */
  readonly orientation?: RateOrientation;
}

export interface RateSnapshot {
  readonly snapshotId: string;
  readonly provider: RateProviderName;
  readonly base: string;
  /**
   * ISO-8601 UTC with milliseconds. Date-only providers (ECB, Frankfurter) publish a day, not a
   * time: their asOf is that day at 00:00:00.000Z, so refetching an unchanged day (a weekend, a
   * holiday) gives the same snapshotId and no duplicate snapshot.
   */
  readonly asOf: string;
  readonly rates: readonly PublishedRate[];
}

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

const PLAIN_POSITIVE_DECIMAL = /^(?:0|[1-9]\d*)(?:\.\d+)?$/;
// ISO 4217 codes plus crypto symbols such as BTC or USDT.
const CURRENCY_CODE = /^[A-Z][A-Z0-9]{2,9}$/;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

export function isRateProviderName(value: string): value is RateProviderName {
  return (RATE_PROVIDERS as readonly string[]).includes(value);
}

export function isPlainPositiveDecimal(value: string): boolean {
  return PLAIN_POSITIVE_DECIMAL.test(value) && new Decimal(value).gt(0);
}

/** e.g. "ecb-EUR-20220708T000000Z"; milliseconds appear only when non-zero ("...T000000.250Z"). */
export function snapshotIdOf(
  provider: RateProviderName,
  base: string,
  asOf: string | Date,
): string {
  const iso = typeof asOf === 'string' ? asOf : asOf.toISOString();
  const compact = iso.replace(/[-:]/g, '').replace('.000Z', 'Z');
  return `${provider}-${base}-${compact}`;
}

/** Throws RatePayloadError unless `day` is a real calendar day "YYYY-MM-DD". */
export function asOfFromDay(provider: string, day: string): string {
  const asOf = `${day}T00:00:00.000Z`;
  if (!ISO_DAY.test(day) || !isExactIso(asOf)) {
    throw new RatePayloadError(provider, `bad date ${JSON.stringify(day)}`);
  }
  return asOf;
}

/** `seconds` as written in the payload (digits only), e.g. "1512799203". */
export function asOfFromUnixSeconds(provider: string, seconds: string): string {
  if (!/^\d{1,12}$/.test(seconds)) {
    throw new RatePayloadError(provider, `bad unix timestamp ${JSON.stringify(seconds)}`);
  }
  return new Date(Number(seconds) * 1000).toISOString();
}

export function validateSnapshot(snapshot: RateSnapshot): RateSnapshot {
  const { provider, base, asOf, rates } = snapshot;
  const fail = (detail: string): never => {
    throw new RatePayloadError(provider, detail);
  };
  if (!isRateProviderName(provider)) fail(`unknown provider ${JSON.stringify(provider)}`);
  if (!CURRENCY_CODE.test(base)) fail(`bad base currency code ${JSON.stringify(base)}`);
  if (!isExactIso(asOf)) fail(`asOf ${JSON.stringify(asOf)} is not ISO-8601 UTC with milliseconds`);
  if (snapshot.snapshotId !== snapshotIdOf(provider, base, asOf)) {
    fail(`snapshotId ${snapshot.snapshotId} does not match provider, base and asOf`);
  }
  if (rates.length === 0) fail(`no rates for base ${base} at ${asOf}`);
  const seen = new Set<string>();
  for (const { quote, rate, orientation } of rates) {
    if (!CURRENCY_CODE.test(quote)) fail(`bad currency code ${JSON.stringify(quote)}`);
    if (quote === base) fail(`rate for ${quote} quotes the base against itself`);
    if (seen.has(quote)) fail(`duplicate rate for ${quote}`);
    seen.add(quote);
    if (typeof rate !== 'string' || !isPlainPositiveDecimal(rate)) {
      fail(`rate for ${quote} is not a plain positive decimal: ${JSON.stringify(rate)}`);
    }
    if (
      orientation !== undefined &&
      orientation !== 'quote-per-base' &&
      orientation !== 'base-per-quote'
    ) {
      fail(`bad orientation ${JSON.stringify(orientation)} for ${quote}`);
    }
  }
  return snapshot;
}

/** Builds the snapshot (id included) and validates it. */
export function buildSnapshot(
  provider: RateProviderName,
  base: string,
  asOf: string,
  rates: readonly PublishedRate[],
): RateSnapshot {
  return validateSnapshot({
    snapshotId: snapshotIdOf(provider, base, asOf),
    provider,
    base,
    asOf,
    rates,
  });
}

/** Units of quote per 1 base, inverting base-per-quote rates at 60 significant digits. */
export function quotePerBase(rate: PublishedRate): Decimal {
  const value = new Decimal(rate.rate);
  return rate.orientation === 'base-per-quote' ? new Decimal(1).div(value) : value;
}

function isExactIso(value: string): boolean {
  const time = Date.parse(value);
  return Number.isFinite(time) && new Date(time).toISOString() === value;
}

/** Throws RangeError unless from and to are real days "YYYY-MM-DD" with from <= to. */
export function checkDayRange(range: { readonly from: string; readonly to: string }): void {
  for (const day of [range.from, range.to]) {
    if (!ISO_DAY.test(day) || !isExactIso(`${day}T00:00:00.000Z`)) {
      throw new RangeError(`bad day ${JSON.stringify(day)}, expected YYYY-MM-DD`);
    }
  }
  if (range.from > range.to)
    throw new RangeError(`range starts after it ends: ${range.from}..${range.to}`);
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
