import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { SendEmailCommand, SESv2Client } from '@aws-sdk/client-sesv2';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, NumberValue, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  awsEndpointEnv,
  emulatorMemoryMb,
  type EmulatorEndpoints,
  type RunningEmulators,
  startEmulators,
} from '../../lib/local-platform/emulators';

jest.setTimeout(120_000);

const sdk = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
};

function clients(endpoints: EmulatorEndpoints) {
  return {
    dynamodb: DynamoDBDocumentClient.from(
      new DynamoDBClient({ ...sdk, endpoint: endpoints.dynamodb }),
      {
        unmarshallOptions: { wrapNumbers: true },
      },
    ),
    sqs: new SQSClient({ ...sdk, endpoint: endpoints.sqs, useQueueUrlAsEndpoint: false }),
    s3: new S3Client({ ...sdk, endpoint: endpoints.s3, forcePathStyle: true }),
    ses: new SESv2Client({ ...sdk, endpoint: endpoints.ses }),
  };
}

async function createTable(c: ReturnType<typeof clients>, TableName: string) {
  await c.dynamodb.send(
    new CreateTableCommand({
      TableName,
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

describe('local emulators', () => {
  let dataDir: string;
  let running: RunningEmulators | undefined;
  let c: ReturnType<typeof clients>;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'emulators-'));
    running = await startEmulators({ dataDir: join(dataDir, 'data') });
    c = clients(running.endpoints);
  });

  afterAll(async () => {
    await running?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves every endpoint on 127.0.0.1 and reports child memory', () => {
    const { endpoints, pids } = running!;
    for (const url of Object.values(endpoints)) expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(Object.keys(pids).sort()).toEqual(['dynamodb', 'fauxqs', 'ses']);
    expect(emulatorMemoryMb(pids)).toBeGreaterThan(0);
    expect(awsEndpointEnv(endpoints)).toMatchObject({
      AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
      AWS_ENDPOINT_URL_SQS: endpoints.sqs,
      AWS_ENDPOINT_URL_S3: endpoints.s3,
      AWS_ENDPOINT_URL_SESV2: endpoints.ses,
      AWS_REGION: 'us-east-1',
    });
  });

  it('DynamoDB keeps all 38 digits of a number', async () => {
    const amount = '12345678901234567890.123456789012345678';
    await createTable(c, 'rates');
    await c.dynamodb.send(
      new PutCommand({
        TableName: 'rates',
        Item: { id: 'EUR-USD', amount: NumberValue.from(amount) },
      }),
    );

    const { Item } = await c.dynamodb.send(
      new GetCommand({ TableName: 'rates', Key: { id: 'EUR-USD' } }),
    );

    expect(Item?.amount).toBeInstanceOf(NumberValue);
    expect(String(Item?.amount)).toBe(amount);
  });

  it('SQS moves a message to the DLQ after maxReceiveCount receives', async () => {
    const { QueueUrl: dlqUrl } = await c.sqs.send(
      new CreateQueueCommand({ QueueName: 'work-dlq' }),
    );
    const { Attributes } = await c.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const { QueueUrl: queueUrl } = await c.sqs.send(
      new CreateQueueCommand({
        QueueName: 'work',
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: Attributes?.QueueArn,
            maxReceiveCount: 2,
          }),
        },
      }),
    );
    await c.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));
    const receive = (QueueUrl: string | undefined) =>
      c.sqs.send(new ReceiveMessageCommand({ QueueUrl, VisibilityTimeout: 0, WaitTimeSeconds: 1 }));

    const first = await receive(queueUrl);
    const second = await receive(queueUrl);
    const third = await receive(queueUrl);
    const dead = await receive(dlqUrl);

    expect(first.Messages?.[0]?.Body).toBe('poison');
    expect(second.Messages?.[0]?.Body).toBe('poison');
    expect(third.Messages ?? []).toHaveLength(0);
    expect(dead.Messages?.[0]?.Body).toBe('poison');
  });

  it('S3 stores and returns an object', async () => {
    await c.s3.send(new CreateBucketCommand({ Bucket: 'lake' }));
    await c.s3.send(
      new PutObjectCommand({ Bucket: 'lake', Key: 'raw/rates.json', Body: '{"EUR":"1"}' }),
    );

    const object = await c.s3.send(new GetObjectCommand({ Bucket: 'lake', Key: 'raw/rates.json' }));

    expect(await object.Body?.transformToString()).toBe('{"EUR":"1"}');
  });

  it('SES keeps sent mail in GET /store', async () => {
    await c.ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'alerts@fx.example',
        Destination: { ToAddresses: ['partner@example.com'] },
        Content: {
          Simple: {
            Subject: { Data: 'EUR/USD crossed 1.10' },
            Body: { Text: { Data: 'Rate alert' } },
          },
        },
      }),
    );

    const store = (await (await fetch(`${running!.endpoints.ses}/store`)).json()) as {
      emails: { subject: string; destination: { to: string[] } }[];
    };

    expect(store.emails).toContainEqual(
      expect.objectContaining({
        subject: 'EUR/USD crossed 1.10',
        destination: expect.objectContaining({ to: ['partner@example.com'] }),
      }),
    );
  });

  it('keeps tables, queues and objects across a restart on the same dataDir', async () => {
    const amount = '98765432109876543210.987654321098765432';
    await createTable(c, 'persisted');
    await c.dynamodb.send(
      new PutCommand({
        TableName: 'persisted',
        Item: { id: 'k', amount: NumberValue.from(amount) },
      }),
    );
    const { QueueUrl } = await c.sqs.send(new CreateQueueCommand({ QueueName: 'persisted' }));
    await c.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'survives' }));
    await c.s3.send(new CreateBucketCommand({ Bucket: 'persisted' }));
    await c.s3.send(new PutObjectCommand({ Bucket: 'persisted', Key: 'a/b.txt', Body: 'kept' }));

    await running!.stop();
    running = undefined;
    running = await startEmulators({ dataDir: join(dataDir, 'data') });
    c = clients(running.endpoints);

    const { Item } = await c.dynamodb.send(
      new GetCommand({ TableName: 'persisted', Key: { id: 'k' } }),
    );
    expect(String(Item?.amount)).toBe(amount);
    const queue = await c.sqs.send(new GetQueueUrlCommand({ QueueName: 'persisted' }));
    const { Messages } = await c.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queue.QueueUrl, WaitTimeSeconds: 1 }),
    );
    expect(Messages?.[0]?.Body).toBe('survives');
    const object = await c.s3.send(new GetObjectCommand({ Bucket: 'persisted', Key: 'a/b.txt' }));
    expect(await object.Body?.transformToString()).toBe('kept');
  });
});
