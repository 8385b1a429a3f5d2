import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { createRateProvider } from '../adapters/http/rate-providers';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../adapters/aws/sqs-message-publisher';
import { secretValue } from '../adapters/aws/secrets';
import { isRateProviderName, RatePayloadError } from '../domain/rate-snapshot';
import { s3 } from '../shared/s3-client';
import { sqs } from '../shared/sqs-client';
import { loadConfig, parseJsonEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
<<<<<<< HEAD
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { observability, RATE_SNAPSHOTS_REJECTED, traced } from '../shared/observability';
import { RATE_PROVIDERS_SETTINGS } from '../shared/rate-provider-settings';
=======
import { METRICS } from '../shared/metric-names';
import { observability } from '../shared/observability';
import type { RateProvidersSettings } from '../shared/rate-provider-settings';
>>>>>>> ops
import { fetchRates } from '../use-cases/fetch-rates';

const config = loadConfig('fetch-rates', {
  bucket: ENV.dataLakeBucket,
  ratesQueueUrl: ENV.ratesQueue,
  providers: ENV.rateProviders,
});
const providers = parseJsonEnv(ENV.rateProviders, config.providers, RATE_PROVIDERS_SETTINGS);
const tools = observability('fetch-rates');
const { logger, metrics } = tools;
const lake = s3ObjectStore(traced(tools, s3()), config.bucket);
const ratesQueue = sqsMessagePublisher(traced(tools, sqs()), config.ratesQueueUrl, {
  correlationId: () => logger.getCorrelationId() as string | undefined,
});

/** Invoked by one EventBridge schedule per provider with `{ "provider": "ecb", "correlationId": … }`. */
async function fetchProviderRates(
  event: { provider?: string; correlationId?: string } | undefined,
) {
  const name = event?.provider ?? '';
  const settings = isRateProviderName(name) ? providers[name] : undefined;
  if (!isRateProviderName(name) || !settings) {
    throw new Error(
      `fetch-rates: provider "${name}" is not configured (configured: ${Object.keys(providers).join(', ')})`,
    );
  }
  metrics.addDimension('provider', name);
  const apiKey = settings.apiKeySecretName
    ? await secretValue(settings.apiKeySecretName)
    : undefined;
  const provider = createRateProvider(name, {
    baseUrl: settings.baseUrl,
    oxrAppId: apiKey,
    coingeckoApiKey: apiKey,
    http: {
      onRetry: (info) => {
        metrics.addMetric('ProviderRetries', MetricUnit.Count, 1);
        logger.warn('provider call retried', { ...info });
      },
    },
  });
  try {
    const result = await fetchRates({
      provider,
      lake,
      rawPrefix: LAKE_PREFIXES.rawRates,
      ratesQueue,
    });
    metrics.addMetric('RatesFetched', MetricUnit.Count, result.rates);
    // Stale-rate alarms read these (lambdas/domain/publication-calendar.ts decides what is missed).
    metrics.addMetric(METRICS.newestRateAgeMinutes, MetricUnit.Count, result.freshness.ageMinutes);
    metrics.addMetric(METRICS.ratePublicationsMissed, MetricUnit.Count, result.freshness.missedPublications);
    logger.info('rates fetched', { ...result });
    return result;
  } catch (error) {
    metrics.addMetric('ProviderFailures', MetricUnit.Count, 1);
    // A payload refused by the parser (future-dated, malformed); only the service dimension, as alarmed.
    if (error instanceof RatePayloadError) metrics.singleMetric().addMetric(RATE_SNAPSHOTS_REJECTED, MetricUnit.Count, 1);
    logger.error('fetch failed', { provider: name, error: error as Error });
    throw error;
  }
}

export const handler = withPowertools(middy(fetchProviderRates), tools, {
  correlationId: correlationIds.schedule,
});
