import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { correlationIdOfRecord } from './correlation';

/**
 * Wraps a per-message function into an SQS handler that reports partial batch failures:
 * a message that throws is retried (and after maxReceiveCount lands in the DLQ) while its
 * siblings are deleted. A body that is not JSON fails only its own message. While a message is
 * processed, the logger's correlation id is the one its producer set, so its log lines (and the
 * messages it sends on) name the run that produced it.
 */
export function sqsBatchHandler(
  logger: Logger,
  processMessage: (body: unknown, record: SQSRecord) => Promise<unknown>,
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = async (record: SQSRecord) => {
    const batchCorrelationId = logger.getCorrelationId() as string | undefined;
    const own = correlationIdOfRecord(record);
    if (own) logger.setCorrelationId(own);
    try {
      return await processMessage(parseBody(record), record);
    } catch (error) {
      logger.error('message failed', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error as Error,
      });
      throw error;
    } finally {
      if (own && batchCorrelationId !== undefined) logger.setCorrelationId(batchCorrelationId);
    }
  };
  // In order: messages of one batch about the same item must not race each other.
  return (event, context) =>
    processPartialResponse(event, processRecord, processor, {
      context,
      throwOnFullBatchFailure: false,
      processInParallel: false,
    });
}

function parseBody(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body);
  } catch {
    throw new Error(`message ${record.messageId} is not JSON`);
  }
}
