import { SQSClient } from '@aws-sdk/client-sqs';
import { AWS_CLIENT_CONFIG } from './clients';

let sqsClient: SQSClient | undefined;

/** The SQS client of the execution environment (see clients.ts). */
export function sqs(): SQSClient {
  // Send to the configured endpoint, not to the host inside the queue URL.
  sqsClient ??= new SQSClient({ ...AWS_CLIENT_CONFIG, useQueueUrlAsEndpoint: false });
  return sqsClient;
}
