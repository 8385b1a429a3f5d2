import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { conversionChange } from '../adapters/aws/dynamodb-conversion-stream';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import {
  curatedConversionProblem,
  curatedConversionRow,
  curatedConversionsParquet,
} from '../adapters/parquet/curated-conversions';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { s3 } from '../shared/s3-client';
import { exportConversions, type ConversionChange } from '../use-cases/export-conversions';

const config = loadConfig('export-conversions', { bucket: ENV.dataLakeBucket });
const tools = observability('export-conversions');
const { logger, metrics } = tools;
const deps = {
  lake: s3ObjectStore(traced(tools, s3()), config.bucket),
  codec: { row: curatedConversionRow, problem: curatedConversionProblem, parquet: curatedConversionsParquet },
  curatedPrefix: LAKE_PREFIXES.curatedConversions,
  quarantinePrefix: LAKE_PREFIXES.quarantineConversions,
};

/** One batch of the API table's stream: new conversions become curated Parquet in the lake. */
async function exportBatch(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
  const changes = event.Records.map(conversionChange).filter((c): c is ConversionChange => c !== undefined);
  const result = await exportConversions(deps, changes);
  metrics.addMetric('ConversionsExported', MetricUnit.Count, result.exported);
  metrics.addMetric('ConversionsQuarantined', MetricUnit.Count, result.quarantined);
  logger.info('conversions exported', {
    records: event.Records.length,
    conversions: changes.length,
    // What the stream trigger's DLQ names when a batch is given up on.
    firstSequenceNumber: event.Records[0]?.dynamodb?.SequenceNumber,
    lastSequenceNumber: event.Records.at(-1)?.dynamodb?.SequenceNumber,
    ...result,
  });
  if (result.failedSequenceNumbers.length > 0) logger.warn('records will be retried', { sequenceNumbers: result.failedSequenceNumbers });
  return { batchItemFailures: result.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
}

/** The API table stream's consumer (filtered to new conversions), partial batch failures. */
export const handler = withPowertools(middy(exportBatch), tools, { correlationId: correlationIds.dynamodbStream });
