import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { conversionChange } from '../adapters/aws/dynamodb-conversion-stream';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import {
  curatedConversionProblem,
  curatedConversionRow,
  curatedConversionsParquet,
} from '../adapters/parquet/curated-conversions';
import { s3 } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { observability } from '../shared/observability';
import { exportConversions, type ConversionChange } from '../use-cases/export-conversions';

const config = loadConfig('export-conversions', { bucket: ENV.dataLakeBucket });
const { logger, metrics, tracer } = observability('export-conversions');
const deps = {
  lake: s3ObjectStore(tracer.captureAWSv3Client(s3()), config.bucket),
  codec: { row: curatedConversionRow, problem: curatedConversionProblem, parquet: curatedConversionsParquet },
  curatedPrefix: LAKE_PREFIXES.curatedConversions,
  quarantinePrefix: LAKE_PREFIXES.quarantineConversions,
};

/** Consumes the API table's stream: new conversions become curated Parquet in the lake. */
export const handler = async (event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> => {
  try {
    const changes = event.Records.map(conversionChange).filter((c): c is ConversionChange => c !== undefined);
    const result = await exportConversions(deps, changes);
    metrics.addMetric('ConversionsExported', MetricUnit.Count, result.exported);
    metrics.addMetric('ConversionsQuarantined', MetricUnit.Count, result.quarantined);
    logger.info('conversions exported', {
      records: event.Records.length,
      conversions: changes.length,
      ...result,
    });
    if (result.failedSequenceNumbers.length > 0) logger.warn('records will be retried', { sequenceNumbers: result.failedSequenceNumbers });
    return { batchItemFailures: result.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
  } finally {
    metrics.publishStoredMetrics();
  }
};
