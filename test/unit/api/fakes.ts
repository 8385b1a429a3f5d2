import { listCurrencies, type Currency } from '../../../lambdas/domain/currency';
import type { RatePolicy } from '../../../lambdas/domain/rate-policy';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  type ConversionStore,
  type StoredConversion,
} from '../../../lambdas/ports/conversion-store';
import type { CurrencyStore, SupportedCurrency } from '../../../lambdas/ports/currency-store';
import { ROUTES, SCOPES, Schemas, fullScope, type Scope } from '../../../lambdas/shared/api-contract';
import type { ApiEvent, ApiResult } from '../../../lambdas/shared/http';
import type { ConversionDeps } from '../../../lambdas/use-cases/conversions';
import type { AlertRuleDeps } from '../../../lambdas/use-cases/alert-rules';
import { memoryAlertTable } from '../../support/alerts';
import { ecbFixtureSnapshot, memoryRateSeries, memoryRateSources, snapshotOf } from '../../support/rates';

export const ALL_SCOPES: readonly Scope[] = Object.values(SCOPES);

/** A recorded conversion as an adapter stores and returns it. */
export const SAMPLE_CONVERSION: StoredConversion = {
  id: '01G7K8ZB0000000000000000AA',
  createdAt: '2022-07-13T12:00:00.000Z',
  from: 'USD',
  to: 'JPY',
  amount: '100',
  converted: '13584',
  rate: '135.8',
  inverseRate: '0.0073',
  asOf: '2022-07-08T00:00:00.000Z',
  provider: 'ecb',
};

export interface RequestSpec {
  readonly method: string;
  /** Path with an optional query string: `/v1/convert?from=USD&to=JPY&amount=1`. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A string is sent as is; anything else as JSON (with Content-Type: application/json). */
  readonly body?: unknown;
  readonly clientId?: string;
  readonly scopes?: readonly Scope[];
  /** Replaces the authorizer claims; null sends none. */
  readonly claims?: Record<string, unknown> | null;
  /** The id of the API key sent (`requestContext.identity.apiKeyId`). @default `<clientId>-key` */
  readonly apiKeyId?: string | null;
}

/** The API key id `apiEvent` sends for a client by default. */
export const apiKeyIdOf = (clientId: string) => `${clientId}-key`;

/** The event API Gateway (REST, Lambda proxy, Cognito authorizer) sends for a request. */
export function apiEvent(spec: RequestSpec): ApiEvent {
  const [path, search = ''] = spec.path.split('?');
  const query = [...new URLSearchParams(search)];
  const route = ROUTES.find((r) => new RegExp(`^${r.path.replace(/\{\w+\}/g, '[^/]+')}$`).test(path));
  const names = route ? [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]) : [];
  const values = route ? path.split('/').filter((_, i) => route.path.split('/')[i]?.startsWith('{')) : [];
  const json = spec.body !== undefined && typeof spec.body !== 'string';
  const claims =
    spec.claims === null
      ? null
      : (spec.claims ?? {
          client_id: spec.clientId ?? 'partner-a',
          scope: (spec.scopes ?? ALL_SCOPES).map(fullScope).join(' '),
          token_use: 'access',
        });
  return {
    httpMethod: spec.method,
    resource: route?.path ?? path,
    path,
    pathParameters: names.length ? Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(values[i])])) : null,
    queryStringParameters: query.length ? Object.fromEntries(query) : null,
    multiValueQueryStringParameters: query.length
      ? query.reduce<Record<string, string[]>>((all, [k, v]) => ({ ...all, [k]: [...(all[k] ?? []), v] }), {})
      : null,
    headers: { ...(json ? { 'Content-Type': 'application/json' } : {}), ...spec.headers },
    body: spec.body === undefined ? null : json ? JSON.stringify(spec.body) : (spec.body as string),
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      authorizer: claims ? { claims } : null,
      identity: {
        apiKeyId: spec.apiKeyId === undefined ? apiKeyIdOf(spec.clientId ?? 'partner-a') : spec.apiKeyId,
      },
    },
  };
}

export const bodyOf = (result: ApiResult) => JSON.parse(result.body) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Asserts the `{ error: { code, message, details } }` shape and returns the error. */
export function errorOf(result: ApiResult): { code: string; message: string; details: unknown } {
  expect(result.headers['content-type']).toMatch(/^application\/json/);
  const body = Schemas.Error.strict().parse(JSON.parse(result.body));
  expect(body.error.details).toBeDefined();
  return body.error as { code: string; message: string; details: unknown };
}

// ---- rates ---------------------------------------------------------------------------------

/** The ECB publishes 2022-07-08 at 16:00 Berlin (CEST): 14:00 UTC. */
export const JUL8 = '2022-07-08T14:00:00.000Z';
/** CoinGecko publishes the coin's price in USD: base USD, quote BTC, base-per-quote. */
export const COINGECKO_BTC = snapshotOf('2022-07-08T10:00:00.000Z', [{ quote: 'BTC', rate: '16730.75', orientation: 'base-per-quote' }], { provider: 'coingecko', base: 'USD' });
export const OXR_KWD = snapshotOf('2022-07-08T10:00:00.000Z', { KWD: '0.30745' }, { provider: 'oxr', base: 'USD' });

