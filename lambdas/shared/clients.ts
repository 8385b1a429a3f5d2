import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';

/**
 * The SDK's own retry for every AWS call the functions make (throttling, 5xx, timeouts,
 * connection errors): standard mode, exponential backoff with jitter, five attempts. Partial
 * failures inside a successful answer are retried by shared/retry.ts.
 */
export const AWS_CLIENT_CONFIG = { retryMode: 'standard', maxAttempts: 5 } as const;

/**
 * SDK clients, created once per execution environment and reused across invocations.
 * Endpoints come from AWS_ENDPOINT_URL_<SERVICE> when set (the local platform), so the same
 * code talks to AWS or to the emulators.
 */
let dynamoDbClient: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;
let s3Client: S3Client | undefined;
let sqsClient: SQSClient | undefined;

/** The low-level client (Powertools Idempotency speaks it); the document client sits on it. */
export function dynamoClient(): DynamoDBClient {
  dynamoDbClient ??= new DynamoDBClient(AWS_CLIENT_CONFIG);
  return dynamoDbClient;
}

export function dynamoDocumentClient(): DynamoDBDocumentClient {
  documentClient ??= documentClientOf(dynamoClient());
  return documentClient;
}

/** A document client over `client` with the platform's marshalling. */
export function documentClientOf(client: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true },
    // Numbers come back as NumberValue strings: no amount or rate ever passes through a JS number.
    unmarshallOptions: { wrapNumbers: true },
  });
}

export function s3(): S3Client {
  // Emulators serve buckets path-style; AWS uses virtual-hosted style.
  s3Client ??= new S3Client({ ...AWS_CLIENT_CONFIG, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
  return s3Client;
}

export function sqs(): SQSClient {
  // Send to the configured endpoint, not to the host inside the queue URL.
  sqsClient ??= new SQSClient({ ...AWS_CLIENT_CONFIG, useQueueUrlAsEndpoint: false });
  return sqsClient;
}
