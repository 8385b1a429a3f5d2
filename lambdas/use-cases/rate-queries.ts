import type { z } from 'zod';
import { parseAmount } from '../domain/amount';
import { convert } from '../domain/cross-rate';
import { Decimal } from '../domain/decimal';
import { NoRateError } from '../domain/errors';
import { parseInstant } from '../domain/instant';
import { providerText, type NoRate, type RateResolution, type ResolvedRate } from '../domain/rate-resolver';
import { checkDayRange, daysOf, MAX_RATE_FUTURE_SKEW_SECONDS } from '../domain/rate-snapshot';
import type { CurrencyStore } from '../ports/currency-store';
import type { Schemas } from '../shared/api-contract';
import {
  BadRequestError,
  UnprocessableError,
  decodeCursor,
  encodeCursor,
  invalidCursor,
  type HttpRequest,
  type Operations,
} from '../shared/http';
import { checkEnabled, requireEnabledCurrency } from './currencies';
import { resolveRateAt, resolveRates, type RateSourceDeps } from './resolve-rates';

export const DEFAULT_HISTORY_DAYS = 31;
export const MAX_HISTORY_DAYS = 366;
/** The contract's decimal strings hold 38 fraction digits; crosses are computed with 60 digits. */
const RATE_DECIMALS = 38;
const MAX_AMOUNT = new Decimal(10).pow(38);
/** Days resolved at once while looking for a history's first day with a rate. */
const SCAN_DAYS = 366;

