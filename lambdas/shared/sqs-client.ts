import { SQSClient } from '@aws-sdk/client-sqs';
import { sqsClientConfig } from './aws-client-config';

let sqsClient: SQSClient | undefined;

/** The SQS client of the execution environment (see clients.ts). */
export function sqs(): SQSClient {
  sqsClient ??= new SQSClient(sqsClientConfig());
  return sqsClient;
}
