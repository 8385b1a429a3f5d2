import { cachedRateTimeline } from '../lambdas/adapters/rate-timeline';
import { findCurrency, listCurrencies } from '../lambdas/domain/currency';
import { policySeries, seriesId, type RatePolicy } from '../lambdas/domain/rate-policy';
import { seriesSnapshotOf, type RateSnapshot } from '../lambdas/domain/rate-snapshot';
import type { CurrencyStore } from '../lambdas/ports/currency-store';
import type { LatestSeries, RateSeriesReader } from '../lambdas/ports/rate-series';
import { SCOPES, fullScope } from '../lambdas/shared/api-contract';
import { withHttp, type ApiEvent } from '../lambdas/shared/http';
import { rateOperations } from '../lambdas/use-cases/rate-queries';

/**
 * `GET /v1/convert` in-process, as rates-api runs it (routing, claims, validation, the policy's
 * resolver, the cross, rounding, JSON), over series and currencies held in memory: reads cost
 * nothing but the work around them. Each snapshot is its series' latest publication, checked a
 * minute after `now` so the answer is settled. Used by the convert and exactness benches.
 */
export function convertInProcess(snapshots: readonly RateSnapshot[], policy: RatePolicy, now: Date) {
  const clock = () => now;
  const checkedAt = new Date(now.getTime() + 60_000).toISOString();
  const timeline = cachedRateTimeline(memorySeries(snapshots, checkedAt), { series: policySeries(policy), clock });
  const handler = withHttp(rateOperations, { policy, timeline, currencies: memoryCurrencies(), clock });
  return async (from: string, to: string, amount: string) => handler(convertEvent(from, to, amount));
}

/** One publication per series, as the LATEST# items hold them; no history. */
function memorySeries(snapshots: readonly RateSnapshot[], checkedAt: string): RateSeriesReader {
  const latest = new Map<string, LatestSeries>(
    snapshots.map((s) => [seriesId(s), { snapshot: seriesSnapshotOf(s), fetchedAt: s.fetchedAt, checkedAt }]),
  );
  return {
    latest: async (keys) => new Map(keys.flatMap((key) => (latest.has(seriesId(key)) ? [[seriesId(key), latest.get(seriesId(key))!]] : []))),
    atOrBefore: async () => [],
    after: async () => ({ items: [], complete: true }),
  };
}

/** Every currency the platform knows, enabled. */
function memoryCurrencies(): CurrencyStore {
  const all = listCurrencies().map((c) => ({ ...c, enabled: true }));
  const unused = async (): Promise<never> => {
    throw new Error('not used by GET /v1/convert');
  };
  return {
    list: async () => all,
    get: async (code) => (findCurrency(code) ? { ...findCurrency(code)!, enabled: true } : undefined),
    addMissing: unused,
    update: unused,
    remove: unused,
  };
}

const convertEvent = (from: string, to: string, amount: string): ApiEvent => ({
  httpMethod: 'GET',
  resource: '/v1/convert',
  path: '/v1/convert',
  queryStringParameters: { from, to, amount },
  multiValueQueryStringParameters: { from: [from], to: [to], amount: [amount] },
  headers: { Accept: 'application/json' },
  body: null,
  requestContext: { authorizer: { claims: { client_id: 'bench', scope: fullScope(SCOPES.ratesRead), token_use: 'access' } } },
});
