import type { RateProviderName } from '../../domain/rate-snapshot';
import type { RateProvider } from '../../ports/rate-provider';
import { createSimulatedRateProvider } from '../simulated/simulated-rate-provider';
import { createCoinGeckoRateProvider } from './coingecko-rate-provider';
import { createEcbRateProvider } from './ecb-rate-provider';
import { createFrankfurterRateProvider } from './frankfurter-rate-provider';
import type { HttpOptions } from './http-client';
import { createOxrRateProvider } from './oxr-rate-provider';

export interface RateProviderOptions {
  /** Overrides the provider's public URL (a local stub, a mirror). */
  readonly baseUrl?: string;
  readonly oxrAppId?: string;
  readonly coingeckoApiKey?: string;
  readonly coingeckoIds?: Readonly<Record<string, string>>;
  readonly simulatedSeed?: number;
  readonly clock?: () => Date;
  readonly http?: HttpOptions;
}

export function createRateProvider(
  name: RateProviderName,
  options: RateProviderOptions = {},
): RateProvider {
  const { baseUrl, clock, http } = options;
  switch (name) {
    case 'simulated':
      return createSimulatedRateProvider({ seed: options.simulatedSeed, clock });
    case 'ecb':
      return createEcbRateProvider({ baseUrl, clock, http });
    case 'frankfurter':
      return createFrankfurterRateProvider({ baseUrl, clock, http });
    case 'coingecko':
      return createCoinGeckoRateProvider({
        baseUrl,
        clock,
        http,
        apiKey: options.coingeckoApiKey,
        ids: options.coingeckoIds,
      });
    case 'oxr':
      return createOxrRateProvider({ baseUrl, clock, http, appId: options.oxrAppId ?? '' });
    default: {
      const unknown: never = name;
      throw new Error(`unknown rate provider ${String(unknown)}`);
    }
  }
}
