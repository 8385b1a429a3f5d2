import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { dynamoRateSeries } from '../adapters/aws/dynamodb-rate-series';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../adapters/aws/sqs-message-publisher';
import { curatedRatesParquet } from '../adapters/parquet/curated-rates';
import { dynamoDocumentClient, s3, sqs } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { observability, RATE_SNAPSHOTS_REJECTED } from '../shared/observability';
import { processRateSnapshots } from '../use-cases/process-rate-snapshot';

const config = loadConfig('process-rates', {
  table: ENV.ratesTable,
  bucket: ENV.dataLakeBucket,
  rateChangesQueueUrl: ENV.rateChangesQueue,
});
const { logger, metrics, tracer } = observability('process-rates');
const deps = {
  series: dynamoRateSeries(tracer.captureAWSv3Client(dynamoDocumentClient()), config.table),
  lake: s3ObjectStore(tracer.captureAWSv3Client(s3()), config.bucket),
  curatedPrefix: LAKE_PREFIXES.curatedRates,
  toCurated: curatedRatesParquet,
  rateChanges: sqsMessagePublisher(tracer.captureAWSv3Client(sqs()), config.rateChangesQueueUrl),
};

/** One SQS batch of rate snapshots; a message that fails is retried alone (partial batch failures). */
export const handler = async (event: SQSEvent): Promise<SQSBatchResponse> => {
  try {
    const result = await processRateSnapshots(
      deps,
      event.Records.map((r) => ({ messageId: r.messageId, body: r.body, receiveCount: Number(r.attributes.ApproximateReceiveCount) })),
    );
    metrics.addMetric('RatesStored', MetricUnit.Count, result.rates);
    metrics.addMetric('RateChanges', MetricUnit.Count, result.changes);
    // Only the service dimension, so the alarm on this name matches it.
    if (result.rejected > 0) metrics.singleMetric().addMetric(RATE_SNAPSHOTS_REJECTED, MetricUnit.Count, result.rejected);
    for (const failure of result.failed) logger.error('snapshot message failed', failure);
    const { failed, ...summary } = result;
    logger.info('snapshots stored', { ...summary, messages: event.Records.length, failed: failed.length });
    return { batchItemFailures: failed.map((f) => ({ itemIdentifier: f.messageId })) };
  } finally {
    metrics.publishStoredMetrics();
  }
};
