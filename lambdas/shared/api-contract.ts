import * as z from 'zod';
import { DOCS_ROUTES, type ApiFunctionName } from './api-paths';

export { pathPattern, type ApiFunctionName } from './api-paths';

/**
 * The partner API, defined once: routes, scopes and schemas. API Gateway (methods, authorizer
 * scopes, request validators, models), the local gateway, the handlers' validation and the
 * OpenAPI document are all generated from this file.
 */

export const RESOURCE_SERVER = 'fx-api';

export const SCOPES = {
  ratesRead: 'rates.read',
  conversionsRead: 'conversions.read',
  conversionsWrite: 'conversions.write',
  alertsRead: 'alerts.read',
  alertsWrite: 'alerts.write',
  currenciesAdmin: 'currencies.admin',
} as const;

export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

export const SCOPE_DESCRIPTIONS: Record<Scope, string> = {
  'rates.read': 'Read currencies, latest and historical rates, and conversion quotes',
  'conversions.read': "Read the caller's own conversions",
  'conversions.write': 'Create conversions',
  'alerts.read': "Read the caller's rate alert rules",
  'alerts.write': 'Create and change rate alert rules',
  'currencies.admin': 'Enable, disable and edit supported currencies',
};

/** `fx-api/rates.read`: the form Cognito puts in the access token's `scope` claim. */
export const fullScope = (scope: Scope) => `${RESOURCE_SERVER}/${scope}`;

// ---- building blocks -------------------------------------------------------------------

const currencyCode = z
  .string()
  .regex(/^[A-Z][A-Z0-9]{2,9}$/, 'an upper-case currency code such as USD or BTC');
const decimalString = z
  .string()
  .max(80)
  .regex(/^\d{1,38}(\.\d{1,38})?$/, 'a positive decimal string such as "125.50"');
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const isoTimestamp = z.string().describe('ISO 8601 UTC timestamp');
/** An instant with its zone; the handler reads it exactly (a "+" sent unencoded arrives as a space). */
const isoInstant = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}([.,]\d{1,9})?(Z|[+\- ]\d{2}(:?\d{2})?)$/, 'an ISO 8601 instant with its zone, such as 2024-01-10T12:00:00Z')
  .describe('The instant to answer for, ISO 8601 with its zone (UTC or an offset; encode "+" as %2B). Not with `date`; at most a few minutes ahead of now');
const cursor = z.string().max(512).describe('Opaque cursor from the previous page');
const alertId = z.string().regex(/^[0-9A-Z]{26}$/, 'a rule id as POST /v1/alerts returned it');
/** At most 38 significant digits (a DynamoDB number); checked in the use case. */
const threshold = z
  .string()
  .max(80)
  .regex(/^(0|[1-9]\d{0,37})(\.\d{1,38})?$/, 'a positive decimal string such as "1.1050", without leading zeros')
  .describe('The rate (units of quote per 1 base) the condition compares with; at most 38 significant digits');
const isoDuration = z
  .string()
  .max(32)
  .regex(/^P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+S)?)?$/, 'an ISO-8601 duration such as "PT1H" or "P1D"');
/** Fields a rule is created with; PATCH takes any of them. */
const alertRuleFields = {
  base: currencyCode,
  quote: currencyCode,
  condition: z.enum(['above', 'below']).describe('`above`: fires when the rate rises past the threshold (strictly greater); `below`: when it falls past it (strictly less)'),
  threshold,
  email: z.email().max(254).describe('Where the alert is sent'),
  mode: z.enum(['once', 'repeat']).describe('`once`: fires one time; `repeat`: re-arms after the rate moves back past the threshold by the hysteresis'),
  hysteresisPercent: z
    .string()
    .regex(/^(0|[1-9]\d?)(\.\d{1,6})?$/, 'a percentage such as "0.1"')
    .describe('Repeat mode: how far (percent of the threshold) the rate must move back before the rule re-arms; default 0.1'),
  cooldown: isoDuration.describe('Repeat mode: no second e-mail within this long of the last one, e.g. "PT1H"'),
  expiresAt: isoInstant.describe('After this instant the rule fires no more'),
  active: z.boolean().describe('An inactive rule fires no more until it is switched on again'),
};
const limit = (max: number) => z.string().regex(/^\d{1,4}$/).describe(`Page size, 1 to ${max}`);
/** The query of a list route: an optional page size (1 to 100) and the previous page's cursor. */
const pageQuery = z.object({ limit: limit(100).optional(), cursor: cursor.optional() });

