import type { z } from 'zod';
import { parseAmount } from '../domain/amount';
import { convert, crossRate, type RateTable } from '../domain/cross-rate';
import { Decimal } from '../domain/decimal';
import { RateNotFoundError } from '../domain/errors';
import { checkDayRange, daysOf } from '../domain/rate-snapshot';
import type { PublishedPairRate, RateReader } from '../ports/rate-reader';
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

/** The bases providers publish in (ECB, Frankfurter, simulated: EUR; OXR, CoinGecko: USD). */
export const PUBLISHED_BASES: readonly string[] = ['EUR', 'USD'];

export const DEFAULT_HISTORY_DAYS = 31;
export const MAX_HISTORY_DAYS = 366;
/** The contract's decimal strings hold 38 fraction digits; crosses are computed with 60 digits. */
const RATE_DECIMALS = 38;
const MAX_AMOUNT = new Decimal(10).pow(38);
/** Days of a history page looked up at once (each day is one query per stored pair). */
const DAY_CONCURRENCY = 8;

export interface RateQueryDeps {
  readonly rates: RateReader;
  readonly currencies: CurrencyStore;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Crosses go through these. @default PUBLISHED_BASES */
  readonly pivots?: readonly string[];
}

export type Rate = z.output<typeof Schemas.Rate>;
export type HistoryPoint = z.output<typeof Schemas.HistoryPoint>;
export type Quote = z.output<typeof Schemas.Quote>;
type LatestQuery = HttpRequest<'latestRates'>['query'];
type HistoryQuery = HttpRequest<'rateHistory'>['query'];
type QuoteQuery = HttpRequest<'convert'>['query'];

// ---- exact crosses ---------------------------------------------------------------------

/** Units of `to` per 1 `from`, its inverse, and the published rates it comes from. */
export interface ResolvedRate {
  readonly rate: Decimal;
  readonly inverse: Decimal;
  /** The oldest as-of time of the rates used. */
  readonly asOf: string;
  /** Their providers, e.g. "ecb" or "ecb+coingecko". */
  readonly provider: string;
  readonly sources: readonly PublishedPairRate[];
}

interface Anchor {
  readonly table: RateTable;
  readonly sources: ReadonlyMap<string, PublishedPairRate>;
}

/**
 * Published rates grouped by the currency they count "per one" of: a quote-per-base rate under
 * its base, a base-per-quote rate (a coin's price) under its quote. So every table value is a
 * published number as written and crossRate divides once. (quotePerBase would divide to turn a
 * coin price around, and inverting that again gives 7.000…01 back for a published 7.)
 */
function anchorsOf(rates: readonly PublishedPairRate[]): Map<string, Anchor> {
  const groups = new Map<string, Map<string, PublishedPairRate>>();
  for (const r of rates) {
    const [anchor, other] = r.orientation === 'base-per-quote' ? [r.quote, r.base] : [r.base, r.quote];
    const group = groups.get(anchor) ?? new Map<string, PublishedPairRate>();
    groups.set(anchor, group);
    const held = group.get(other);
    if (!held || held.asOf < r.asOf) group.set(other, r);
  }
  return new Map(
    [...groups].map(([anchor, group]) => [
      anchor,
      {
        table: { base: anchor, rates: new Map([...group].map(([code, r]) => [code, new Decimal(r.rate)])) },
        sources: group,
      },
    ]),
  );
}

function resolved(rate: Decimal, inverse: Decimal, sources: readonly PublishedPairRate[]): ResolvedRate {
  const asOf = sources.reduce((oldest, s) => (s.asOf < oldest ? s.asOf : oldest), sources[0].asOf);
  const provider = [...new Set(sources.map((s) => s.provider))].join('+');
  return { rate, inverse, asOf, provider, sources };
}

/** Inside one table: the direct rate, the inverse, or a cross through the table's base. */
function withinTable(anchor: Anchor | undefined, from: string, to: string): ResolvedRate | undefined {
  if (!anchor) return undefined;
  const legs = [from, to].filter((code) => code !== anchor.table.base).map((code) => anchor.sources.get(code));
  if (legs.some((leg) => leg === undefined)) return undefined;
  return resolved(crossRate(anchor.table, from, to), crossRate(anchor.table, to, from), legs as PublishedPairRate[]);
}

