import type { Message } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:000000000000:rates';

/** One SQS record as the Lambda event source mapping delivers it. */
export function sqsRecord(messageId: string, body: string, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1657238400000',
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: '1657238400001',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/**
 * The event Lambda would build from a ReceiveMessage answer (requested with
 * `MessageSystemAttributeNames: ['All']`), system attributes included.
 */
export function sqsEventFromMessages(messages: readonly Message[], queueArn: string): SQSEvent {
  return {
    Records: messages.map((m) => {
      const a = m.Attributes ?? {};
      return {
        messageId: m.MessageId!,
        receiptHandle: m.ReceiptHandle!,
        body: m.Body ?? '',
        attributes: {
          ApproximateReceiveCount: a.ApproximateReceiveCount ?? '1',
          SentTimestamp: a.SentTimestamp ?? '',
          SenderId: a.SenderId ?? '',
          ApproximateFirstReceiveTimestamp: a.ApproximateFirstReceiveTimestamp ?? '',
        },
        messageAttributes: {},
        md5OfBody: m.MD5OfBody ?? '',
        eventSource: 'aws:sqs',
        eventSourceARN: queueArn,
        awsRegion: 'us-east-1',
      };
    }),
  };
}
