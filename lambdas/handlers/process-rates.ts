import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamoRateSeries } from '../adapters/aws/dynamodb-rate-series';
import { sqsMessagePublisher } from '../adapters/aws/sqs-message-publisher';
import { curatedRatesProblem } from '../adapters/parquet/curated-rate-rows';
import { dynamoDocumentClient } from '../shared/clients';
import { sqs } from '../shared/sqs-client';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { METRICS } from '../shared/metric-names';
import { observability, traced } from '../shared/observability';
import { processRateSnapshots } from '../use-cases/process-rate-snapshot';

const config = loadConfig('process-rates', {
  table: ENV.ratesTable,
  rateChangesQueueUrl: ENV.rateChangesQueue,
});
const tools = observability('process-rates');
const { logger, metrics } = tools;
const deps = {
  series: dynamoRateSeries(traced(tools, dynamoDocumentClient()), config.table),
  curatedProblem: curatedRatesProblem,
  rateChanges: sqsMessagePublisher(traced(tools, sqs()), config.rateChangesQueueUrl, {
    correlationId: () => logger.getCorrelationId() as string | undefined,
  }),
};

/** One SQS batch of rate snapshots; a message that fails is retried alone (partial batch failures). */
async function processBatch(event: SQSEvent): Promise<SQSBatchResponse> {
  const result = await processRateSnapshots(
    deps,
    event.Records.map((r) => ({ messageId: r.messageId, body: r.body, receiveCount: Number(r.attributes.ApproximateReceiveCount) })),
  );
  metrics.addMetric(METRICS.ratesStored, MetricUnit.Count, result.rates);
  metrics.addMetric(METRICS.rateChanges, MetricUnit.Count, result.changes);
  // Only the service dimension, so the alarm on this name matches it.
  if (result.rejected > 0) metrics.singleMetric().addMetric(METRICS.rateSnapshotsRejected, MetricUnit.Count, result.rejected);
  for (const failure of result.failed) logger.error('snapshot message failed', failure);
  const { failed, ...summary } = result;
  logger.info('snapshots stored', { ...summary, messages: event.Records.length, failed: failed.length });
  return { batchItemFailures: failed.map((f) => ({ itemIdentifier: f.messageId })) };
}

/** The rates queue's consumer: the whole batch at once (history in BatchWriteItem calls), partial batch failures. */
export const handler = withPowertools(middy(processBatch), tools, { correlationId: correlationIds.sqs });