/** The freshest (as-of of its oldest leg), then the one with fewer legs, then the first. */
function freshest(candidates: readonly (ResolvedRate | undefined)[]): ResolvedRate | undefined {
  let best: ResolvedRate | undefined;
  for (const c of candidates) {
    if (!c) continue;
    if (!best || c.asOf > best.asOf || (c.asOf === best.asOf && c.sources.length < best.sources.length)) best = c;
  }
  return best;
}

/**
 * Resolves units of `to` per 1 `from` from the given published rates: direct, inverse, crossed
 * inside a published base's table ((JPY/EUR) ÷ (USD/EUR)), or two such rates joined at a
 * published base (a coin priced in USD against a currency published in EUR). Undefined if
 * nothing connects them. `at` is the as-of time of a currency against itself.
 */
export function rateBook(rates: readonly PublishedPairRate[], pivots: readonly string[] = PUBLISHED_BASES) {
  const anchors = anchorsOf(rates);
  const oneTable = (x: string, y: string) =>
    freshest([...new Set([x, y, ...pivots])].map((anchor) => withinTable(anchors.get(anchor), x, y)));
  return (from: string, to: string, at: string): ResolvedRate | undefined => {
    if (from === to) return { rate: new Decimal(1), inverse: new Decimal(1), asOf: at, provider: 'identity', sources: [] };
    const candidates = [oneTable(from, to)];
    for (const pivot of pivots.filter((p) => p !== from && p !== to)) {
      const [a, b] = [oneTable(from, pivot), oneTable(pivot, to)];
      if (a && b) candidates.push(resolved(a.rate.times(b.rate), a.inverse.times(b.inverse), [...a.sources, ...b.sources]));
    }
    return freshest(candidates);
  };
}

const rateText = (rate: Decimal) => rate.toDecimalPlaces(RATE_DECIMALS).toString();

// ---- latest ----------------------------------------------------------------------------

export async function latestRates(
  deps: RateQueryDeps,
  query: LatestQuery,
): Promise<{ base: string; rates: Rate[] }> {
  const supported = new Map((await deps.currencies.list()).map((c) => [c.code, c]));
  const base = checkEnabled(supported.get(query.base), query.base).code;
  const symbols = query.symbols ? [...new Set(query.symbols.split(','))] : undefined;
  for (const code of symbols ?? []) checkEnabled(supported.get(code), code);
  const quotes = symbols ?? [...supported.values()].filter((c) => c.enabled && c.code !== base).map((c) => c.code);

  const pivots = deps.pivots ?? PUBLISHED_BASES;
  const resolve = rateBook(await deps.rates.latest([...new Set([base, ...pivots])]), pivots);
  const at = now(deps).toISOString();
  const rates: Rate[] = [];
  const missing: string[] = [];
  for (const quote of quotes) {
    const found = resolve(base, quote, at);
    if (found) rates.push({ quote, rate: rateText(found.rate), asOf: found.asOf, provider: found.provider });
    else missing.push(quote);
  }
  if (symbols && missing.length > 0) {
    throw new RateNotFoundError(`No rate connects ${base} to ${missing.join(', ')}`, { base, currencies: missing });
  }
  return { base, rates };
}

// ---- history ---------------------------------------------------------------------------

