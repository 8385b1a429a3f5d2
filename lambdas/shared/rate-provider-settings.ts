import type { RateProviderName } from '../domain/rate-snapshot';

export interface RateProviderSettings {
  /** A mirror or test server speaking the provider's wire format; the public URL when absent. */
  readonly baseUrl?: string;
  /** Secrets Manager secret holding the API key (OXR app id, CoinGecko key). */
  readonly apiKeySecretName?: string;
}

export type RateProvidersSettings = Partial<Record<RateProviderName, RateProviderSettings>>;
