import { requireCurrency } from '../../domain/currency';
import { Decimal } from '../../domain/decimal';
import { rawJSON } from '../../shared/exact-json';
import { hashInts, mulberry32 } from './seeded-random';

/**
 * The built-in partner feed: an endless, deterministic stream of card transactions.
 *
 * Wall-clock time is cut into slots of 60000 / perMinute ms counted from the Unix epoch; slot
 * `p` holds transaction `p`, a pure function of (seed, p). A transaction exists once its slot
 * has ended, so the stream grows by perMinute a minute and its timestamps are never in the
 * future (except the deliberately bad ones). The cursor is the next position, base64url-encoded.
 */
export interface FeedSimulatorOptions {
  readonly seed: number;
  /** New transactions per minute of wall clock (an integer, 1..6000). */
  readonly perMinute: number;
  /** Where a reader without a cursor starts. */
  readonly startAt: Date;
}

export interface SimulatedFeedPage {
  readonly transactions: Record<string, unknown>[];
  readonly next_cursor: string | null;
}

/** A request the simulator cannot answer (the server maps it to 400). */
export class FeedRequestError extends Error {
  override readonly name = 'FeedRequestError';

  constructor(
    readonly code: 'INVALID_CURSOR' | 'INVALID_LIMIT',
    message: string,
  ) {
    super(message);
  }
}

export const MAX_PAGE_SIZE = 1000;
/** Share of records with one deliberate defect. */
export const BAD_RECORD_SHARE = 0.03;

/**
 * Transactions [cursor, cursor + limit) that exist at `now`. next_cursor is null only on an
 * empty page: nothing new yet, ask again later with the same cursor.
 */
