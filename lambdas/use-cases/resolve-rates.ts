import { cachedRateTimeline } from '../adapters/rate-timeline';
import { policySeries, type RatePolicy } from '../domain/rate-policy';
import { resolveRate, type RateQuery, type RateResolution } from '../domain/rate-resolver';
import { rateDecision, type RateWait } from '../domain/rate-settlement';
import type { RateSeriesReader, RateTimeline, SeriesRequest } from '../ports/rate-series';

/** What answers "which rate was in force": the stage's source policy over the stored series. */
export interface RateSourceDeps {
  readonly timeline: RateTimeline;
  readonly policy: RatePolicy;
}

/** The policy over a series reader, through the warm-container cache every reader of rates uses. */
export function rateSourcesOf(policy: RatePolicy, reader: RateSeriesReader, clock?: () => Date): RateSourceDeps {
  return { policy, timeline: cachedRateTimeline(reader, { series: policySeries(policy), clock }) };
}

/** Passes over the queries; each reads the series the previous one found missing. */
const MAX_PASSES = 12;

/**
 * Resolves many queries at once, the API's and the pipeline's one way: the pure resolver asks
 * for the series it lacks, all queries' wants are read together, and it is asked again.
 */
export async function resolveRates(deps: RateSourceDeps, queries: readonly RateQuery[]): Promise<RateResolution[]> {
  const results: (RateResolution | undefined)[] = [];
  let wanted: SeriesRequest[] = [];
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const lookup = await deps.timeline.load(wanted);
    wanted = [];
    queries.forEach((query, i) => {
      if (results[i]) return;
      const result = resolveRate(deps.policy, query, (key) => lookup(key, query.at));
      if (result.kind === 'needs') wanted.push({ key: result.series, at: query.at });
      else results[i] = result;
    });
    if (wanted.length === 0) return results as RateResolution[];
  }
  throw new Error(`rates unresolved after ${MAX_PASSES} passes: ${JSON.stringify(wanted.slice(0, 3))}`);
}

export async function resolveRateAt(deps: RateSourceDeps, query: RateQuery): Promise<RateResolution> {
  const [result] = await resolveRates(deps, [query]);
  return result;
}

/**
 * For each transaction, why no rate will ever be found for it (the answer is final: before
 * every source's first publication, or no source publishes the currency), or undefined. The
 * rule process-transactions applies to a record that has not waited yet.
 */
export async function finalNoRates(
  deps: RateSourceDeps,
  baseCurrency: string,
  transactions: readonly { readonly currency: string; readonly timestamp: string }[],
  wait: RateWait,
): Promise<(string | undefined)[]> {
  const resolved = await resolveRates(deps, transactions.map((t) => ({ from: t.currency, to: baseCurrency, at: t.timestamp })));
  return resolved.map((r) => {
    const decision = rateDecision(r, 0, wait);
    return decision.action === 'no-rate' ? decision.detail : undefined;
  });
}
