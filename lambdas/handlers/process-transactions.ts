import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import * as z from 'zod/mini';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoTransactionStore } from '../adapters/aws/dynamodb-transaction-store';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import { secretValue } from '../adapters/aws/secrets';
import { sqsMessagePublisher } from '../adapters/aws/sqs-message-publisher';
import { sqsRetryLater } from '../adapters/aws/sqs-retry-later';
import { checkRateWait } from '../domain/rate-settlement';
import { TRANSACTION_RULES } from '../domain/transaction';
import { dynamoDocumentClient } from '../shared/clients';
import { s3OnDemand, sqsOnDemand } from '../shared/clients-on-demand';
import { loadConfig, parseJsonEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { correlationIdOfRecord, correlationIds, withPowertools } from '../shared/lambda-handler';
import { METRICS } from '../shared/metric-names';
import { observability, traced } from '../shared/observability';
import { rateSourcesFromEnv } from '../shared/rate-sources';
import { processTransactions, REPLAYED_ATTRIBUTE, type TransactionMessage } from '../use-cases/process-transactions';

const config = loadConfig('process-transactions', {
  table: ENV.transactionsTable,
  queueUrl: ENV.transactionsQueue,
  rateWait: ENV.rateWait,
  bucket: ENV.dataLakeBucket,
  highValueQueueUrl: ENV.highValueQueue,
  rules: ENV.transactionRules,
  hmacKeySecret: ENV.piiHmacKeySecret,
});
const rules = parseJsonEnv(ENV.transactionRules, config.rules, TRANSACTION_RULES);
const rateWait = checkRateWait(parseJsonEnv(ENV.rateWait, config.rateWait, z.unknown()));
const tools = observability('process-transactions');
const { logger, metrics } = tools;
const dynamodb = traced(tools, dynamoDocumentClient());
// Only a high-value transaction or a deferral needs SQS, only a quarantined record S3 (the
// curated lake is written from the table's stream by export-transactions): each is loaded on first use.
const sqs = sqsOnDemand((client) => traced(tools, client));
const deps = {
  rates: rateSourcesFromEnv('process-transactions', dynamodb),
  rateWait,
  store: dynamoTransactionStore(dynamodb, config.table),
  lake: s3ObjectStore(s3OnDemand((client) => traced(tools, client)), config.bucket),
  highValue: sqsMessagePublisher(sqs, config.highValueQueueUrl, {
    correlationId: () => logger.getCorrelationId() as string | undefined,
  }),
  rules,
  quarantinePrefix: LAKE_PREFIXES.quarantineTransactions,
};
const retryLater = sqsRetryLater(sqs, config.queueUrl);

/** First-receive time, which SQS keeps across redeliveries (sent time as a fallback). */
function toMessage(record: SQSRecord): TransactionMessage {
  const { ApproximateFirstReceiveTimestamp: firstReceive, SentTimestamp: sent } = record.attributes;
  const millis = Number(firstReceive || sent || Date.now());
  return {
    messageId: record.messageId,
    body: record.body,
    receiveCount: Number(record.attributes.ApproximateReceiveCount),
    firstReceivedAt: new Date(millis).toISOString(),
    replayed: record.messageAttributes?.[REPLAYED_ATTRIBUTE]?.stringValue !== undefined,
  };
}

/**
 * The transactions queue's consumer. The batch is processed as one (DynamoDB batch writes, one
 * Parquet object per day), so it reports its failures itself rather than through the Powertools
 * batch processor; each failed record's log line carries its own producer's correlation id.
 */
async function processBatch(event: SQSEvent, _context: Context): Promise<SQSBatchResponse> {
  // Read through the Parameters and Secrets extension, which caches it (SECRET_CACHE_TTL_SECONDS).
  const hmacKey = await secretValue(config.hmacKeySecret);
  const result = await processTransactions({ ...deps, hmacKey }, event.Records.map(toMessage));
  metrics.addMetric(METRICS.transactionsStored, MetricUnit.Count, result.stored);
  metrics.addMetric(METRICS.transactionsQuarantined, MetricUnit.Count, result.quarantined);
  metrics.addMetric(METRICS.highValueTransactions, MetricUnit.Count, result.highValue);
  for (const [reason, count] of Object.entries(result.quarantinedByReason)) {
    const byReason = metrics.singleMetric();
    byReason.addDimension('reason', reason);
    byReason.addMetric(METRICS.transactionsQuarantined, MetricUnit.Count, count);
  }
  const correlationIdOf = new Map(event.Records.map((r) => [r.messageId, correlationIdOfRecord(r)]));
  for (const failure of result.failures) {
    const own = correlationIdOf.get(failure.messageId);
    logger.warn('message will be retried', { ...failure, ...(own ? { correlation_id: own } : {}) });
  }
  // A message waiting for its rate to settle comes back soon, not after the visibility timeout.
  const receipts = new Map(event.Records.map((r) => [r.messageId, r.receiptHandle]));
  const unchanged = await retryLater(result.deferred.map((d) => ({ receiptHandle: receipts.get(d.messageId)!, seconds: d.retryAfterSeconds })));
  if (unchanged.length > 0) logger.warn('visibility not shortened; the queue timeout applies', { messages: unchanged.length });
  logger.info('batch processed', {
    messages: event.Records.length,
    stored: result.stored,
    quarantined: result.quarantinedByReason,
    highValue: result.highValue,
    retried: result.failedMessageIds.length,
    waitingForRate: result.deferred.length,
    objectKeys: result.objectKeys,
  });
  return {
    batchItemFailures: result.failedMessageIds.map((itemIdentifier) => ({ itemIdentifier })),
  };
}

export const handler = withPowertools(middy(processBatch), tools, { correlationId: correlationIds.sqs });
