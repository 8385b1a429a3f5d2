import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { visibilityTimeoutSeconds } from '../definitions/functions';
import {
  BUCKETS,
  DLQ_RETENTION_DAYS,
  QUEUES,
  SECRETS,
  TABLES,
  type BucketKey,
  type KeyDefinition,
  type QueueKey,
  type SecretKey,
  type TableDefinition,
  type TableKey,
} from '../definitions/resources';

export interface QueueUrls {
  readonly url: string;
  readonly dlqUrl: string;
}

export interface LocalResources {
  readonly tables: Record<TableKey, string>;
  readonly queues: Record<QueueKey, QueueUrls>;
  readonly buckets: Record<BucketKey, string>;
}

export interface LocalClients {
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly s3: S3Client;
}

const DAY_SECONDS = 86_400;

/** Physical names on the emulators, derived from the construct ids of the shared definitions. */
export const localNames = {
  table: (key: TableKey) => `fx-local-${TABLES[key].id}`,
  queue: (key: QueueKey) => `fx-local-${QUEUES[key].id}`,
  dlq: (key: QueueKey) => `fx-local-${QUEUES[key].id}-dlq`,
  secret: (key: SecretKey) => `fx-local/${SECRETS[key].id}`,
  bucket: (key: BucketKey) => `fx-local-${BUCKETS[key].id.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase()}`,
};

/**
 * Creates on the emulators exactly the tables, queues (with DLQ and redrive) and buckets the
 * CDK stacks define, from the same definitions. Safe to run against persisted state.
 */
export async function provisionLocalResources(clients: LocalClients): Promise<LocalResources> {
  const tables = {} as Record<TableKey, string>;
  for (const [key, def] of Object.entries(TABLES) as [TableKey, TableDefinition][]) {
    tables[key] = localNames.table(key);
    await createTable(clients.dynamodb, tables[key], def);
  }
  const queues = {} as Record<QueueKey, QueueUrls>;
  for (const key of Object.keys(QUEUES) as QueueKey[]) {
    queues[key] = await createQueueWithDlq(clients.sqs, key);
  }
  const buckets = {} as Record<BucketKey, string>;
  for (const key of Object.keys(BUCKETS) as BucketKey[]) {
    buckets[key] = localNames.bucket(key);
    await createBucket(clients.s3, buckets[key]);
  }
  return { tables, queues, buckets };
}

/** Creates a table with the keys, indexes and TTL of its definition; an existing table is left as it is. */
export async function createTable(client: DynamoDBClient, name: string, def: TableDefinition): Promise<void> {
  const keySchema = (partitionKey: KeyDefinition, sortKey?: KeyDefinition) => [
    { AttributeName: partitionKey.name, KeyType: 'HASH' as const },
    ...(sortKey ? [{ AttributeName: sortKey.name, KeyType: 'RANGE' as const }] : []),
  ];
  const indexes = def.globalSecondaryIndexes ?? [];
  const attributes = new Map<string, KeyDefinition>();
  for (const k of [def.partitionKey, def.sortKey, ...indexes.flatMap((i) => [i.partitionKey, i.sortKey])]) {
    if (k) attributes.set(k.name, k);
  }
  try {
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [...attributes.values()].map((k) => ({ AttributeName: k.name, AttributeType: k.type })),
        KeySchema: keySchema(def.partitionKey, def.sortKey),
        GlobalSecondaryIndexes:
          indexes.length > 0
            ? indexes.map((i) => ({
                IndexName: i.indexName,
                KeySchema: keySchema(i.partitionKey, i.sortKey),
                Projection: { ProjectionType: 'ALL' },
              }))
            : undefined,
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    // Made by an earlier run, perhaps before the definition had a stream.
    await ensureStream(client, name, def);
    return;
  }
  await ensureStream(client, name, def);
  if (def.timeToLiveAttribute) {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: name,
        TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
      }),
    );
  }
}

/** Turns on the definition's stream when the table has none. */
async function ensureStream(client: DynamoDBClient, name: string, def: TableDefinition): Promise<void> {
  if (!def.stream) return;
  const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
  if (Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(
    new UpdateTableCommand({ TableName: name, StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } }),
  );
}

/** A queue of the definitions with its DLQ and redrive policy (maxReceiveCount from the definition). */
export async function createQueueWithDlq(client: SQSClient, key: QueueKey): Promise<QueueUrls> {
  const def = QUEUES[key];
  const dlq = await client.send(
    new CreateQueueCommand({
      QueueName: localNames.dlq(key),
      Attributes: { MessageRetentionPeriod: String(DLQ_RETENTION_DAYS * DAY_SECONDS) },
    }),
  );
  const dlqArn = await client.send(
    new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queue = await client.send(
    new CreateQueueCommand({
      QueueName: localNames.queue(key),
      Attributes: {
        VisibilityTimeout: String(visibilityTimeoutSeconds(key)),
        MessageRetentionPeriod: String(def.retentionDays * DAY_SECONDS),
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlqArn.Attributes?.QueueArn,
          maxReceiveCount: def.maxReceiveCount,
        }),
      },
    }),
  );
  return { url: queue.QueueUrl!, dlqUrl: dlq.QueueUrl! };
}

async function createBucket(client: S3Client, name: string): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: name }));
  } catch (error) {
    const code = (error as { name?: string }).name;
    if (code === 'BucketAlreadyOwnedByYou' || code === 'BucketAlreadyExists') return;
    throw error;
  }
}