/**
 * One point per day from `from` to `to` (never past today): the rate in force at the end of
 * the day. A day without its own publication repeats the previous one with `fallback: true`.
 * Days before the pair's first publication are left out. Pages are `limit` days long.
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

  const today = now(deps).toISOString().slice(0, 10);
  const last = to < today ? to : today;
  const pairs = await pairsBetween(deps, base, quote);
  if (!rateBook(pairs, deps.pivots)(base, quote, today)) {
    throw new RateNotFoundError(`No rates connect ${base} and ${quote}`, { base, quote });
  }
  const firsts = await Promise.all(pairs.map((p) => deps.rates.first(p.base, p.quote)));
  const published = firsts.flatMap((r) => (r ? [r.asOf.slice(0, 10)] : []));
  const earliest = base === quote ? start : published.sort()[0];
  const first = earliest && earliest > start ? earliest : start;
  if (!earliest || first > last) return { items: [], nextCursor: null };

  const pageEnd = addDays(first, limit - 1);
  const days = daysOf({ from: first, to: pageEnd < last ? pageEnd : last });
  const points = await mapLimit(days, DAY_CONCURRENCY, async (day): Promise<HistoryPoint | undefined> => {
    const found = await rateAtEndOf(deps, pairs, base, quote, day);
    return found && {
      date: day,
      rate: rateText(found.rate),
      asOf: found.asOf,
      provider: found.provider,
      fallback: found.asOf.slice(0, 10) !== day,
    };
  });
  const lastDay = days[days.length - 1];
  return {
    items: points.filter((p): p is HistoryPoint => p !== undefined),
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

/** `amount` of `from` in `to`, rounded half-even to the target's minor units as stored. */
export async function quote(deps: RateQueryDeps, query: QuoteQuery): Promise<Quote> {
  const { from, to, amount, date } = query;
  const value = parseAmount(amount);
  if (date !== undefined) checkDays(date, date);
  const [, target] = await Promise.all([
    requireEnabledCurrency(deps.currencies, from),
    requireEnabledCurrency(deps.currencies, to),
  ]);
  const found = date === undefined ? await latestRate(deps, from, to) : await rateOn(deps, from, to, date);
  const { rounded } = convert(value, found.rate, target);
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
    asOf: found.asOf,
    provider: found.provider,
  };
}

async function latestRate(deps: RateQueryDeps, from: string, to: string): Promise<ResolvedRate> {
  const pivots = deps.pivots ?? PUBLISHED_BASES;
  const published = await deps.rates.latest([...new Set([from, to, ...pivots])]);
  const found = rateBook(published, pivots)(from, to, now(deps).toISOString());
  if (!found) throw new RateNotFoundError(`No rate connects ${from} to ${to}`, { from, to });
  return found;
}

async function rateOn(deps: RateQueryDeps, from: string, to: string, day: string): Promise<ResolvedRate> {
  const today = now(deps).toISOString().slice(0, 10);
  const found = day > today ? undefined : await rateAtEndOf(deps, await pairsBetween(deps, from, to), from, to, day);
  if (!found) throw new RateNotFoundError(`No ${from} to ${to} rate was published on or before ${day}`, { from, to, date: day });
  return found;
}

// ---- reading -----------------------------------------------------------------------------

type Pair = Pick<PublishedPairRate, 'base' | 'quote'>;

/** The latest rate of each stored pair a path between the two currencies can use. */
async function pairsBetween(deps: RateQueryDeps, a: string, b: string): Promise<PublishedPairRate[]> {
  const nodes = [...new Set([a, b, ...(deps.pivots ?? PUBLISHED_BASES)])];
  return (await deps.rates.latest(nodes)).filter((r) => nodes.includes(r.quote));
}

async function rateAtEndOf(
  deps: RateQueryDeps,
  pairs: readonly Pair[],
  from: string,
  to: string,
  day: string,
): Promise<ResolvedRate | undefined> {
  const before = `${addDays(day, 1)}T00:00:00.000Z`;
  const book = await Promise.all(pairs.map((p) => deps.rates.lastBefore(p.base, p.quote, before)));
  const inForce = book.filter((r): r is PublishedPairRate => r !== undefined);
  return rateBook(inForce, deps.pivots)(from, to, `${day}T00:00:00.000Z`);
}

// ---- small helpers -----------------------------------------------------------------------

const now = (deps: RateQueryDeps) => (deps.clock ?? (() => new Date()))();

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

async function mapLimit<T, R>(items: readonly T[], concurrency: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export const rateOperations = {
  latestRates: ({ query }, deps) => latestRates(deps, query),
  rateHistory: ({ query }, deps) => rateHistory(deps, query),
  convert: ({ query }, deps) => quote(deps, query),
} satisfies Operations<RateQueryDeps>;