export interface RateQueryDeps extends RateSourceDeps {
  readonly currencies: CurrencyStore;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

export type Rate = z.output<typeof Schemas.Rate>;
export type HistoryPoint = z.output<typeof Schemas.HistoryPoint>;
export type Quote = z.output<typeof Schemas.Quote>;
type LatestQuery = HttpRequest<'latestRates'>['query'];
type HistoryQuery = HttpRequest<'rateHistory'>['query'];
type QuoteQuery = HttpRequest<'convert'>['query'];

const rateText = (rate: Decimal) => rate.toDecimalPlaces(RATE_DECIMALS).toString();

const NO_RATE_CODES = { NO_RATE_AT_TIME: 'NO_RATE_AT_TIME', STALE: 'RATE_STALE', NOT_CONNECTED: 'RATE_NOT_FOUND' } as const;

/** The resolved rate, or the 422 that says why there is none. */
export function requireRate(result: RateResolution): ResolvedRate {
  if (result.kind === 'rate') return result;
  throw noRateError(result);
}

const noRateError = (r: NoRate) =>
  new NoRateError(NO_RATE_CODES[r.reason], r.message, { from: r.query.from, to: r.query.to, at: r.query.at, currency: r.currency });

// ---- latest ----------------------------------------------------------------------------

/** The rates from `base` in force now, or at `at`. */
export async function latestRates(deps: RateQueryDeps, query: LatestQuery): Promise<{ base: string; rates: Rate[] }> {
  const at = instantOf(deps, query.at);
  const supported = new Map((await deps.currencies.list()).map((c) => [c.code, c]));
  const base = checkEnabled(supported.get(query.base), query.base).code;
  const symbols = query.symbols ? [...new Set(query.symbols.split(','))] : undefined;
  for (const code of symbols ?? []) checkEnabled(supported.get(code), code);
  const quotes = symbols ?? [...supported.values()].filter((c) => c.enabled && c.code !== base).map((c) => c.code);

  const results = await resolveRates(deps, quotes.map((to) => ({ from: base, to, at })));
  const rates: Rate[] = [];
  const missing: NoRate[] = [];
  for (const result of results) {
    if (result.kind === 'rate') {
      rates.push({ quote: result.query.to, rate: rateText(result.rate), asOf: result.inForceFrom, provider: providerText(result) });
    } else missing.push(result);
  }
  if (symbols && missing.length > 0) {
    const reasons = new Set(missing.map((m) => m.reason));
    const code = reasons.size === 1 ? NO_RATE_CODES[missing[0].reason] : 'RATE_NOT_FOUND';
    throw new NoRateError(code, missing.map((m) => m.message).join('; '), {
      base,
      at,
      currencies: missing.map((m) => m.query.to),
      reasons: Object.fromEntries(missing.map((m) => [m.query.to, NO_RATE_CODES[m.reason]])),
    });
  }
  return { base, rates };
}

// ---- history ---------------------------------------------------------------------------

/**
 * One point per day from `from` to `to` (never past today): the rate in force at the end of
 * the day (UTC; now, for today). A day without its own publication repeats the one in force
 * with `fallback: true`. Days before the pair's first rate are left out, and pages are `limit`
 * days long from the first day with a rate.
 */
export async function rateHistory(
  deps: RateQueryDeps,
  query: HistoryQuery,
): Promise<{ items: HistoryPoint[]; nextCursor: string | null }> {
  const { base, quote, from, to } = query;
  checkDays(from, to);
  const limit = pageSize(query.limit, DEFAULT_HISTORY_DAYS, MAX_HISTORY_DAYS);
  const start = query.cursor ? readHistoryCursor(query.cursor, query) : from;
  await Promise.all([requireEnabledCurrency(deps.currencies, base), requireEnabledCurrency(deps.currencies, quote)]);

  const now = clockOf(deps)();
  const today = now.toISOString().slice(0, 10);
  const last = to < today ? to : today;
  const atEndOf = (day: string) => (day === today ? now.toISOString() : `${day}T23:59:59.999Z`);
  const resolveDays = (days: readonly string[]) => resolveRates(deps, days.map((day) => ({ from: base, to: quote, at: atEndOf(day) })));

  const probe = await resolveRateAt(deps, { from: base, to: quote, at: now.toISOString() });
  if (probe.kind === 'none' && probe.reason === 'NOT_CONNECTED') throw noRateError(probe);

  let first: string | undefined;
  for (let scanFrom = start; !first && scanFrom <= last; scanFrom = addDays(scanFrom, SCAN_DAYS)) {
    const scanTo = addDays(scanFrom, SCAN_DAYS - 1);
    const days = daysOf({ from: scanFrom, to: scanTo < last ? scanTo : last });
    first = days[(await resolveDays(days)).findIndex((r) => r.kind === 'rate')];
  }
  if (!first) return { items: [], nextCursor: null };

  const pageEnd = addDays(first, limit - 1);
  const days = daysOf({ from: first, to: pageEnd < last ? pageEnd : last });
  const items = (await resolveDays(days)).flatMap((r, i): HistoryPoint[] => {
    if (r.kind !== 'rate') return [];
    const oldest = r.legs.find((l) => l.inForceFrom === r.inForceFrom);
    return [{ date: days[i], rate: rateText(r.rate), asOf: r.inForceFrom, provider: providerText(r), fallback: oldest !== undefined && oldest.rateDate !== days[i] }];
  });
  const lastDay = days[days.length - 1];
  return {
    items,
    nextCursor: lastDay < last ? encodeCursor({ next: addDays(lastDay, 1), query: historyKey(query) }) : null,
  };
}

const historyKey = (q: HistoryQuery) => [q.base, q.quote, q.from, q.to].join('/');

function readHistoryCursor(cursor: string, query: HistoryQuery): string {
  const { next, query: key } = decodeCursor(cursor);
  const valid = key === historyKey(query) && typeof next === 'string' && isDay(next) && next >= query.from && next <= query.to;
  if (!valid) throw invalidCursor();
  return next;
}

// ---- quotes ----------------------------------------------------------------------------

/**
 * `amount` of `from` in `to` at the rate in force now, at `at`, or at the end of `date`:
 * (amount x numerator) / denominator of the published numbers, rounded once, half-even, to
 * the target's minor units as stored.
 */
export async function quote(deps: RateQueryDeps, query: QuoteQuery): Promise<Quote> {
  const { from, to, amount } = query;
  const value = parseAmount(amount);
  const at = query.date === undefined ? instantOf(deps, query.at) : endOfDay(deps, query.date, query.at);
  const [, target] = await Promise.all([requireEnabledCurrency(deps.currencies, from), requireEnabledCurrency(deps.currencies, to)]);
  const found = requireRate(await resolveRateAt(deps, { from, to, at }));
  const { rounded } = convert(value, found, target);
  if (rounded.isZero()) {
    throw new UnprocessableError('AMOUNT_ROUNDS_TO_ZERO', `${amount} ${from} is less than the smallest amount of ${to} (${target.minorUnits} decimals)`, {
      from,
      to,
      amount,
      minorUnits: target.minorUnits,
    });
  }
  if (rounded.abs().gte(MAX_AMOUNT)) {
    throw new UnprocessableError('AMOUNT_OUT_OF_RANGE', `The converted amount has more than 38 digits`, { from, to, amount });
  }
  return {
    from,
    to,
    amount,
    converted: rounded.toFixed(target.minorUnits),
    rate: rateText(found.rate),
    inverseRate: rateText(found.inverse),
    asOf: found.inForceFrom,
    provider: providerText(found),
  };
}

// ---- instants ---------------------------------------------------------------------------

const clockOf = (deps: RateQueryDeps) => deps.clock ?? (() => new Date());

/** `at` as ISO UTC (now when absent); 400 when it is no instant or lies ahead of now. */
function instantOf(deps: RateQueryDeps, at: string | undefined): string {
  const now = clockOf(deps)();
  if (at === undefined) return now.toISOString();
  // An unencoded "+" of an offset reaches us as a space.
  const parsed = parseInstant(at.replace(/ (\d{2}(:?\d{2})?)$/, '+$1'));
  if (!parsed.ok) throw new BadRequestError(`at ${JSON.stringify(at)} ${parsed.problem}`, issue('at', parsed.problem));
  if (Date.parse(parsed.iso) > now.getTime() + MAX_RATE_FUTURE_SKEW_SECONDS * 1000) {
    throw new BadRequestError(`at ${parsed.iso} is in the future (now is ${now.toISOString()}); no rate is in force then yet`, issue('at', 'in the future'));
  }
  return parsed.iso;
}

/** The end of `date` (UTC), or now for today; 400 for a date that does not exist or has not come. */
function endOfDay(deps: RateQueryDeps, date: string, at: string | undefined): string {
  if (at !== undefined) throw new BadRequestError('Give either date or at, not both', issue('at', 'not with date'));
  checkDays(date, date);
  const now = clockOf(deps)();
  const today = now.toISOString().slice(0, 10);
  if (date > today) throw new BadRequestError(`date ${date} is in the future (today is ${today})`, issue('date', 'in the future'));
  return date === today ? now.toISOString() : `${date}T23:59:59.999Z`;
}

const issue = (path: string, message: string) => ({ issues: [{ in: 'query', path, message }] });

// ---- small helpers -----------------------------------------------------------------------

const isDay = (day: string) => {
  try {
    checkDayRange({ from: day, to: day });
    return true;
  } catch {
    return false;
  }
};

function checkDays(from: string, to: string): void {
  try {
    checkDayRange({ from, to });
  } catch (error) {
    throw new BadRequestError(`Invalid dates: ${(error as Error).message}`, { from, to });
  }
}

const addDays = (day: string, n: number) => new Date(Date.parse(day) + n * 86_400_000).toISOString().slice(0, 10);

/** A `limit` query parameter (digits only, by the contract), between 1 and `max`. */
export function pageSize(limit: string | undefined, fallback: number, max: number): number {
  const size = limit === undefined ? fallback : Number(limit);
  if (!(size >= 1 && size <= max)) {
    throw new BadRequestError(`limit must be between 1 and ${max}`, { issues: [{ in: 'query', path: 'limit', message: 'out of range' }] });
  }
  return size;
}

export const rateOperations = {
  latestRates: ({ query }, deps) => latestRates(deps, query),
  rateHistory: ({ query }, deps) => rateHistory(deps, query),
  convert: ({ query }, deps) => quote(deps, query),
} satisfies Operations<RateQueryDeps>;