export const Schemas = {
  Error: z
    .object({
      error: z.object({
        code: z.string(),
        message: z.string(),
        details: z.unknown().optional(),
      }),
    })
    .meta({ id: 'Error' }),
  Currency: z
    .object({
      code: currencyCode,
      name: z.string(),
      minorUnits: z.number().int(),
      kind: z.enum(['fiat', 'crypto']),
      enabled: z.boolean(),
    })
    .meta({ id: 'Currency' }),
  CurrencyUpdate: z
    .object({
      enabled: z.boolean().optional(),
      name: z.string().min(1).max(100).optional(),
      minorUnits: z.number().int().min(0).max(18).optional(),
    })
    .strict()
    .meta({ id: 'CurrencyUpdate' }),
  Rate: z
    .object({
      quote: currencyCode,
      rate: decimalString.describe('Units of quote per 1 base, full precision'),
      asOf: isoTimestamp.describe('In force from: the publication instant of the oldest published rate used'),
      provider: z.string().describe('The providers of the published rates used, e.g. "ecb" or "coingecko+ecb"'),
    })
    .meta({ id: 'Rate' }),
  HistoryPoint: z
    .object({
      date: isoDate,
      rate: decimalString,
      asOf: isoTimestamp,
      provider: z.string(),
      fallback: z.boolean().describe('No publication that day: the previous published rate'),
    })
    .meta({ id: 'HistoryPoint' }),
  Quote: z
    .object({
      from: currencyCode,
      to: currencyCode,
      amount: decimalString,
      converted: decimalString.describe("Rounded half-even to the target's minor units"),
      rate: decimalString,
      inverseRate: decimalString,
      asOf: isoTimestamp,
      provider: z.string(),
    })
    .meta({ id: 'Quote' }),
  ConversionRequest: z
    .object({ from: currencyCode, to: currencyCode, amount: decimalString })
    .strict()
    .meta({ id: 'ConversionRequest' }),
  Conversion: z
    .object({
      id: z.string(),
      createdAt: isoTimestamp,
      from: currencyCode,
      to: currencyCode,
      amount: decimalString,
      converted: decimalString,
      rate: decimalString,
      inverseRate: decimalString,
      asOf: isoTimestamp,
      provider: z.string(),
    })
    .meta({ id: 'Conversion' }),
  AlertRuleRequest: z
    .object({
      ...alertRuleFields,
      mode: alertRuleFields.mode.optional(),
      hysteresisPercent: alertRuleFields.hysteresisPercent.optional(),
      cooldown: alertRuleFields.cooldown.optional(),
      expiresAt: alertRuleFields.expiresAt.optional(),
      active: alertRuleFields.active.optional(),
    })
    .strict()
    .meta({ id: 'AlertRuleRequest' }),
  AlertRuleUpdate: z
    .object({
      base: alertRuleFields.base.optional(),
      quote: alertRuleFields.quote.optional(),
      condition: alertRuleFields.condition.optional(),
      threshold: alertRuleFields.threshold.optional(),
      email: alertRuleFields.email.optional(),
      mode: alertRuleFields.mode.optional(),
      hysteresisPercent: alertRuleFields.hysteresisPercent.optional(),
      cooldown: alertRuleFields.cooldown.nullable().optional(),
      expiresAt: alertRuleFields.expiresAt.nullable().optional(),
      active: alertRuleFields.active.optional(),
    })
    .strict()
    .meta({ id: 'AlertRuleUpdate' }),
  AlertRule: z
    .object({
      id: alertId,
      base: currencyCode,
      quote: currencyCode,
      condition: z.enum(['above', 'below']),
      threshold: decimalString,
      email: z.string(),
      mode: z.enum(['once', 'repeat']),
      hysteresisPercent: z.string(),
      cooldown: z.string().nullable(),
      expiresAt: isoTimestamp.nullable(),
      active: z.boolean(),
      status: z
        .enum(['armed', 'waiting', 'fired', 'inactive', 'expired'])
        .describe('armed: watching for a crossing; waiting: fired (repeat), re-arms at `rearmLevel`; fired: done (once); inactive; expired'),
      rearmLevel: decimalString.nullable().describe('Repeat mode: the rate at which the rule re-arms (null unless waiting)'),
      createdAt: isoTimestamp,
      updatedAt: isoTimestamp,
      triggerCount: z.number().int().describe('Crossings that fired the rule'),
      lastTriggered: z
        .object({
          at: isoTimestamp.describe('In force from: the crossing publication'),
          rate: decimalString,
          provider: z.string(),
          emailed: z.boolean().describe('False when the crossing fell within the cooldown or the address was refused'),
        })
        .nullable(),
    })
    .meta({ id: 'AlertRule' }),
};

