import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { s3ClientConfig, sqsClientConfig } from './aws-client-config';

/**
 * Clients created on first use, their package loaded then: for a function that needs one only
 * now and then (fetch-transactions writes to S3 only for a record no queue can carry,
 * process-transactions sends to SQS only for a high-value transaction). Dynamic imports only: an
 * ES module's static import of a runtime-provided SDK package loads it at every cold start
 * (s3-client.ts and sqs-client.ts do, for the functions that use them on every run).
 */
function onDemand<C>(create: () => Promise<C>, wrap: (client: C) => C): () => Promise<C> {
  let loading: Promise<C> | undefined;
  return () => (loading ??= create().then(wrap));
}

const same = <C>(client: C) => client;

export const s3OnDemand = (wrap: (client: S3Client) => S3Client = same) =>
  onDemand(async () => new (await import('@aws-sdk/client-s3')).S3Client(s3ClientConfig()), wrap);

export const sqsOnDemand = (wrap: (client: SQSClient) => SQSClient = same) =>
  onDemand(async () => new (await import('@aws-sdk/client-sqs')).SQSClient(sqsClientConfig()), wrap);
