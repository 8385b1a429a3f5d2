import { createTable } from '../../lib/local-platform/provision';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, NumberValue, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulators, type EmulatorEndpoints, type RunningEmulators } from '../../lib/local-platform/emulators';
import type { TableDefinition } from '../../lib/definitions/resources';
import { localS3 } from './lake';

const sdk = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};

export interface EmulatorClients {
  readonly dynamodb: DynamoDBDocumentClient;
  /** The low-level client under `dynamodb` (Powertools Idempotency speaks it). */
  readonly dynamodbClient: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
}

/** Real SDK clients pointed at the emulators, set up the way the handlers' clients are. */
export function emulatorClients(endpoints: EmulatorEndpoints): EmulatorClients {
  const dynamodbClient = new DynamoDBClient({ ...sdk, endpoint: endpoints.dynamodb });
  return {
    dynamodb: DynamoDBDocumentClient.from(dynamodbClient, {
      marshallOptions: { removeUndefinedValues: true },
      unmarshallOptions: { wrapNumbers: true },
    }),
    dynamodbClient,
    sqs: new SQSClient({ ...sdk, endpoint: endpoints.sqs, useQueueUrlAsEndpoint: false }),
    s3: localS3(endpoints.s3),
  };
}

export function destroyClients(clients: EmulatorClients): void {
  clients.dynamodb.destroy();
  clients.sqs.destroy();
  clients.s3.destroy();
}

let counter = 0;
/** A resource name unique within this test process (each test gets its own table/bucket/queues). */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}`;
}

/** Creates a table exactly as the local platform does, from its resource definition. */
export async function createTableFrom(
  clients: EmulatorClients,
  definition: TableDefinition,
  tableName: string,
): Promise<void> {
  await createTable(clients.dynamodb, tableName, definition);
}

export async function createBucket(clients: EmulatorClients, bucket: string): Promise<void> {
  await clients.s3.send(new CreateBucketCommand({ Bucket: bucket }));
}

export interface CreatedQueue {
  readonly url: string;
  readonly arn: string;
}

export async function createQueue(
  clients: EmulatorClients,
  name: string,
  attributes: Record<string, string> = {},
): Promise<CreatedQueue> {
  const { QueueUrl } = await clients.sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl!, arn: Attributes!.QueueArn! };
}

export async function approximateMessages(clients: EmulatorClients, queueUrl: string): Promise<number> {
  const { Attributes } = await clients.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
    Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
  );
}

/** Receives and deletes everything currently visible on a queue. */
export async function drainQueue(clients: EmulatorClients, queueUrl: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const { Messages = [] } = await clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return all;
    all.push(...Messages);
    await clients.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
      }),
    );
  }
}

/** Every item of a table, numbers as `{ N: digits }` so items compare with toEqual. */
export async function scanAll(
  clients: EmulatorClients,
  tableName: string,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await clients.dynamodb.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items
    .map((item) =>
      Object.fromEntries(
        Object.entries(item).map(([k, v]) => [k, v instanceof NumberValue ? { N: v.value } : v]),
      ),
    )
    .sort((a, b) => `${a.pk}|${a.sk}`.localeCompare(`${b.pk}|${b.sk}`));
}

export interface EmulatorFixture {
  readonly emulators: RunningEmulators;
  readonly clients: EmulatorClients;
  /** The temp directory the emulators keep their data in. */
  readonly dir: string;
}

/**
 * Starts the emulators once for the test file (beforeAll) in a temp directory and stops them
 * afterwards (afterAll). Read the fixture inside tests or hooks, not at import time.
 */
export function useEmulators(name: string): EmulatorFixture {
  let state: { emulators: RunningEmulators; clients: EmulatorClients; dir: string } | undefined;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), `${name}-`));
    const emulators = await startEmulators({ dataDir: join(dir, 'data') });
    state = { emulators, clients: emulatorClients(emulators.endpoints), dir };
  });
  afterAll(async () => {
    if (!state) return;
    destroyClients(state.clients);
    await state.emulators.stop();
    rmSync(state.dir, { recursive: true, force: true });
  });
  const current = () => state ?? (() => { throw new Error('emulators are not started yet (use them inside tests)'); })();
  return {
    get emulators() {
      return current().emulators;
    },
    get clients() {
      return current().clients;
    },
    get dir() {
      return current().dir;
    },
  };
}