export function simulatedFeedPage(
  options: FeedSimulatorOptions,
  cursor: string | null,
  limit: number,
  now: Date,
): SimulatedFeedPage {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new FeedRequestError('INVALID_LIMIT', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  const from = cursor === null ? slotAt(options.startAt, options.perMinute) : decodeCursor(cursor);
  const to = Math.min(from + limit, slotAt(now, options.perMinute));
  const transactions: Record<string, unknown>[] = [];
  for (let position = from; position < to; position++) {
    transactions.push(simulatedTransaction(options, position));
  }
  return { transactions, next_cursor: to > from ? encodeCursor(to) : null };
}

export function encodeCursor(position: number): string {
  return Buffer.from(`v1:${position}`).toString('base64url');
}

export function decodeCursor(cursor: string): number {
  const match = /^v1:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  // Re-encoding must give the same text, so padded or altered variants are refused too.
  if (!match || encodeCursor(Number(match[1])) !== cursor) {
    throw new FeedRequestError('INVALID_CURSOR', 'cursor is not one this feed issued');
  }
  return Number(match[1]);
}

/** The slot containing `time`: transactions before it have happened. */
function slotAt(time: Date, perMinute: number): number {
  if (!Number.isInteger(perMinute) || perMinute < 1 || perMinute > 6000) {
    throw new Error(`perMinute must be an integer from 1 to 6000; got ${perMinute}`);
  }
  return Math.floor((time.getTime() * perMinute) / 60_000);
}

interface Merchant {
  readonly name: string;
  readonly category: string;
  readonly country: string;
  readonly currency: string;
  /** Local UTC offset in minutes, written into the timestamp. */
  readonly utcOffset: number;
  /** Typical ticket relative to a grocery shop. */
  readonly scale: number;
  readonly weight: number;
}

export const SIMULATED_MERCHANTS: readonly Merchant[] = [
  { name: 'Tesco', category: 'groceries', country: 'GB', currency: 'GBP', utcOffset: 0, scale: 1, weight: 8 },
  { name: 'Pret A Manger', category: 'restaurants', country: 'GB', currency: 'GBP', utcOffset: 0, scale: 0.3, weight: 6 },
  { name: 'Transport for London', category: 'transport', country: 'GB', currency: 'GBP', utcOffset: 0, scale: 0.2, weight: 6 },
  { name: 'Carrefour', category: 'groceries', country: 'FR', currency: 'EUR', utcOffset: 60, scale: 1, weight: 7 },
  { name: 'Deutsche Bahn', category: 'transport', country: 'DE', currency: 'EUR', utcOffset: 60, scale: 2.5, weight: 4 },
  { name: 'Zalando', category: 'online_retail', country: 'DE', currency: 'EUR', utcOffset: 60, scale: 2, weight: 4 },
  { name: 'IKEA', category: 'home', country: 'DE', currency: 'EUR', utcOffset: 60, scale: 4, weight: 2 },
  { name: 'Lawson', category: 'groceries', country: 'JP', currency: 'JPY', utcOffset: 540, scale: 0.4, weight: 6 },
  { name: 'Uniqlo', category: 'apparel', country: 'JP', currency: 'JPY', utcOffset: 540, scale: 1.5, weight: 3 },
  { name: 'Japan Airlines', category: 'travel', country: 'JP', currency: 'JPY', utcOffset: 540, scale: 15, weight: 1 },
  { name: 'Whole Foods Market', category: 'groceries', country: 'US', currency: 'USD', utcOffset: -300, scale: 1.2, weight: 8 },
  { name: 'Starbucks', category: 'restaurants', country: 'US', currency: 'USD', utcOffset: -300, scale: 0.25, weight: 8 },
  { name: 'Amazon', category: 'online_retail', country: 'US', currency: 'USD', utcOffset: -480, scale: 1.5, weight: 10 },
  { name: 'Uber', category: 'transport', country: 'US', currency: 'USD', utcOffset: -480, scale: 0.8, weight: 6 },
  { name: 'Shell', category: 'fuel', country: 'US', currency: 'USD', utcOffset: -360, scale: 1.6, weight: 4 },
  { name: 'Apple Store', category: 'electronics', country: 'US', currency: 'USD', utcOffset: -480, scale: 8, weight: 2 },
  { name: 'Marriott Hotels', category: 'travel', country: 'US', currency: 'USD', utcOffset: -300, scale: 10, weight: 2 },
  { name: 'Netflix', category: 'entertainment', country: 'US', currency: 'USD', utcOffset: -480, scale: 0.5, weight: 3 },
  { name: 'Coinbase', category: 'crypto_exchange', country: 'US', currency: 'BTC', utcOffset: 0, scale: 12, weight: 1 },
  { name: 'Kraken', category: 'crypto_exchange', country: 'US', currency: 'ETH', utcOffset: 0, scale: 8, weight: 1 },
];

/** Rough units per USD the simulator prices in (not the platform's rates: shapes amounts only). */
export const SIMULATED_UNITS_PER_USD: Readonly<Record<string, string>> = {
  USD: '1',
  EUR: '0.92',
  GBP: '0.79',
  JPY: '150',
  BTC: '0.000016',
  ETH: '0.00033',
};

const TOTAL_WEIGHT = SIMULATED_MERCHANTS.reduce((sum, m) => sum + m.weight, 0);
const USERS = 5000;
const DEFECTS = ['missing-field', 'currency', 'negative', 'exponent', 'no-zone', 'future'] as const;
const MISSABLE = ['user_id', 'amount', 'currency', 'timestamp', 'merchant'] as const;
const DAY_MS = 86_400_000;

/** Transaction `position` of the stream: a pure function of (seed, perMinute, position). */
export function simulatedTransaction(
  options: Pick<FeedSimulatorOptions, 'seed' | 'perMinute'>,
  position: number,
): Record<string, unknown> {
  const random = mulberry32(hashInts(options.seed, Math.floor(position / 2 ** 32), position >>> 0));
  const merchant = pickMerchant(random());
  const slotStart = Math.ceil((position * 60_000) / options.perMinute);
  const slotEnd = Math.ceil(((position + 1) * 60_000) / options.perMinute);
  const time = slotStart + Math.floor(random() * (slotEnd - slotStart));
  const amount = amountIn(merchant, usdAmount(random) * merchant.scale);
  const transaction: Record<string, unknown> = {
    transaction_id: `sim-${options.seed}-${position}`,
    user_id: `user-${String(Math.floor(random() * USERS)).padStart(5, '0')}`,
    // Some partners send amounts as JSON numbers; the digits ("12.50") must survive the trip.
    amount: random() < 0.05 ? rawJSON(amount) : amount,
    currency: merchant.currency,
    timestamp: isoAt(time, merchant.utcOffset),
    merchant: merchant.name,
    merchant_category: merchant.category,
    country: merchant.country,
  };
  if (random() < BAD_RECORD_SHARE) spoil(transaction, DEFECTS[Math.floor(random() * DEFECTS.length)], random, time);
  return transaction;
}

function spoil(
  transaction: Record<string, unknown>,
  defect: (typeof DEFECTS)[number],
  random: () => number,
  time: number,
): void {
  switch (defect) {
    case 'missing-field':
      delete transaction[MISSABLE[Math.floor(random() * MISSABLE.length)]];
      return;
    case 'currency':
      transaction.currency = 'XYZ';
      return;
    case 'negative':
      transaction.amount = '-5';
      return;
    case 'exponent':
      transaction.amount = '1e5';
      return;
    case 'no-zone':
      transaction.timestamp = new Date(time).toISOString().slice(0, -1);
      return;
    case 'future':
      transaction.timestamp = new Date(time + (1 + Math.floor(random() * 30)) * DAY_MS).toISOString();
      return;
  }
}

function pickMerchant(u: number): Merchant {
  let left = u * TOTAL_WEIGHT;
  for (const merchant of SIMULATED_MERCHANTS) {
    left -= merchant.weight;
    if (left < 0) return merchant;
  }
  return SIMULATED_MERCHANTS[SIMULATED_MERCHANTS.length - 1];
}

/** Mostly a lognormal around 25 USD; one in ten from a Pareto tail starting at 150 USD. */
function usdAmount(random: () => number): number {
  const u1 = 1 - random();
  const u2 = random();
  if (random() < 0.9) {
    return 25 * Math.exp(0.9 * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
  }
  return Math.min(150 / u1, 250_000);
}

/** The float only shapes the amount; its digits come from Decimal at the currency's minor units. */
function amountIn(merchant: Merchant, usd: number): string {
  const { minorUnits } = requireCurrency(merchant.currency);
  const smallest = new Decimal(1).dividedBy(new Decimal(10).pow(minorUnits));
  const amount = new Decimal(usd.toFixed(2))
    .times(SIMULATED_UNITS_PER_USD[merchant.currency])
    .toDecimalPlaces(minorUnits);
  return Decimal.max(amount, smallest).toFixed(minorUnits);
}

/** ISO 8601 in the merchant's local time with its offset ("2026-11-05T19:04:05.123+09:00"). */
function isoAt(time: number, utcOffsetMinutes: number): string {
  if (utcOffsetMinutes === 0) return new Date(time).toISOString();
  const local = new Date(time + utcOffsetMinutes * 60_000).toISOString().slice(0, -1);
  const abs = Math.abs(utcOffsetMinutes);
  const offset = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return `${local}${utcOffsetMinutes < 0 ? '-' : '+'}${offset}`;
}

