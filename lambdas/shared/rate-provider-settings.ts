import * as z from 'zod';
import { RATE_PROVIDERS } from '../domain/rate-snapshot';

/** What fetch-rates is told about each configured rate source (`RATE_PROVIDERS_JSON`, by provider). */
export const RATE_PROVIDERS_SETTINGS = z.partialRecord(
  z.enum(RATE_PROVIDERS),
  z.object({
    /** A mirror or test server speaking the provider's wire format; the public URL when absent. */
    baseUrl: z.string().min(1).optional(),
    /** Secrets Manager secret holding the API key (OXR app id, CoinGecko key). */
    apiKeySecretName: z.string().min(1).optional(),
  }),
);

export type RateProvidersSettings = z.infer<typeof RATE_PROVIDERS_SETTINGS>;
export type RateProviderSettings = NonNullable<RateProvidersSettings[keyof RateProvidersSettings]>;
