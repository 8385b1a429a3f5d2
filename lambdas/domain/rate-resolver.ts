import { exactProduct, inverseOf, rateOf, type RateFraction } from './cross-rate';
import type { Decimal } from './decimal';
import { rulesFor, seriesId, seriesOf, staleFrom, type RatePolicy, type SeriesKey, type SourceRule } from './rate-policy';
import type { Publication, RateProviderName } from './rate-publication';
import type { PublishedValue, SeriesSnapshot } from './rate-snapshot';

export type { PublishedValue, SeriesSnapshot } from './rate-snapshot';

/** What is known about one series at the instant asked. */
export interface SeriesState {
  /** The newest publication in force at or before the instant; undefined before the first one. */
  readonly inForce?: SeriesSnapshot;
  /** The newest publication stored; undefined when the series has none yet. */
  readonly latest?: SeriesSnapshot;
  /** The last instant whose answer from this series is final (settledUntil in rate-publication). */
  readonly settledUntil?: string;
}

/** A series' state at the query's instant, or undefined when it has not been read yet. */
export type SeriesLookup = (key: SeriesKey) => SeriesState | undefined;

export interface RateQuery {
  readonly from: string;
  readonly to: string;
  /** ISO-8601 UTC with milliseconds. */
  readonly at: string;
}

/** A published rate used by an answer. */
export interface RateLeg extends PublishedValue, Publication {
  readonly provider: RateProviderName;
  readonly base: string;
  readonly quote: string;
}

/** identity (a currency against itself), direct (the published number), inverse (1 / it), pivot (through other currencies). */
export type RatePath = 'identity' | 'direct' | 'inverse' | 'pivot';

export interface ResolvedRate extends RateFraction {
  readonly kind: 'rate';
  readonly query: RateQuery;
  /** Units of `to` per 1 `from`, 60 significant digits; and its inverse. */
  readonly rate: Decimal;
  readonly inverse: Decimal;
  readonly path: RatePath;
  /** The published numbers the answer uses, in path order (from `from` to `to`). */
  readonly legs: readonly RateLeg[];
  readonly providers: readonly RateProviderName[];
  /** The oldest leg's in-force instant (the query's instant for identity). */
  readonly inForceFrom: string;
  /** True when every series the answer depends on is settled at the instant. */
  readonly settled: boolean;
}

/**
 * - NO_RATE_AT_TIME: the instant is before the first publication of every source of the currency;
 * - STALE: a source has a publication in force, but every one is older than its window allows;
 * - NOT_CONNECTED: no source of the policy publishes the currency, or nothing links the two.
 */
export type NoRateReason = 'NO_RATE_AT_TIME' | 'STALE' | 'NOT_CONNECTED';

export interface NoRate {
  readonly kind: 'none';
  readonly query: RateQuery;
  readonly reason: NoRateReason;
  /** The currency that could not be valued. */
  readonly currency: string;
  readonly message: string;
  readonly settled: boolean;
}

export interface NeedsSeries {
  readonly kind: 'needs';
  readonly series: SeriesKey;
}

export type RateResolution = ResolvedRate | NoRate;

interface Source {
  readonly snapshot: SeriesSnapshot;
  readonly rule: SourceRule;
}

interface Failure {
  readonly reason: NoRateReason;
  readonly currency: string;
  readonly message: string;
}

/** A currency's chain of sources: nodes[i + 1] is the base nodes[i] is valued in. */
interface Chain {
  readonly nodes: string[];
  readonly legs: RateLeg[];
  done: boolean;
  failure?: Failure;
}

class Missing {
  constructor(readonly series: SeriesKey) {}
}

/**
 * Units of `to` per 1 `from` at `at`, by the policy, from the publications in force then. Pure:
 * `lookup` answers from what the caller has read; when it lacks a series the answer is
 * `needs` and the caller reads it and asks again.
 *
 * Each currency is valued in its source's base (the first provider of its list whose
 * publication in force has it and is not stale); a base is valued in turn through its own
 * source, until the two currencies' chains meet. The rate is then one fraction of the
 * published numbers along both chains, divided once. BTC->JPY with CoinGecko for crypto and
 * the ECB for fiat: BTC in USD (CoinGecko's price), USD in EUR and JPY in EUR (the ECB's table):
 * (price x JPY per EUR) / (USD per EUR).
 */
export function resolveRate(policy: RatePolicy, query: RateQuery, lookup: SeriesLookup): RateResolution | NeedsSeries {
  const consulted = new Map<string, SeriesState>();
  const settled = () => [...consulted.values()].every((s) => s.settledUntil !== undefined && query.at <= s.settledUntil);
  try {
    if (query.from === query.to) return identity(query);
    const sources = new Map<string, Source | Failure>();
    const sourceOf = (code: string) => {
      const known = sources.get(code) ?? findSource(policy, code, query.at, lookup, consulted);
      sources.set(code, known);
      return known;
    };
    const a = chain(query.from);
    const b = chain(query.to);
    // Grow the chains in turn; the first node they share is where they meet (each currency has
    // one source base at an instant, so the chains are paths towards a root).
    for (let turn = 0; ; turn++) {
      const meeting = meet(a, b);
      if (meeting) return answer(query, a, b, meeting, settled());
      if (a.done && b.done) return noRate(query, a.failure ?? b.failure ?? notConnected(query), settled());
      extend(turn % 2 === 0 && !a.done ? a : b.done ? a : b, sourceOf);
    }
  } catch (error) {
    if (error instanceof Missing) return { kind: 'needs', series: error.series };
    throw error;
  }
}

