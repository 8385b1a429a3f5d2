import { z } from 'zod';
import { checkRatePolicy, policySeries, type RatePolicy, type SourceRule } from '../../lambdas/domain/rate-policy';
import type { RateProviderName } from '../../lambdas/domain/rate-snapshot';
import { SCOPES, type Scope } from '../../lambdas/shared/api-contract';
import type { SqsConsumerName } from '../definitions/functions';

/** One schedule of fetch-rates: which provider, when, and where its feed lives. */
export interface RateSourceConfig {
  readonly provider: RateProviderName;
  /** EventBridge Scheduler expression, `rate(…)` or `cron(…)`; the local platform runs the same one. */
  readonly schedule: string;
  /** Override of the provider's public base URL (a mirror or a test server). */
  readonly baseUrl?: string;
  /** Secrets Manager secret name holding the provider's API key (OXR app id, CoinGecko key). */
  readonly apiKeySecretName?: string;
}

/** A partner transaction feed (contract in README, "Partner transaction feed"): one schedule and one cursor each. */
export interface TransactionFeedConfig {
  /** Stable name: the cursor key and the schedule id. */
  readonly name: string;
  /** GET {url}?cursor=&limit= ; the local platform fills in its built-in simulator when absent. */
  readonly url?: string;
  readonly schedule: string;
  /** Page size asked of the feed. */
  readonly pageSize: number;
  /** Secrets Manager secret with the feed's bearer token. */
  readonly credentialsSecretName?: string;
}

/** How process-transactions enriches and categorizes; amounts are decimal strings. */
export interface TransactionRules {
  /** ISO 4217 code every amount is converted to (amount_base). */
  readonly baseCurrency: string;
  /** amount_base at or above this is `medium_value`. */
  readonly mediumValueFrom: string;
  /** amount_base at or above this is `high_value`. */
  readonly highValueFrom: string;
  /** amount_base above this raises `high_value_alert` and a high-value event. */
  readonly alertAbove: string;
  /** A timestamp further in the future than this is rejected. */
  readonly maxFutureSkewSeconds: number;
}

/** Rate alerts and the high-value digest, by e-mail (README "Rate alerts"). */
export interface AlertsConfig {
  /** Rules one partner may have at a time (POST /v1/alerts answers 409 ALERT_RULE_LIMIT beyond). */
  readonly maxRulesPerPartner: number;
  /** Re-arm margin of a repeat rule that does not give one, in percent of its threshold. */
  readonly defaultHysteresisPercent: string;
  readonly email: {
    /**
     * The SES identity the stack creates and sends from: a domain (`fx.example.com`, then publish
     * the DKIM records SES gives) or an address (`alerts@example.com`, confirmed by the link SES
     * mails to it).
     */
    readonly identity: string;
    /** The From address, within the identity. */
    readonly sender: string;
    /** SES region; the stack must be deployed there (its identity, templates and configuration set are). @default the stack's */
    readonly region?: string;
    /** Name of the configuration set (bounce and complaint events, account-level suppression list). */
    readonly configurationSet: string;
  };
  /** High-value transactions: one e-mail per window to the operations recipients. */
  readonly highValueDigest: {
    readonly recipients: readonly string[];
    /** Length of a digest window in minutes (a divisor of 60 or a multiple of it, up to a day). */
    readonly windowMinutes: number;
  };
}

