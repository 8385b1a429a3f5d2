import type { SQSClient } from '@aws-sdk/client-sqs';
import { LIMITS, utf8Bytes } from '../../domain/record-limits';
import type { MessagePublisher, OutgoingMessage } from '../../ports/message-publisher';
import { CORRELATION_ID_ATTRIBUTE } from '../../shared/correlation';
import { AWS_BATCH_RETRY, retryPending, type RetryOptions } from '../../shared/retry';

/** Ids as error messages show them: a feed's id can be long. */
const named = (messages: readonly OutgoingMessage[]) =>
  messages.map((m) => (m.id.length > 64 ? `${m.id.slice(0, 64)}...` : m.id)).join(', ');

/** SendMessageBatch calls of at most ten entries and 1 MiB of bodies each, in order. */
export function sendBatches(messages: readonly OutgoingMessage[]): OutgoingMessage[][] {
  const batches: OutgoingMessage[][] = [];
  let current: OutgoingMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = utf8Bytes(message.body);
    if (current.length === LIMITS.sqsBatchEntries || bytes + size > LIMITS.sqsBatchBytes) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(message);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

export interface SqsPublisherOptions {
  /** @default AWS_BATCH_RETRY */
  readonly retry?: RetryOptions;
  /**
   * The correlation id each message carries (attribute `correlationId`), read when publishing:
   * the function's current one, so the consumer's log lines name the run that produced it.
   */
  readonly correlationId?: () => string | undefined;
}

/**
 * SendMessageBatch, split by count and by bytes. Entries SQS fails on its side are retried with
 * backoff, never dropped; a message SQS can never take (over 1 MiB, characters it refuses:
 * `SenderFault`) fails the call at once with its id, since retrying it cannot help.
 */
export function sqsMessagePublisher(
  client: SQSClient | (() => Promise<SQSClient>),
  queueUrl: string,
  options: SqsPublisherOptions = {},
): MessagePublisher {
  const retry = options.retry ?? AWS_BATCH_RETRY;
  return {
    async publish(messages) {
      const tooLarge = messages.filter((m) => utf8Bytes(m.body) > LIMITS.sqsMessageBytes);
      if (tooLarge.length > 0) {
        throw new Error(
          `${tooLarge.length} message(s) larger than SQS takes (${LIMITS.sqsMessageBytes} bytes): ${named(tooLarge)}`,
        );
      }
      if (messages.length === 0) return;
      // Loaded here, not at module load: a client given as a loader keeps SQS out of the cold start.
      const { SendMessageBatchCommand } = await import('@aws-sdk/client-sqs');
      const sqs = typeof client === 'function' ? await client() : client;
      const correlationId = options.correlationId?.();
      const attributes = correlationId
        ? { [CORRELATION_ID_ATTRIBUTE]: { DataType: 'String', StringValue: correlationId } }
        : undefined;
      for (const batch of sendBatches(messages)) {
        await retryPending<OutgoingMessage>(
          batch,
          async (entries) => {
            const result = await sqs.send(
              new SendMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: entries.map((m, i) => {
                  const own = Object.entries(m.attributes ?? {}).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]);
                  const all = { ...attributes, ...Object.fromEntries(own) };
                  return { Id: String(i), MessageBody: m.body, ...(Object.keys(all).length > 0 && { MessageAttributes: all }) };
                }),
              }),
            );
            const failed = result.Failed ?? [];
            const refused = failed.filter((f) => f.SenderFault);
            if (refused.length > 0) {
              const why = refused.map((f) => `${named([entries[Number(f.Id)]])} (${f.Code}: ${f.Message})`);
              throw new Error(`SQS refused ${refused.length} message(s): ${why.join('; ')}`);
            }
            const retried = new Set(failed.map((f) => f.Id));
            return entries.filter((_, i) => retried.has(String(i)));
          },
          retry,
          (left) => `SQS did not accept ${left.length} message(s): ${named(left)}`,
        );
      }
    },
  };
}
