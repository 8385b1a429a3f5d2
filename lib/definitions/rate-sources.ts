import type { RateSourceConfig } from '../config/stage-config';
import type { RateProvidersSettings } from '../../lambdas/shared/rate-provider-settings';

/** What fetch-rates needs to know of each configured provider, passed as one JSON variable. */
export function rateProvidersEnv(sources: readonly RateSourceConfig[]): RateProvidersSettings {
  return Object.fromEntries(
    sources.map((s) => [s.provider, { baseUrl: s.baseUrl, apiKeySecretName: s.apiKeySecretName }]),
  );
}
