import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AWS_CLIENT_CONFIG } from './aws-client-config';

/**
 * SDK clients, created once per execution environment and reused across invocations.
 * Endpoints come from AWS_ENDPOINT_URL_<SERVICE> when set (the local platform), so the same
 * code talks to AWS or to the emulators. One module per service (s3-client.ts, sqs-client.ts):
 * an ES module's import of a runtime-provided SDK package loads it even when nothing uses it.
 */
let dynamoDbClient: DynamoDBClient | undefined;
let documentClient: DynamoDBDocumentClient | undefined;

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

