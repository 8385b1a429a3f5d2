import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { MessagePublisher, OutgoingMessage } from '../../ports/message-publisher';
import { AWS_BATCH_RETRY, chunk, retryPending, type RetryOptions } from '../../shared/retry';

/** SendMessageBatch, ten entries a call; failed entries are retried with backoff, never dropped. */
export function sqsMessagePublisher(
  client: SQSClient,
  queueUrl: string,
  retry: RetryOptions = AWS_BATCH_RETRY,
): MessagePublisher {
  return {
    async publish(messages) {
      for (const batch of chunk(messages, 10)) {
        await retryPending<OutgoingMessage>(
          batch,
          async (entries) => {
            const result = await client.send(
              new SendMessageBatchCommand({
                QueueUrl: queueUrl,
                Entries: entries.map((m, i) => ({
                  Id: String(i),
                  MessageBody: m.body,
                  ...(m.attributes && {
                    MessageAttributes: Object.fromEntries(
                      Object.entries(m.attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
                    ),
                  }),
                })),
              }),
            );
            const failed = new Set((result.Failed ?? []).map((f) => f.Id));
            return entries.filter((_, i) => failed.has(String(i)));
          },
          retry,
          (left) => `SQS did not accept ${left.length} message(s): ${left.map((m) => m.id).join(', ')}`,
        );
      }
    },
  };
}