/** A partner app client (client-credentials grant) with its scopes and usage plan. */
export interface PartnerConfig {
  readonly name: string;
  readonly scopes: readonly Scope[];
  /** Requests per second and burst for this partner's usage plan. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly quotaPerDay: number;
}

/** Requests per second and burst (API Gateway throttling, a token bucket). */
export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/** Glue/Athena for everyone; the Redshift Serverless warehouse and its load step where switched on. */
export interface AnalyticsConfig {
  readonly athena: {
    /** Per-query limit of the workgroup: a query scanning more is cancelled (Athena minimum 10 MB). */
    readonly bytesScannedCutoffPerQuery: number;
  };
  readonly warehouse: {
    /** Redshift Serverless, its VPC and the load step exist only when true (locally: PGlite). */
    readonly enabled: boolean;
    /** Redshift Processing Units the workgroup starts from (8 to 1024, in steps of 8). */
    readonly baseCapacity: number;
    /** When the load step runs: an EventBridge Scheduler expression (the local platform runs the same one). */
    readonly loadSchedule: string;
  };
}

export interface StageConfig {
  readonly stage: 'dev' | 'prod' | 'local';
  /** AWS account and region; undefined = the CLI's defaults (environment-agnostic synth). */
  readonly env?: { readonly account?: string; readonly region?: string };
  /** Prod keeps data when a stack is deleted; dev cleans up after itself. */
  readonly retainData: boolean;
  readonly logRetentionDays: number;
  /** Where DLQ and failure alarms are e-mailed; no subscription when undefined. */
  readonly alarmEmail?: string;
  readonly rates: {
    /** What fetch-rates fetches, and when. */
    readonly sources: readonly RateSourceConfig[];
    /**
     * Which provider answers for which currency, and how long each publication stays usable
     * (README "Rate truth"). Every provider named must be one of `sources`.
     */
    readonly policy: RatePolicy;
  };
  readonly transactions: {
    readonly rules: TransactionRules;
    readonly feeds: readonly TransactionFeedConfig[];
  };
  readonly api: {
    /** Stage-wide throttling of the REST API. */
    readonly throttle: Throttle;
    /**
     * Partners (app client, API key, usage plan each). `-c partners='[…]'` (or a `partners`
     * array in cdk.json / cdk.context.json) replaces this list: how prod gets its partners.
     */
    readonly partners: readonly PartnerConfig[];
    /** Cognito hosted domain prefix (must be unique in the region); the local token service ignores it. */
    readonly domainPrefix?: string;
    /** Method-level throttle of each public route (docs, OpenAPI), apart from the partners' throttles. */
    readonly publicThrottle: Throttle;
    /** WAF rate-based rule: a client IP sending more than `maxRequestsPerIp` in `windowSeconds` is blocked (429). */
    readonly waf: { readonly maxRequestsPerIp: number; readonly windowSeconds: 60 | 120 | 300 | 600 };
  };
  /**
   * Concurrent invocations each SQS consumer may take (the event source's maximum concurrency,
   * 2–1000), so a backlog on one queue cannot take the account's concurrency from the API. A
   * consumer not listed gets DEFAULT_CONSUMER_MAX_CONCURRENCY.
   */
  readonly consumerConcurrency: Readonly<Partial<Record<SqsConsumerName, number>>>;
  /** Quarantined records (`quarantine/` in the data lake) are deleted after this many days. */
  readonly quarantine: { readonly expireAfterDays: number };
  readonly analytics: AnalyticsConfig;
  readonly alerts: AlertsConfig;
}

/** Maximum concurrency of an SQS consumer the stage config does not list. */
export const DEFAULT_CONSUMER_MAX_CONCURRENCY = 5;

const PUBLIC_ROUTE_THROTTLE: Throttle = { rateLimit: 10, burstLimit: 20 };

const PARTNER_THROTTLE = { rateLimit: 50, burstLimit: 100 };

/** Example partners; real ones are added per stage as they onboard. */
const EXAMPLE_PARTNERS: readonly PartnerConfig[] = [
  {
    name: 'acme-payments',
    scopes: ['rates.read', 'conversions.read', 'conversions.write', 'alerts.read', 'alerts.write'],
    throttle: PARTNER_THROTTLE,
    quotaPerDay: 100_000,
  },
  {
    name: 'globex-treasury',
    scopes: ['rates.read', 'conversions.read', 'conversions.write'],
    throttle: PARTNER_THROTTLE,
    quotaPerDay: 100_000,
  },
  { name: 'rates-viewer', scopes: ['rates.read'], throttle: PARTNER_THROTTLE, quotaPerDay: 10_000 },
  { name: 'fx-operations', scopes: ['rates.read', 'currencies.admin'], throttle: PARTNER_THROTTLE, quotaPerDay: 10_000 },
];

const DEFAULT_TRANSACTION_RULES: TransactionRules = {
  baseCurrency: 'USD',
  mediumValueFrom: '100',
  highValueFrom: '1000',
  alertAbove: '3000',
  maxFutureSkewSeconds: 300,
};

/**
 * How long each provider's publication stays usable:
 * - ECB and Frankfurter (the ECB's data) publish on TARGET business days: a publication is stale
 *   from 16:00 Berlin on the second business day after its date, so one late or missed
 *   publication is tolerated;
 * - OXR publishes hourly (free plan): three missed hours;
 * - CoinGecko updates prices every minute or so: 30 minutes;
 * - the simulated feed ticks every minute: 10 minutes.
 */
export const STALE_AFTER: Readonly<Record<RateProviderName, SourceRule['staleAfter']>> = {
  ecb: { businessDays: 2 },
  frankfurter: { businessDays: 2 },
  oxr: 'PT3H',
  coingecko: 'PT30M',
  simulated: 'PT10M',
};

const rule = (provider: RateProviderName): SourceRule => ({ provider, staleAfter: STALE_AFTER[provider] });

/** One provider answers for every currency (the local platform's --rates-provider). */
export const singleSourcePolicy = (provider: RateProviderName): RatePolicy => ({ fiat: [rule(provider)], crypto: [rule(provider)] });

/**
 * The ECB publishes around 16:00 Berlin (14:00 UTC in summer, 15:00 UTC in winter), often a
 * few minutes late: fetched every 10 minutes from 14:00 to 16:50 UTC on weekdays, so a
 * publication is stored minutes after it appears whatever the season (a re-fetch of the same
 * publication only confirms it). Frankfurter mirrors it shortly after.
 */
const ECB_SCHEDULE = 'cron(0/10 14-16 ? * MON-FRI *)';
const FRANKFURTER_SCHEDULE = 'cron(5/15 14-17 ? * MON-FRI *)';
const GIB = 1024 ** 3;

/**
 * Example identities: an operator sets the stage's own domain or address (and, while the SES
 * account is in the sandbox, verifies every recipient).
 */
const DEV_ALERTS: AlertsConfig = {
  maxRulesPerPartner: 100,
  defaultHysteresisPercent: '0.1',
  email: { identity: 'alerts@example.com', sender: 'alerts@example.com', configurationSet: 'fx-dev-alerts' },
  highValueDigest: { recipients: ['fx-operations@example.com'], windowMinutes: 15 },
};

const dev: StageConfig = {
  stage: 'dev',
  retainData: false,
  logRetentionDays: 14,
  rates: {
    // Real providers only: the simulated feed is a source of the local stage alone.
    sources: [
      { provider: 'ecb', schedule: ECB_SCHEDULE },
      { provider: 'frankfurter', schedule: FRANKFURTER_SCHEDULE },
      { provider: 'coingecko', schedule: 'rate(10 minutes)' },
    ],
    policy: { fiat: [rule('ecb'), rule('frankfurter')], crypto: [rule('coingecko')] },
  },
  // Partners' feeds are added here as they onboard: { name, url, schedule, pageSize, credentialsSecretName }.
  transactions: { rules: DEFAULT_TRANSACTION_RULES, feeds: [] },
  api: {
    throttle: { rateLimit: 100, burstLimit: 200 },
    partners: EXAMPLE_PARTNERS,
    publicThrottle: PUBLIC_ROUTE_THROTTLE,
    // Above any partner's usage-plan throttle (50 rps = 3,000 a minute) from one address.
    waf: { maxRequestsPerIp: 6000, windowSeconds: 60 },
  },
  consumerConcurrency: { 'process-rates': 2, 'process-transactions': 5, 'evaluate-alerts': 2 },
  quarantine: { expireAfterDays: 14 },
  analytics: {
    athena: { bytesScannedCutoffPerQuery: 1 * GIB },
    // Off by default in dev: every load wakes Redshift Serverless, billed per RPU-second (60 s minimum).
    warehouse: { enabled: false, baseCapacity: 8, loadSchedule: 'rate(1 hour)' },
  },
  alerts: DEV_ALERTS,
};

const prod: StageConfig = {
  stage: 'prod',
  retainData: true,
  logRetentionDays: 90,
  rates: {
    sources: [
      { provider: 'ecb', schedule: ECB_SCHEDULE },
      { provider: 'frankfurter', schedule: FRANKFURTER_SCHEDULE },
      { provider: 'coingecko', schedule: 'rate(5 minutes)' },
      { provider: 'oxr', schedule: 'rate(1 hour)', apiKeySecretName: 'fx-platform/oxr-app-id' },
    ],
    // OXR publishes ~170 currencies (KWD among them) the ECB does not.
    policy: { fiat: [rule('ecb'), rule('frankfurter'), rule('oxr')], crypto: [rule('coingecko')] },
  },
  transactions: { rules: DEFAULT_TRANSACTION_RULES, feeds: [] },
  // Partners come from `-c partners=…` (README, "Partners per stage"): none are committed here.
  api: {
    throttle: { rateLimit: 500, burstLimit: 1000 },
    partners: [],
    publicThrottle: PUBLIC_ROUTE_THROTTLE,
    waf: { maxRequestsPerIp: 6000, windowSeconds: 60 },
  },
  consumerConcurrency: { 'process-rates': 5, 'process-transactions': 20, 'evaluate-alerts': 5 },
  // Long enough to fix the cause and replay; short enough that quarantined PII does not linger.
  quarantine: { expireAfterDays: 30 },
  analytics: {
    athena: { bytesScannedCutoffPerQuery: 10 * GIB },
    warehouse: { enabled: true, baseCapacity: 8, loadSchedule: 'cron(10 * * * ? *)' },
  },
  alerts: {
    maxRulesPerPartner: 500,
    defaultHysteresisPercent: '0.1',
    email: { identity: 'fx.example.com', sender: 'alerts@fx.example.com', configurationSet: 'fx-prod-alerts' },
    highValueDigest: { recipients: ['fx-operations@fx.example.com'], windowMinutes: 15 },
  },
};

/** The local platform: dev's shape, the simulated feed every minute, no network needed. */
const local: StageConfig = {
  ...dev,
  stage: 'local',
  logRetentionDays: 1,
  rates: { sources: [{ provider: 'simulated', schedule: 'rate(1 minute)' }], policy: singleSourcePolicy('simulated') },
  // The built-in feed simulator (its URL is filled in at start, or by --transactions-feed-url).
  transactions: {
    rules: DEFAULT_TRANSACTION_RULES,
    feeds: [{ name: 'simulator', schedule: 'rate(1 minute)', pageSize: 100 }],
  },
  // The warehouse is PGlite in the platform's process, loaded by the same load-step logic.
  analytics: { ...dev.analytics, warehouse: { ...dev.analytics.warehouse, enabled: true, loadSchedule: 'rate(2 minutes)' } },
  // Mail lands in the SES emulator's inbox; a one-minute digest window keeps the wait short.
  alerts: {
    ...DEV_ALERTS,
    email: { identity: 'alerts@fx-platform.local', sender: 'alerts@fx-platform.local', configurationSet: 'fx-local-alerts' },
    highValueDigest: { recipients: ['fx-operations@fx-platform.local'], windowMinutes: 1 },
  },
};

const stages = { dev, prod, local } as const;
export type StageName = keyof typeof stages;

/**
 * The stage's config. From the command line or cdk.json context: `alarmEmail`
 * (`-c alarmEmail=ops@example.com`) and `partners` (a JSON array, `-c partners='[…]'`, which
 * replaces the stage's partner list).
 */
export function stageConfig(
  name: string | undefined,
  overrides: { alarmEmail?: string; partners?: unknown } = {},
): StageConfig {
  const key = (name ?? 'dev') as StageName;
  const config = stages[key];
  if (!config) {
    throw new Error(`Unknown stage "${name}": use one of ${Object.keys(stages).join(', ')}`);
  }
  checkRatesConfig(config);
  checkAlertsConfig(config);
  return {
    ...config,
    ...(overrides.alarmEmail ? { alarmEmail: overrides.alarmEmail } : {}),
    ...(overrides.partners !== undefined
      ? { api: { ...config.api, partners: parsePartners(overrides.partners) } }
      : {}),
  };
}

const partnerSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]{1,62}$/, 'lower-case letters, digits and dashes'),
    scopes: z.array(z.enum(Object.values(SCOPES) as [Scope, ...Scope[]])).min(1),
    throttle: z
      .object({ rateLimit: z.number().positive(), burstLimit: z.number().int().positive() })
      .strict(),
    quotaPerDay: z.number().int().positive(),
  })
  .strict();

