import * as z from 'zod/mini';
import { RATE_PROVIDERS } from '../domain/rate-snapshot';

/** What fetch-rates is told about each configured rate source (`RATE_PROVIDERS_JSON`, by provider). */
export const RATE_PROVIDERS_SETTINGS = z.partialRecord(
  z.enum(RATE_PROVIDERS),
  z.object({
    /** A mirror or test server speaking the provider's wire format; the public URL when absent. */
    baseUrl: z.optional(z.string().check(z.minLength(1))),
    /** Secrets Manager secret holding the API key (OXR app id, CoinGecko key). */
    apiKeySecretName: z.optional(z.string().check(z.minLength(1))),
  }),
);

export type RateProvidersSettings = z.infer<typeof RATE_PROVIDERS_SETTINGS>;
export type RateProviderSettings = NonNullable<RateProvidersSettings[keyof RateProvidersSettings]>;