function identity(query: RateQuery): ResolvedRate {
  const one = exactProduct([]);
  return {
    kind: 'rate',
    query,
    numerator: one,
    denominator: one,
    rate: one,
    inverse: one,
    path: 'identity',
    legs: [],
    providers: [],
    inForceFrom: query.at,
    settled: true,
  };
}

function findSource(
  policy: RatePolicy,
  code: string,
  at: string,
  lookup: SeriesLookup,
  consulted: Map<string, SeriesState>,
): Source | Failure {
  const stale: string[] = [];
  const later: string[] = [];
  for (const rule of rulesFor(policy, code)) {
    const key = seriesOf(rule.provider);
    const state = lookup(key);
    if (!state) throw new Missing(key);
    consulted.set(seriesId(key), state);
    const has = (s: SeriesSnapshot | undefined) => s !== undefined && (s.base === code || s.rates.has(code));
    const snapshot = state.inForce;
    if (!has(snapshot)) {
      if (has(state.latest)) later.push(rule.provider);
      continue;
    }
    const staleAt = staleFrom(snapshot!, rule.staleAfter);
    if (at >= staleAt) {
      stale.push(`${rule.provider} (in force from ${snapshot!.inForceFrom}, stale from ${staleAt})`);
      continue;
    }
    return { snapshot: snapshot!, rule };
  }
  if (stale.length > 0) {
    return { reason: 'STALE', currency: code, message: `No source of ${code} is fresh at ${at}: ${stale.join('; ')}` };
  }
  if (later.length > 0) {
    return {
      reason: 'NO_RATE_AT_TIME',
      currency: code,
      message: `No rate for ${code} was in force at ${at}: the first publication of ${later.join(', ')} with ${code} is later`,
    };
  }
  return { reason: 'NOT_CONNECTED', currency: code, message: `No source of the rate policy publishes ${code} at ${at}` };
}

const chain = (code: string): Chain => ({ nodes: [code], legs: [], done: false });

function extend(c: Chain, sourceOf: (code: string) => Source | Failure): void {
  const node = c.nodes[c.nodes.length - 1];
  const source = sourceOf(node);
  if (!('snapshot' in source)) {
    c.failure = source;
    c.done = true;
    return;
  }
  const { snapshot } = source;
  // A base is its own source's root; a source base already on the chain would be a cycle.
  if (snapshot.base === node || c.nodes.includes(snapshot.base)) {
    c.done = true;
    return;
  }
  const published = snapshot.rates.get(node)!;
  c.legs.push({ provider: snapshot.provider, base: snapshot.base, quote: node, ...published, inForceFrom: snapshot.inForceFrom, rateDate: snapshot.rateDate });
  c.nodes.push(snapshot.base);
}

function meet(a: Chain, b: Chain): { i: number; j: number } | undefined {
  for (let i = 0; i < a.nodes.length; i++) {
    const j = b.nodes.indexOf(a.nodes[i]);
    if (j >= 0) return { i, j };
  }
  return undefined;
}

/** Units of the leg's base per 1 of its quote, as [numerator, denominator] of published numbers. */
const baseValue = (leg: RateLeg): [string, string] => (leg.orientation === 'base-per-quote' ? [leg.rate, '1'] : ['1', leg.rate]);

function answer(query: RateQuery, a: Chain, b: Chain, { i, j }: { i: number; j: number }, settled: boolean): ResolvedRate {
  const fromLegs = a.legs.slice(0, i);
  const toLegs = b.legs.slice(0, j);
  // (from in M) / (to in M), M the meeting currency.
  const numerator = exactProduct([...fromLegs.map((l) => baseValue(l)[0]), ...toLegs.map((l) => baseValue(l)[1])]);
  const denominator = exactProduct([...fromLegs.map((l) => baseValue(l)[1]), ...toLegs.map((l) => baseValue(l)[0])]);
  const legs = [...fromLegs, ...[...toLegs].reverse()];
  const oldest = legs.reduce((o, l) => (l.inForceFrom < o.inForceFrom ? l : o));
  const fraction = { numerator, denominator };
  return {
    kind: 'rate',
    query,
    ...fraction,
    rate: rateOf(fraction),
    inverse: inverseOf(fraction),
    path: legs.length > 1 ? 'pivot' : singlePath(fromLegs, toLegs),
    legs,
    providers: [...new Set(legs.map((l) => l.provider))],
    inForceFrom: oldest.inForceFrom,
    settled,
  };
}

/** One published number: the answer is that number (direct) or its inverse. */
function singlePath(fromLegs: readonly RateLeg[], toLegs: readonly RateLeg[]): RatePath {
  const [leg] = [...fromLegs, ...toLegs];
  const publishedInNumerator = fromLegs.length === 1 ? leg.orientation === 'base-per-quote' : leg.orientation === 'quote-per-base';
  return publishedInNumerator ? 'direct' : 'inverse';
}

const notConnected = (query: RateQuery): Failure => ({
  reason: 'NOT_CONNECTED',
  currency: query.from,
  message: `No rate connects ${query.from} and ${query.to} at ${query.at}`,
});

const noRate = (query: RateQuery, failure: Failure, settled: boolean): NoRate => ({ kind: 'none', query, ...failure, settled });

/** How an answer names its sources: "ecb", "coingecko+ecb", or "identity" for a currency against itself. */
export const providerText = (r: ResolvedRate): string => (r.providers.length > 0 ? r.providers.join('+') : 'identity');

/** The published pairs an answer used, in path order: "EUR/JPY,EUR/USD", or "identity". */
export const pathText = (r: ResolvedRate): string => (r.legs.length > 0 ? r.legs.map((l) => `${l.base}/${l.quote}`).join(',') : 'identity');