const page = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).meta({ id });

// ---- routes ---------------------------------------------------------------------------

export interface RouteDefinition {
  readonly operationId: string;
  readonly method: 'GET' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';
  /** API Gateway path syntax: `/v1/currencies/{code}`. */
  readonly path: string;
  readonly summary: string;
  /** Required OAuth scopes (any one of them suffices, as in API Gateway); none = public. */
  readonly scopes: readonly Scope[];
  readonly function: ApiFunctionName;
  readonly pathParams?: z.ZodObject;
  /** Query string parameters (all values are strings on the wire). */
  readonly query?: z.ZodObject;
  readonly requiredHeaders?: readonly string[];
  readonly body?: z.ZodType;
  /** Status and schema of the success response. */
  readonly response: { readonly status: number; readonly schema?: z.ZodType; readonly contentType?: string };
  /** A request that works, as the OpenAPI document shows it (Swagger UI pre-fills it). */
  readonly example?: {
    readonly path?: Readonly<Record<string, string>>;
    readonly query?: Readonly<Record<string, string>>;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: unknown;
  };
}

export const ROUTES = [
  {
    operationId: 'listCurrencies',
    method: 'GET',
    path: '/v1/currencies',
    summary: 'Supported currencies with their ISO 4217 minor units',
    scopes: [SCOPES.ratesRead],
    function: 'currencies-api',
    response: { status: 200, schema: z.object({ items: z.array(Schemas.Currency) }) },
  },
  {
    operationId: 'putCurrency',
    method: 'PUT',
    path: '/v1/currencies/{code}',
    summary: 'Enable or disable a currency, or change its name or precision',
    scopes: [SCOPES.currenciesAdmin],
    function: 'currencies-api',
    pathParams: z.object({ code: currencyCode }),
    body: Schemas.CurrencyUpdate,
    example: { path: { code: 'KWD' }, body: { enabled: true, name: 'Kuwaiti dinar', minorUnits: 3 } },
    response: { status: 200, schema: Schemas.Currency },
  },
  {
    operationId: 'deleteCurrency',
    method: 'DELETE',
    path: '/v1/currencies/{code}',
    summary: 'Remove a currency from the supported list',
    scopes: [SCOPES.currenciesAdmin],
    function: 'currencies-api',
    pathParams: z.object({ code: currencyCode }),
    example: { path: { code: 'SEK' } },
    response: { status: 204 },
  },
  {
    operationId: 'latestRates',
    method: 'GET',
    path: '/v1/rates/latest',
    summary: 'Rates in force now (or at `at`) from any supported base, crossed exactly from the published rates',
    scopes: [SCOPES.ratesRead],
    function: 'rates-api',
    query: z.object({
      base: currencyCode,
      symbols: z.string().regex(/^[A-Z0-9]{3,10}(,[A-Z0-9]{3,10}){0,49}$/).optional(),
      at: isoInstant.optional(),
    }),
    example: { query: { base: 'USD', symbols: 'EUR,JPY,GBP' } },
    response: {
      status: 200,
      schema: z.object({ base: currencyCode, rates: z.array(Schemas.Rate) }).meta({ id: 'LatestRates' }),
    },
  },
  {
    operationId: 'rateHistory',
    method: 'GET',
    path: '/v1/rates/history',
    summary: 'Daily rates between two dates; a day without publication falls back to the previous one',
    scopes: [SCOPES.ratesRead],
    function: 'rates-api',
    query: z.object({
      base: currencyCode,
      quote: currencyCode,
      from: isoDate,
      to: isoDate,
      limit: limit(366).optional(),
      cursor: cursor.optional(),
    }),
    example: { query: { base: 'EUR', quote: 'USD', from: '2024-01-08', to: '2024-01-12', limit: '5' } },
    response: { status: 200, schema: page(Schemas.HistoryPoint, 'RateHistoryPage') },
  },
  {
    operationId: 'convert',
    method: 'GET',
    path: '/v1/convert',
    summary: 'A conversion quote at the rate in force now, at `at` or at the end of `date`, rounded half-even to the target currency’s minor units',
    scopes: [SCOPES.ratesRead],
    function: 'rates-api',
    query: z.object({
      from: currencyCode,
      to: currencyCode,
      amount: decimalString,
      date: isoDate.describe('The rate in force at the end of this day (UTC); not with `at`').optional(),
      at: isoInstant.optional(),
    }),
    example: { query: { from: 'USD', to: 'JPY', amount: '1250.50' } },
    response: { status: 200, schema: Schemas.Quote },
  },
  {
    operationId: 'createConversion',
    method: 'POST',
    path: '/v1/conversions',
    summary: 'Record a conversion; the same Idempotency-Key and body return the same result',
    scopes: [SCOPES.conversionsWrite],
    function: 'conversions-api',
    requiredHeaders: ['Idempotency-Key'],
    body: Schemas.ConversionRequest,
    example: { headers: { 'Idempotency-Key': 'order-1001' }, body: { from: 'EUR', to: 'KWD', amount: '99.99' } },
    response: { status: 201, schema: Schemas.Conversion },
  },
  {
    operationId: 'listConversions',
    method: 'GET',
    path: '/v1/conversions',
    summary: "The caller's conversions, newest first",
    scopes: [SCOPES.conversionsRead],
    function: 'conversions-api',
    query: pageQuery,
    example: { query: { limit: '5' } },
    response: { status: 200, schema: page(Schemas.Conversion, 'ConversionPage') },
  },
  {
    operationId: 'getConversion',
    method: 'GET',
    path: '/v1/conversions/{id}',
    summary: 'One of the caller’s conversions',
    scopes: [SCOPES.conversionsRead],
    function: 'conversions-api',
    pathParams: z.object({ id: z.string().regex(/^[0-9A-Za-z_-]{1,64}$/) }),
    example: { path: { id: '01J2Z8Q5N3V7W9X1Y3Z5A7B9C1' } },
    response: { status: 200, schema: Schemas.Conversion },
  },
  {
    operationId: 'createAlertRule',
    method: 'POST',
    path: '/v1/alerts',
    summary: 'Create a rate alert rule: an e-mail when the pair’s rate crosses the threshold; the same Idempotency-Key and body return the same rule',
    scopes: [SCOPES.alertsWrite],
    function: 'alerts-api',
    requiredHeaders: ['Idempotency-Key'],
    body: Schemas.AlertRuleRequest,
    example: {
      headers: { 'Idempotency-Key': 'eurusd-above-1105' },
      body: { base: 'EUR', quote: 'USD', condition: 'above', threshold: '1.1050', email: 'treasury@example.com', mode: 'repeat', cooldown: 'PT1H' },
    },
    response: { status: 201, schema: Schemas.AlertRule },
  },
  {
    operationId: 'listAlertRules',
    method: 'GET',
    path: '/v1/alerts',
    summary: "The caller's alert rules, newest first",
    scopes: [SCOPES.alertsRead],
    function: 'alerts-api',
    query: pageQuery,
    example: { query: { limit: '20' } },
    response: { status: 200, schema: page(Schemas.AlertRule, 'AlertRulePage') },
  },
  {
    operationId: 'getAlertRule',
    method: 'GET',
    path: '/v1/alerts/{id}',
    summary: 'One of the caller’s alert rules, with its status and last trigger',
    scopes: [SCOPES.alertsRead],
    function: 'alerts-api',
    pathParams: z.object({ id: alertId }),
    example: { path: { id: '01J2Z8Q5N3V7W9X1Y3Z5A7B9C1' } },
    response: { status: 200, schema: Schemas.AlertRule },
  },
  {
    operationId: 'updateAlertRule',
    method: 'PATCH',
    path: '/v1/alerts/{id}',
    summary: 'Change a rule (any of its fields); the changed rule is armed afresh and watches moves from now on',
    scopes: [SCOPES.alertsWrite],
    function: 'alerts-api',
    pathParams: z.object({ id: alertId }),
    body: Schemas.AlertRuleUpdate,
    example: { path: { id: '01J2Z8Q5N3V7W9X1Y3Z5A7B9C1' }, body: { threshold: '1.1100', active: true } },
    response: { status: 200, schema: Schemas.AlertRule },
  },
  {
    operationId: 'deleteAlertRule',
    method: 'DELETE',
    path: '/v1/alerts/{id}',
    summary: 'Delete a rule; it sends nothing more',
    scopes: [SCOPES.alertsWrite],
    function: 'alerts-api',
    pathParams: z.object({ id: alertId }),
    example: { path: { id: '01J2Z8Q5N3V7W9X1Y3Z5A7B9C1' } },
    response: { status: 204 },
  },
  ...DOCS_ROUTES,
] as const satisfies readonly RouteDefinition[];

export type OperationId = (typeof ROUTES)[number]['operationId'];

/** Response header of POST /v1/conversions and POST /v1/alerts: "true" when it repeats an earlier result for the key. */
export const IDEMPOTENCY_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Largest request body accepted (API Gateway allows 10 MB; nothing here needs more than this). */
export const MAX_BODY_BYTES = 8 * 1024;
