import { findCurrency, listCurrencies } from '../lambdas/domain/currency';
import type { CurrencyStore } from '../lambdas/ports/currency-store';
import type { PublishedPairRate, RateReader } from '../lambdas/ports/rate-reader';
import { SCOPES, fullScope } from '../lambdas/shared/api-contract';
import { withHttp, type ApiEvent } from '../lambdas/shared/http';
import { rateOperations } from '../lambdas/use-cases/rate-queries';

/**
 * `GET /v1/convert` in-process, as rates-api runs it (routing, claims, validation, the cross,
 * rounding, JSON), over rates and currencies held in memory: reads cost nothing but the work
 * around them. Used by the convert and exactness benches.
 */
export function convertInProcess(rates: readonly PublishedPairRate[], now: Date) {
  const handler = withHttp(rateOperations, { rates: memoryRates(rates), currencies: memoryCurrencies(), clock: () => now });
  return async (from: string, to: string, amount: string) => handler(convertEvent(from, to, amount));
}

/** Latest rates only, as the LATEST# items hold them. */
function memoryRates(rates: readonly PublishedPairRate[]): RateReader {
  return {
    latest: async (bases) => rates.filter((r) => bases.includes(r.base)),
    lastBefore: async () => undefined,
    first: async () => undefined,
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