/** The ECB reference rates of 2022-07-08, a CoinGecko bitcoin price and an OXR dinar rate. */
export const defaultSnapshots = (): RateSnapshot[] => [ecbFixtureSnapshot(), COINGECKO_BTC, OXR_KWD];

/** Fiat from the ECB, then OXR; crypto from CoinGecko; windows wide enough for NOW. */
export const TEST_POLICY: RatePolicy = {
  fiat: [
    { provider: 'ecb', staleAfter: { businessDays: 5 } },
    { provider: 'oxr', staleAfter: 'P7D' },
  ],
  crypto: [{ provider: 'coingecko', staleAfter: 'P7D' }],
};

// ---- currencies ----------------------------------------------------------------------------

interface Row {
  currency: SupportedCurrency;
  deleted: boolean;
}

/** Same semantics as the DynamoDB store: tombstones, seeding never overwrites. */
export function memoryCurrencyStore(seed: readonly Currency[] = listCurrencies()): CurrencyStore {
  const rows = new Map<string, Row>(seed.map((c) => [c.code, { currency: { ...c, enabled: true }, deleted: false }]));
  return {
    async list() {
      return [...rows.values()]
        .filter((r) => !r.deleted)
        .map((r) => r.currency)
        .sort((a, b) => (a.code < b.code ? -1 : 1));
    },
    async get(code) {
      const row = rows.get(code);
      return row && !row.deleted ? row.currency : undefined;
    },
    async addMissing(currencies) {
      const added = currencies.filter((c) => !rows.has(c.code));
      for (const c of added) rows.set(c.code, { currency: { ...c, enabled: true }, deleted: false });
      return added.map((c) => c.code);
    },
    async update(code, changes, defaults) {
      const row = rows.get(code);
      if ((!row || row.deleted) && !defaults) return undefined;
      const base: SupportedCurrency = row?.currency ?? { ...defaults!, enabled: true };
      const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined));
      const currency = { ...base, ...given };
      rows.set(code, { currency, deleted: false });
      return currency;
    },
    async remove(code) {
      const row = rows.get(code);
      if (!row || row.deleted) return false;
      row.deleted = true;
      return true;
    },
  };
}

// ---- conversions ---------------------------------------------------------------------------

/**
 * The store's contract in memory: one conversion per partner and key, a repeat with the same
 * request replays it, another request is refused, a key whose first request is still running is
 * "in progress", and a failed create leaves the key free (dynamoConversionStore does the same
 * with Powertools Idempotency on DynamoDB).
 */
export function memoryConversionStore(): ConversionStore & { readonly conversions: StoredConversion[] } {
  const records = new Map<string, { readonly request: string; readonly conversion?: StoredConversion }>();
  const conversions: (StoredConversion & { partner: string })[] = [];
  const strip = ({ partner: _partner, ...c }: StoredConversion & { partner: string }): StoredConversion => c;
  return {
    get conversions() {
      return conversions.map(strip);
    },
    async createOnce(partner, key, request, create) {
      const id = `${partner}\n${key}`;
      const asked = JSON.stringify([request.from, request.to, request.amount]);
      const existing = records.get(id);
      if (existing) {
        if (existing.request !== asked) throw new IdempotencyKeyReusedError(existing.conversion?.id);
        if (!existing.conversion) throw new IdempotencyKeyInProgressError();
        return { conversion: existing.conversion, replayed: true };
      }
      records.set(id, { request: asked });
      try {
        const conversion = await create();
        records.set(id, { request: asked, conversion });
        conversions.push({ ...conversion, partner });
        return { conversion, replayed: false };
      } catch (error) {
        records.delete(id);
        throw error;
      }
    },
    async get(partner, id) {
      const found = conversions.find((c) => c.partner === partner && c.id === id);
      return found && strip(found);
    },
    async list(partner, { limit, afterId }) {
      const mine = conversions
        .filter((c) => c.partner === partner && (afterId === undefined || c.id < afterId))
        .sort((a, b) => (a.id < b.id ? 1 : -1));
      const items = mine.slice(0, limit).map(strip);
      return { items, ...(mine.length > limit ? { lastId: items[items.length - 1].id } : {}) };
    },
  };
}

/** Wednesday 2022-07-13, noon UTC: after every rate the tests publish. */
export const NOW = new Date('2022-07-13T12:00:00.000Z');

export function memoryDeps(
  snapshots: readonly RateSnapshot[] = defaultSnapshots(),
  policy: RatePolicy = TEST_POLICY,
): ConversionDeps &
  AlertRuleDeps & {
    conversions: ReturnType<typeof memoryConversionStore>;
    reader: ReturnType<typeof memoryRateSeries>;
    alerts: ReturnType<typeof memoryAlertTable>;
  } {
  let ids = 0;
  const alerts = memoryAlertTable({ maxRulesPerPartner: 3 });
  return {
    ...memoryRateSources(policy, snapshots, { clock: () => NOW }),
    currencies: memoryCurrencyStore(),
    conversions: memoryConversionStore(),
    rules: alerts.rules,
    watched: alerts.watched,
    alerts,
    clock: () => NOW,
    // Time-ordered like ULIDs, deterministic for assertions.
    newId: () => `01TEST${String(++ids).padStart(20, '0')}`,
  };
}
