import type { RateProviderName } from '../../lambdas/domain/rate-snapshot';

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
}

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
};

/** The local platform: dev's shape, the simulated feed every minute, no network needed. */
const local: StageConfig = {
  ...dev,
  stage: 'local',
  logRetentionDays: 1,
  rates: { sources: [{ provider: 'simulated', schedule: 'rate(1 minute)' }] },
};

const stages = { dev, prod, local } as const;
export type StageName = keyof typeof stages;

export function stageConfig(name: string | undefined): StageConfig {
  const key = (name ?? 'dev') as StageName;
  const config = stages[key];
  if (!config) {
    throw new Error(`Unknown stage "${name}": use one of ${Object.keys(stages).join(', ')}`);
  }
  return config;
}
