import type { RatePolicy } from '../domain/rate-policy';
import { resolveRate, type RateQuery, type RateResolution } from '../domain/rate-resolver';
import type { RateTimeline, SeriesRequest } from '../ports/rate-series';

/** What answers "which rate was in force": the stage's source policy over the stored series. */
export interface RateSourceDeps {
  readonly timeline: RateTimeline;
  readonly policy: RatePolicy;
}

/** Passes over the queries; each reads the series the previous one found missing. */
const MAX_PASSES = 12;

/**
 * Resolves many queries at once, the API's and the pipeline's one way: the pure resolver asks
 * for the series it lacks, all queries' wants are read together, and it is asked again.
 */
export async function resolveRates(deps: RateSourceDeps, queries: readonly RateQuery[]): Promise<RateResolution[]> {
  const results: (RateResolution | undefined)[] = new Array(queries.length);
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
