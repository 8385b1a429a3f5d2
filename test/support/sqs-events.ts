import type { Message } from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { sqsRecordOf } from '../../lib/local-platform/queue-poller';

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

/** The event Lambda would build from a ReceiveMessage answer, exactly as the local platform builds it. */
export function sqsEventFromMessages(messages: readonly Message[], queueArn: string): SQSEvent {
  return { Records: messages.map((m) => sqsRecordOf(m, queueArn, 'us-east-1')) };
}
