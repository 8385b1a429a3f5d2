import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import type { StreamExportResult } from '../use-cases/lake-writes';
import type { Observability } from './observability';

export interface StreamExport<C, R extends StreamExportResult> {
  /** What is exported, for the log lines: "conversions", "publications", "transactions". */
  readonly noun: string;
  /** The record's change, or undefined for a record the exporter ignores. */
  readonly change: (record: DynamoDBRecord) => C | undefined;
  readonly run: (changes: C[]) => Promise<R>;
  /** The counts to publish, by metric name. */
  readonly metrics: (result: R) => Record<string, number>;
}

/**
 * The batch function of a table stream's exporter to the lake: changes read from the records,
 * exported, counted and logged; the records whose object could not be written are reported as
 * batchItemFailures (Lambda retries from the first of them, bisecting the batch).
 */
export function streamExport<C, R extends StreamExportResult>(
  { logger, metrics }: Observability,
  exporter: StreamExport<C, R>,
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  return async (event) => {
    const changes = event.Records.map(exporter.change).filter((c): c is C => c !== undefined);
    const result = await exporter.run(changes);
    for (const [name, count] of Object.entries(exporter.metrics(result))) metrics.addMetric(name, MetricUnit.Count, count);
    logger.info(`${exporter.noun} exported`, {
      records: event.Records.length,
      [exporter.noun]: changes.length,
      // What the stream trigger's DLQ names when a batch is given up on.
      firstSequenceNumber: event.Records[0]?.dynamodb?.SequenceNumber,
      lastSequenceNumber: event.Records.at(-1)?.dynamodb?.SequenceNumber,
      ...result,
    });
    if (result.failedSequenceNumbers.length > 0) logger.warn('records will be retried', { sequenceNumbers: result.failedSequenceNumbers });
    return { batchItemFailures: result.failedSequenceNumbers.map((itemIdentifier) => ({ itemIdentifier })) };
  };
}
