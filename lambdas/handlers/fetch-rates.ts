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
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { METRICS } from '../shared/metric-names';
import { observability, traced } from '../shared/observability';
import { RATE_PROVIDERS_SETTINGS } from '../shared/rate-provider-settings';
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
        metrics.addMetric(METRICS.providerRetries, MetricUnit.Count, 1);
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
    metrics.addMetric(METRICS.ratesFetched, MetricUnit.Count, result.rates);
    // The stale-rate alarm reads these (staleWhen in lambdas/domain/rate-policy.ts says which, at what).
    metrics.addMetric(METRICS.newestRateAgeMinutes, MetricUnit.Count, result.freshness.ageMinutes);
    const { missedPublications } = result.freshness;
    if (missedPublications !== undefined) metrics.addMetric(METRICS.ratePublicationsMissed, MetricUnit.Count, missedPublications);
    logger.info('rates fetched', { ...result });
    return result;
  } catch (error) {
    metrics.addMetric(METRICS.providerFailures, MetricUnit.Count, 1);
    // A payload refused by the parser (future-dated, malformed); only the service dimension, as alarmed.
    if (error instanceof RatePayloadError) metrics.singleMetric().addMetric(METRICS.rateSnapshotsRejected, MetricUnit.Count, 1);
    logger.error('fetch failed', { provider: name, error: error as Error });
    throw error;
  }
}

export const handler = withPowertools(middy(fetchProviderRates), tools, {
  correlationId: correlationIds.schedule,
});