/** A partner list from context: a JSON string (command line) or an array (cdk.json); names unique. */
export function parsePartners(value: unknown): PartnerConfig[] {
  let input = value;
  if (typeof value === 'string') {
    try {
      input = JSON.parse(value);
    } catch {
      throw new Error('Context "partners" is not valid JSON: give a JSON array of partners');
    }
  }
  const result = z
    .array(partnerSchema)
    .refine((list) => new Set(list.map((p) => p.name)).size === list.length, 'partner names must be unique')
    .safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`Context "partners" is invalid at ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return result.data;
}

/** The policy holds (checkRatePolicy) and names only providers the stage fetches. */
export function checkRatesConfig(config: Pick<StageConfig, 'stage' | 'rates'>): void {
  checkRatePolicy(config.rates.policy);
  const fetched = new Set(config.rates.sources.map((s) => s.provider));
  const unfetched = policySeries(config.rates.policy).filter((s) => !fetched.has(s.provider));
  if (unfetched.length > 0) {
    throw new Error(`stage ${config.stage}: rates.policy names ${unfetched.map((s) => s.provider).join(', ')}, which rates.sources does not fetch`);
  }
}

/** The alerts block holds: a positive rule limit, a hysteresis in (0, 50], a sender within its identity, whole windows. */
export function checkAlertsConfig(config: Pick<StageConfig, 'stage' | 'alerts'>): void {
  const { alerts, stage } = config;
  const fail = (what: string): never => {
    throw new Error(`stage ${stage}: alerts.${what}`);
  };
  if (!Number.isInteger(alerts.maxRulesPerPartner) || alerts.maxRulesPerPartner < 1) fail('maxRulesPerPartner must be a whole number >= 1');
  const h = alerts.defaultHysteresisPercent;
  if (!/^\d{1,2}(\.\d{1,6})?$/.test(h) || Number(h) <= 0 || Number(h) > 50) fail('defaultHysteresisPercent must be a decimal in (0, 50]');
  const { identity, sender } = alerts.email;
  const domain = identity.includes('@') ? undefined : identity.toLowerCase();
  if (domain ? !sender.toLowerCase().endsWith(`@${domain}`) : sender.toLowerCase() !== identity.toLowerCase()) {
    fail(`email.sender ${sender} is not within the identity ${identity}`);
  }
  const minutes = alerts.highValueDigest.windowMinutes;
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440 || (60 % minutes !== 0 && minutes % 60 !== 0) || 1440 % minutes !== 0) {
    fail('highValueDigest.windowMinutes must divide an hour or be whole hours dividing a day');
  }
  if (alerts.highValueDigest.recipients.length === 0) fail('highValueDigest.recipients must name at least one address');
}
