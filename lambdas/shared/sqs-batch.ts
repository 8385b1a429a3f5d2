import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

/**
 * Wraps a per-message function into an SQS handler that reports partial batch failures:
 * a message that throws is retried (and after maxReceiveCount lands in the DLQ) while its
 * siblings are deleted. A body that is not JSON fails only its own message.
 */
export function sqsBatchHandler(
  logger: Logger,
  processMessage: (body: unknown, record: SQSRecord) => Promise<unknown>,
): (event: SQSEvent) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const processRecord = async (record: SQSRecord) => {
    try {
      return await processMessage(parseBody(record), record);
    } catch (error) {
      logger.error('message failed', {
        messageId: record.messageId,
        receiveCount: record.attributes.ApproximateReceiveCount,
        error: error as Error,
      });
      throw error;
    }
  };
  // In order: messages of one batch about the same item must not race each other.
  return (event) =>
    processPartialResponse(event, processRecord, processor, {
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
