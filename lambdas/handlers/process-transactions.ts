import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoTransactionStore } from '../adapters/aws/dynamodb-transaction-store';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import { secretValue } from '../adapters/aws/secrets';
import { sqsMessagePublisher } from '../adapters/aws/sqs-message-publisher';
import { sqsRetryLater } from '../adapters/aws/sqs-retry-later';
import { curatedTransactionsParquet } from '../adapters/parquet/curated-transactions';
import { checkRateWait } from '../domain/rate-settlement';
import { checkTransactionRules } from '../domain/transaction';
import { dynamoDocumentClient, s3, sqs } from '../shared/clients';
import { loadConfig, parseJsonEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { observability } from '../shared/observability';
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
const rules = checkTransactionRules(parseJsonEnv(ENV.transactionRules, config.rules));
const rateWait = checkRateWait(parseJsonEnv(ENV.rateWait, config.rateWait));
const { logger, metrics, tracer } = observability('process-transactions');
const dynamodb = tracer.captureAWSv3Client(dynamoDocumentClient());
const deps = {
  rates: rateSourcesFromEnv('process-transactions', dynamodb),
  rateWait,
  store: dynamoTransactionStore(dynamodb, config.table),
  lake: s3ObjectStore(tracer.captureAWSv3Client(s3()), config.bucket),
  highValue: sqsMessagePublisher(tracer.captureAWSv3Client(sqs()), config.highValueQueueUrl),
  rules,
  curatedPrefix: LAKE_PREFIXES.curatedTransactions,
  quarantinePrefix: LAKE_PREFIXES.quarantineTransactions,
  toCurated: curatedTransactionsParquet,
};
const retryLater = sqsRetryLater(tracer.captureAWSv3Client(sqs()), config.queueUrl);

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

export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    // Fetched on the first invocation and kept for the life of the execution environment.
    const hmacKey = await secretValue(config.hmacKeySecret);
    const result = await processTransactions({ ...deps, hmacKey }, event.Records.map(toMessage));
    metrics.addMetric('TransactionsStored', MetricUnit.Count, result.stored);
    metrics.addMetric('TransactionsQuarantined', MetricUnit.Count, result.quarantined);
    metrics.addMetric('HighValueTransactions', MetricUnit.Count, result.highValue);
    for (const [reason, count] of Object.entries(result.quarantinedByReason)) {
      const byReason = metrics.singleMetric();
      byReason.addDimension('reason', reason);
      byReason.addMetric('TransactionsQuarantined', MetricUnit.Count, count);
    }
    for (const failure of result.failures) logger.warn('message will be retried', failure);
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
  } finally {
    metrics.publishStoredMetrics();
  }
};
