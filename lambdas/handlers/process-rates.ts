import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dynamoRateStore } from '../adapters/aws/dynamodb-rate-store';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../adapters/aws/sqs-message-publisher';
import { curatedRatesParquet } from '../adapters/parquet/curated-rates';
import { dynamoDocumentClient } from '../shared/clients';
import { s3 } from '../shared/s3-client';
import { sqs } from '../shared/sqs-client';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { sqsBatchHandler } from '../shared/sqs-batch';
import { processRateSnapshot } from '../use-cases/process-rate-snapshot';

const config = loadConfig('process-rates', {
  table: ENV.ratesTable,
  bucket: ENV.dataLakeBucket,
  rateChangesQueueUrl: ENV.rateChangesQueue,
});
const tools = observability('process-rates');
const { logger, metrics } = tools;
const deps = {
  store: dynamoRateStore(traced(tools, dynamoDocumentClient()), config.table),
  lake: s3ObjectStore(traced(tools, s3()), config.bucket),
  curatedPrefix: LAKE_PREFIXES.curatedRates,
  toCurated: curatedRatesParquet,
  rateChanges: sqsMessagePublisher(traced(tools, sqs()), config.rateChangesQueueUrl, {
    correlationId: () => logger.getCorrelationId() as string | undefined,
  }),
};

const processBatch = sqsBatchHandler(logger, async (body, record) => {
  const redelivered = Number(record.attributes.ApproximateReceiveCount) > 1;
  const result = await processRateSnapshot(deps, body, { redelivered });
  metrics.addMetric('RatesStored', MetricUnit.Count, result.stored);
  metrics.addMetric('RateChanges', MetricUnit.Count, result.changes);
  logger.info('snapshot stored', { ...result });
  return result;
});

/** The rates queue's consumer: one snapshot per message, partial batch failures. */
export const handler = withPowertools(middy(processBatch), tools, { correlationId: correlationIds.sqs });
