import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dynamoCursorStore } from '../adapters/aws/dynamodb-cursor-store';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import { secretValue } from '../adapters/aws/secrets';
import { sqsMessagePublisher } from '../adapters/aws/sqs-message-publisher';
import { redactUrl } from '../adapters/http/provider-errors';
import { httpTransactionFeed } from '../adapters/http/transaction-feed-client';
import { dynamoDocumentClient } from '../shared/clients';
import { s3OnDemand } from '../shared/clients-on-demand';
import { sqs } from '../shared/sqs-client';
import { loadConfig, parseJsonEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { TRANSACTION_FEEDS_SETTINGS } from '../shared/feed-settings';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { METRICS } from '../shared/metric-names';
import { observability, traced } from '../shared/observability';
import { fetchTransactions } from '../use-cases/fetch-transactions';

const config = loadConfig('fetch-transactions', {
  stateTable: ENV.stateTable,
  queueUrl: ENV.transactionsQueue,
  feeds: ENV.transactionFeeds,
  bucket: ENV.dataLakeBucket,
  hmacKeySecret: ENV.piiHmacKeySecret,
});
const feeds = parseJsonEnv(ENV.transactionFeeds, config.feeds, TRANSACTION_FEEDS_SETTINGS);
const tools = observability('fetch-transactions');
const { logger, metrics } = tools;
const cursors = dynamoCursorStore(traced(tools, dynamoDocumentClient()), config.stateTable);
const transactionsQueue = sqsMessagePublisher(traced(tools, sqs()), config.queueUrl, {
  correlationId: () => logger.getCorrelationId() as string | undefined,
});
// The lake takes only the records no queue can carry: S3 is loaded when the first one comes.
const lake = s3ObjectStore(s3OnDemand((client) => traced(tools, client)), config.bucket);

/** Invoked by one EventBridge schedule per feed with `{ "feed": "<name>", "correlationId": … }`. */
async function fetchFeed(
  event: { feed?: string; correlationId?: string } | undefined,
  context: { getRemainingTimeInMillis?: () => number } | undefined,
) {
  const name = event?.feed ?? '';
  const settings = Object.hasOwn(feeds, name) ? feeds[name] : undefined;
  if (!settings) {
    throw new Error(`fetch-transactions: feed "${name}" is not configured (configured: ${Object.keys(feeds).join(', ')})`);
  }
  if (!settings.url) throw new Error(`fetch-transactions: feed "${name}" has no url`);
  metrics.addDimension('feed', name);
  const token = settings.credentialsSecretName ? await secretValue(settings.credentialsSecretName) : undefined;
  const feed = httpTransactionFeed({
    name,
    url: settings.url,
    token,
    http: {
      onRetry: (info) => {
        metrics.addMetric(METRICS.feedRetries, MetricUnit.Count, 1);
        logger.warn('feed call retried', { ...info });
      },
    },
  });
  try {
    const result = await fetchTransactions({
      feed,
      cursors,
      transactionsQueue,
      lake,
      quarantinePrefix: LAKE_PREFIXES.quarantineTransactions,
      hmacKey: () => secretValue(config.hmacKeySecret),
      pageSize: settings.pageSize,
      // Outside Lambda (a script, a test) there is no deadline to respect.
      remainingTimeMs: () => context?.getRemainingTimeInMillis?.() ?? Number.POSITIVE_INFINITY,
    });
    metrics.addMetric(METRICS.transactionsFetched, MetricUnit.Count, result.transactions);
    metrics.addMetric(METRICS.transactionsQuarantined, MetricUnit.Count, result.quarantined);
    if (result.cursorReset) {
      metrics.addMetric(METRICS.feedCursorResets, MetricUnit.Count, 1);
      logger.warn('the saved cursor belongs to another URL of this feed; read from the new feed’s beginning', {
        feed: name,
        url: redactUrl(settings.url),
      });
    }
    if (result.stoppedBecause === 'superseded') logger.warn('another run advanced the cursor; stopped', { ...result });
    else logger.info('transactions fetched', { ...result });
    return result;
  } catch (error) {
    metrics.addMetric(METRICS.feedFailures, MetricUnit.Count, 1);
    logger.error('fetch failed', { feed: name, error: error as Error });
    throw error;
  }
}

export const handler = withPowertools(middy(fetchFeed), tools, { correlationId: correlationIds.schedule });
