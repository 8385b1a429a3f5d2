import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { rateHistoryChange } from '../adapters/aws/dynamodb-rate-stream';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import { curatedRatesParquet } from '../adapters/parquet/curated-rates';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { METRICS } from '../shared/metric-names';
import { observability, traced } from '../shared/observability';
import { s3 } from '../shared/s3-client';
import { exportRates, type RateHistoryChange } from '../use-cases/export-rates';

const config = loadConfig('export-rates', { bucket: ENV.dataLakeBucket });
const tools = observability('export-rates');
const { logger, metrics } = tools;
const deps = {
  lake: s3ObjectStore(traced(tools, s3()), config.bucket),
  curatedPrefix: LAKE_PREFIXES.curatedRates,
  toCurated: curatedRatesParquet,
};

/** One batch of the rates table's stream: each stored publication becomes curated Parquet in the lake. */
async function exportBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const changes = event.Records.map(rateHistoryChange).filter((c): c is RateHistoryChange => c !== undefined);
  const result = await exportRates(deps, changes);
  metrics.addMetric(METRICS.ratesExported, MetricUnit.Count, result.exported);
  logger.info('publications exported', {
    records: event.Records.length,
    publications: changes.length,
    // What the stream trigger's DLQ names when a batch is given up on.
    firstSequenceNumber: event.Records[0]?.dynamodb?.SequenceNumber,
    lastSequenceNumber: event.Records.at(-1)?.dynamodb?.SequenceNumber,
    ...result,
  });
  if (result.failedSequenceNumbers.length > 0) logger.warn('records will be retried', { sequenceNumbers: result.failedSequenceNumbers });
  return { batchItemFailures: result.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The rates table stream's consumer (filtered to history items), partial batch failures. */
export const handler = withPowertools(middy(exportBatch), tools, { correlationId: correlationIds.dynamodbStream });
