import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export interface QueuePollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly queueArn: string;
  readonly region: string;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly invoke: (event: SQSEvent) => Promise<unknown>;
  readonly onBatch?: (summary: { received: number; failed: number; error?: string }) => void;
}

/**
 * The local SQS event source mapping: long-polls the queue, hands batches to the function as
 * real SQS events, deletes what succeeded and leaves `batchItemFailures` (or the whole batch,
 * when the function throws) to reappear after the visibility timeout; the queue's redrive
 * policy moves a message to the DLQ after maxReceiveCount, exactly as in AWS.
 */
export function startQueuePoller(options: QueuePollerOptions): { stop: () => Promise<void> } {
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const messages = await receiveBatch(options, () => running);
        if (messages.length === 0 || !running) continue;
        await deliver(options, messages);
      } catch (error) {
        if (!running) break;
        options.onBatch?.({ received: 0, failed: 0, error: (error as Error).message });
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** Collects up to batchSize messages, waiting at most the batching window once the first arrives. */
async function receiveBatch(options: QueuePollerOptions, isRunning: () => boolean): Promise<Message[]> {
  const messages: Message[] = [];
  const windowEnds = () => firstAt + options.maxBatchingWindowSeconds * 1000;
  let firstAt = 0;
  while (isRunning() && messages.length < options.batchSize) {
    const waiting = messages.length > 0;
    if (waiting && Date.now() >= windowEnds()) break;
    const result = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, options.batchSize - messages.length),
        WaitTimeSeconds: waiting ? 0 : 1,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const received = (result.Messages ?? []).filter((m) => !messages.some((held) => held.MessageId === m.MessageId));
    if (received.length > 0 && messages.length === 0) firstAt = Date.now();
    messages.push(...received);
    if (messages.length === 0) return messages;
    if (received.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return messages;
}

async function deliver(options: QueuePollerOptions, messages: Message[]): Promise<void> {
  const event: SQSEvent = { Records: messages.map((m) => sqsRecordOf(m, options.queueArn, options.region)) };
  let failedIds: Set<string>;
  let error: string | undefined;
  try {
    const response = (await options.invoke(event)) as SQSBatchResponse | undefined;
    failedIds = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
  } catch (e) {
    // A thrown error fails the whole batch: nothing is deleted.
    failedIds = new Set(messages.map((m) => m.MessageId!));
    error = (e as Error).message;
  }
  const succeeded = messages.filter((m) => !failedIds.has(m.MessageId!));
  for (let i = 0; i < succeeded.length; i += 10) {
    await options.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: options.queueUrl,
        Entries: succeeded.slice(i, i + 10).map((m, j) => ({ Id: String(j), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
  }
  options.onBatch?.({ received: messages.length, failed: failedIds.size, error });
}

/**
 * The record Lambda's event source mapping builds from a ReceiveMessage answer (asked with
 * `MessageSystemAttributeNames: ['All']`), system and message attributes included.
 */
export function sqsRecordOf(message: Message, queueArn: string, region: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([name, value]) => [
        name,
        {
          stringValue: value.StringValue,
          binaryValue: value.BinaryValue ? Buffer.from(value.BinaryValue).toString('base64') : undefined,
          stringListValues: value.StringListValues ?? [],
          binaryListValues: [],
          dataType: value.DataType ?? 'String',
        },
      ]),
    ),
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}
