import type { RateProviderName } from '../../lambdas/domain/rate-snapshot';
import type { Scope } from '../../lambdas/shared/api-contract';

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

/** A partner app client (client-credentials grant) with its scopes and usage plan. */
export interface PartnerConfig {
  readonly name: string;
  readonly scopes: readonly Scope[];
  /** Requests per second and burst for this partner's usage plan. */
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly quotaPerDay: number;
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
    readonly sources: readonly RateSourceConfig[];
  };
  readonly transactions: {
    readonly rules: TransactionRules;
    readonly feeds: readonly TransactionFeedConfig[];
  };
  readonly api: {
    /** Stage-wide throttling of the REST API. */
    readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
    readonly partners: readonly PartnerConfig[];
    /** Cognito hosted domain prefix (must be unique in the region); the local token service ignores it. */
    readonly domainPrefix?: string;
  };
}

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

const dev: StageConfig = {
  stage: 'dev',
  retainData: false,
  logRetentionDays: 14,
  rates: {
    sources: [
      { provider: 'simulated', schedule: 'rate(5 minutes)' },
      // ECB publishes around 16:00 CET on TARGET working days.
      { provider: 'ecb', schedule: 'cron(30 15 ? * MON-FRI *)' },
      { provider: 'frankfurter', schedule: 'cron(0 16 ? * MON-FRI *)' },
      { provider: 'coingecko', schedule: 'rate(10 minutes)' },
    ],
  },
  // Partners' feeds are added here as they onboard: { name, url, schedule, pageSize, credentialsSecretName }.
  transactions: { rules: DEFAULT_TRANSACTION_RULES, feeds: [] },
  api: { throttle: { rateLimit: 100, burstLimit: 200 }, partners: EXAMPLE_PARTNERS },
};

const prod: StageConfig = {
  stage: 'prod',
  retainData: true,
  logRetentionDays: 90,
  rates: {
    sources: [
      { provider: 'ecb', schedule: 'cron(30 15 ? * MON-FRI *)' },
      { provider: 'frankfurter', schedule: 'cron(0 16 ? * MON-FRI *)' },
      { provider: 'coingecko', schedule: 'rate(5 minutes)' },
      { provider: 'oxr', schedule: 'rate(1 hour)', apiKeySecretName: 'fx-platform/oxr-app-id' },
    ],
  },
  transactions: { rules: DEFAULT_TRANSACTION_RULES, feeds: [] },
  api: { throttle: { rateLimit: 500, burstLimit: 1000 }, partners: [] },
};

/** The local platform: dev's shape, the simulated feed every minute, no network needed. */
const local: StageConfig = {
  ...dev,
  stage: 'local',
  logRetentionDays: 1,
  rates: { sources: [{ provider: 'simulated', schedule: 'rate(1 minute)' }] },
  // The built-in feed simulator (its URL is filled in at start, or by --transactions-feed-url).
  transactions: {
    rules: DEFAULT_TRANSACTION_RULES,
    feeds: [{ name: 'simulator', schedule: 'rate(1 minute)', pageSize: 100 }],
  },
};

const stages = { dev, prod, local } as const;
export type StageName = keyof typeof stages;

/** The stage's config; `alarmEmail` may come from the command line (`-c alarmEmail=ops@example.com`). */
export function stageConfig(name: string | undefined, overrides: { alarmEmail?: string } = {}): StageConfig {
  const key = (name ?? 'dev') as StageName;
  const config = stages[key];
  if (!config) {
    throw new Error(`Unknown stage "${name}": use one of ${Object.keys(stages).join(', ')}`);
  }
  return overrides.alarmEmail ? { ...config, alarmEmail: overrides.alarmEmail } : config;
}
