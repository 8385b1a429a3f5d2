import type { StageConfig } from '../config/stage-config';
import type { RateProvidersSettings } from '../../lambdas/shared/rate-provider-settings';
import { ENV } from '../../lambdas/shared/env-names';
import type { FunctionName } from './functions';
import { RATE_WAIT } from './resources';
import { emailTemplateNames } from './email-templates';
import type { EmailSettings } from '../../lambdas/shared/alert-settings';

/**
 * What the stage config tells each function, and when the schedules invoke which function with
 * which input. The CDK stack and the local platform both build from these, so a schedule or a
 * setting cannot exist in one and not the other.
 */

export interface ScheduledInvocation {
  /** Unique, construct-id safe: `FetchRates-ecb`, `FetchTransactions-simulator`. */
  readonly id: string;
  readonly functionName: FunctionName;
  /** EventBridge Scheduler expression. */
  readonly expression: string;
  readonly input: Record<string, string>;
  readonly description: string;
}

export function scheduledInvocations(config: StageConfig): ScheduledInvocation[] {
  return [
    ...config.rates.sources.map((s) => ({
      id: `FetchRates-${s.provider}`,
      functionName: 'fetch-rates' as const,
      expression: s.schedule,
      input: { provider: s.provider },
      description: `Fetch ${s.provider} rates`,
    })),
    ...config.transactions.feeds.map((f) => ({
      id: `FetchTransactions-${f.name}`,
      functionName: 'fetch-transactions' as const,
      expression: f.schedule,
      input: { feed: f.name },
      description: `Fetch transactions from feed ${f.name}`,
    })),
    {
      id: 'SendHighValueDigest-schedule',
      functionName: 'send-high-value-digest' as const,
      // Every minute: a closed window is e-mailed within a minute of its end (one cheap Query when none is).
      expression: 'rate(1 minute)',
      input: {},
      description: 'E-mail the closed windows of high-value transactions',
    },
  ];
}

/** What every function that e-mails is told: the sender, the configuration set, the stage's templates. */
export function emailSettings(config: StageConfig): EmailSettings {
  const { sender, configurationSet, region } = config.alerts.email;
  return { sender, configurationSet, ...(region ? { region } : {}), templates: emailTemplateNames(config.stage) };
}

/** Environment variables a function gets from the stage config (JSON-valued where structured). */
export function settingsEnv(name: FunctionName, config: StageConfig): Record<string, string> {
  switch (name) {
    case 'fetch-rates': {
      const providers: RateProvidersSettings = Object.fromEntries(
        config.rates.sources.map((s) => [s.provider, { baseUrl: s.baseUrl, apiKeySecretName: s.apiKeySecretName }]),
      );
      return { [ENV.rateProviders]: JSON.stringify(providers) };
    }
    case 'fetch-transactions':
      return {
        [ENV.transactionFeeds]: JSON.stringify(
          Object.fromEntries(
            config.transactions.feeds.map((f) => [
              f.name,
              { url: f.url ?? '', pageSize: f.pageSize, credentialsSecretName: f.credentialsSecretName },
            ]),
          ),
        ),
      };
    case 'process-transactions':
      return {
        [ENV.transactionRules]: JSON.stringify(config.transactions.rules),
        [ENV.ratePolicy]: JSON.stringify(config.rates.policy),
        [ENV.rateWait]: JSON.stringify(RATE_WAIT),
      };
    case 'rates-api':
    case 'conversions-api':
      return { [ENV.ratePolicy]: JSON.stringify(config.rates.policy) };
    case 'alerts-api':
      return {
        [ENV.ratePolicy]: JSON.stringify(config.rates.policy),
        [ENV.alertRules]: JSON.stringify({
          maxRulesPerPartner: config.alerts.maxRulesPerPartner,
          defaultHysteresisPercent: config.alerts.defaultHysteresisPercent,
        }),
      };
    case 'evaluate-alerts':
      return { [ENV.ratePolicy]: JSON.stringify(config.rates.policy), [ENV.emailSettings]: JSON.stringify(emailSettings(config)) };
    case 'collect-high-value-transactions':
      return { [ENV.highValueDigest]: JSON.stringify(config.alerts.highValueDigest) };
    case 'send-high-value-digest':
      return { [ENV.highValueDigest]: JSON.stringify(config.alerts.highValueDigest), [ENV.emailSettings]: JSON.stringify(emailSettings(config)) };
    default:
      return {};
  }
}

/** Secrets Manager names (not created by the stacks: an operator puts the value) a function reads. */
export function externalSecretNames(name: FunctionName, config: StageConfig): string[] {
  const names =
    name === 'fetch-rates'
      ? config.rates.sources.map((s) => s.apiKeySecretName)
      : name === 'fetch-transactions'
        ? config.transactions.feeds.map((f) => f.credentialsSecretName)
        : [];
  return names.filter((n): n is string => Boolean(n));
}
