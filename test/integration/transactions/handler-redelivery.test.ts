import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { join } from 'node:path';
import { dynamoRateSeries } from '../../../lambdas/adapters/aws/dynamodb-rate-series';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { ENV } from '../../../lambdas/shared/env-names';
import { TABLES } from '../../../lib/definitions/resources';
import { awsEndpointEnv } from '../../../lib/local-platform/emulators';
import { startSecretsEmulator, type SecretsEmulator } from '../../../lib/local-platform/secrets-emulator';
import {
  createBucket,
  createQueue,
  createTableFrom,
  drainQueue,
  type CreatedQueue,
  useEmulators,
} from '../../support/emulator-resources';
import { getBytes, listKeys } from '../../support/lake';
import { QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { snapshotOf } from '../../support/rates';
import { sqsEventFromMessages } from '../../support/sqs-events';
import {
  feedTransaction,
  HMAC_KEY,
  RULES,
} from '../../support/transactions';

jest.setTimeout(120_000);

const RATES_TABLE = 'rates-tx-handler';
const TABLE = 'transactions-handler';
const BUCKET = 'lake-tx-handler';
const VISIBILITY_TIMEOUT_SECONDS = 2;
/** A record waiting for its rate looks again after this long: longer than the queue's visibility timeout. */
const RETRY_AFTER_SECONDS = 5;

/** As process-rates stores a publication: history, then the latest item. */
async function store(snapshot: RateSnapshot): Promise<void> {
  const series = dynamoRateSeries(env.clients.dynamodb, RATES_TABLE);
  await series.putHistory([snapshot]);
  await series.advanceLatest(snapshot);
}


const env = useEmulators('transactions-handler');
let queue: CreatedQueue;
let highValue: CreatedQueue;
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let restoreEnv = () => undefined as void;
let secrets: SecretsEmulator;

beforeAll(async () => {
  await createTableFrom(env.clients, TABLES.rates, RATES_TABLE);
  await createTableFrom(env.clients, TABLES.transactions, TABLE);
  await createBucket(env.clients, BUCKET);
  queue = await createQueue(env.clients, 'transactions', {
    VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
  });
  highValue = await createQueue(env.clients, 'high-value-transactions');
  // The ECB's publication of the 9th, in force on the morning of the 10th; Frankfurter has published nothing yet.
  await store(snapshotOf('2024-01-09', { USD: '1.0950', JPY: '158.47' }));
  secrets = await startSecretsEmulator(join(env.dir, 'secrets.json'));
  secrets.ensure('fx/pii-hmac-key', () => HMAC_KEY);
  restoreEnv = setEnv({
    ...awsEndpointEnv(env.emulators.endpoints),
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secrets.extensionPort),
    ...QUIET_POWERTOOLS,
    [ENV.transactionsTable]: TABLE,
    [ENV.transactionsQueue]: queue.url,
    [ENV.ratesTable]: RATES_TABLE,
    // As dev: fiat from the ECB, then Frankfurter (the only one of the two with KWD).
    [ENV.ratePolicy]: JSON.stringify({
      fiat: [
        { provider: 'ecb', staleAfter: { businessDays: 2 } },
        { provider: 'frankfurter', staleAfter: { businessDays: 2 } },
      ],
      crypto: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }],
    }),
    [ENV.rateWait]: JSON.stringify({ retryAfterSeconds: RETRY_AFTER_SECONDS, maxRetryAfterSeconds: RETRY_AFTER_SECONDS, maxWaitSeconds: 600 }),
    [ENV.dataLakeBucket]: BUCKET,
    [ENV.highValueQueue]: highValue.url,
    [ENV.transactionRules]: JSON.stringify(RULES),
    [ENV.piiHmacKeySecret]: 'fx/pii-hmac-key',
  });
  ({ handler } = await import('../../../lambdas/handlers/process-transactions'));
});

afterAll(async () => {
  restoreEnv();
  await secrets?.stop();
});

async function receiveAll(expected: number): Promise<Message[]> {
  const messages: Message[] = [];
  const deadline = Date.now() + 30_000;
  while (messages.length < expected) {
    if (Date.now() > deadline)
      throw new Error(`received ${messages.length} of ${expected} messages`);
    const { Messages = [] } = await env.clients.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queue.url,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
        MessageSystemAttributeNames: ['All'],
      }),
    );
    messages.push(...Messages);
  }
  return messages;
}

async function deleteSucceeded(
  messages: readonly Message[],
  response: SQSBatchResponse,
): Promise<void> {
  const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
  const done = messages.filter((m) => !failed.has(m.MessageId!));
  if (done.length === 0) return;
  await env.clients.sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queue.url,
      Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
    }),
  );
}

async function lake(): Promise<Map<string, string>> {
  const keys = await listKeys(env.clients.s3, BUCKET, '');
  return new Map(
    await Promise.all(
      keys.map(
        async (k) =>
          [k, Buffer.from(await getBytes(env.clients.s3, BUCKET, k)).toString('base64')] as const,
      ),
    ),
  );
}

describe('process-transactions handler on a real queue', () => {
  it('gives a redelivered batch identical results, and stores a record waiting for its rate once it arrives', async () => {
    const records = [
      feedTransaction({
        transaction_id: 'eur',
        currency: 'EUR',
        amount: '3000',
        timestamp: '2024-01-10T10:00:00Z',
      }),
      feedTransaction({
        transaction_id: 'jpy',
        currency: 'JPY',
        amount: '15847',
        timestamp: '2024-01-10T11:00:00Z',
      }),
      feedTransaction({
        transaction_id: 'bad',
        currency: 'EUR',
        amount: 'NaN',
        timestamp: '2024-01-10T11:00:00Z',
      }),
      feedTransaction({
        transaction_id: 'kwd',
        currency: 'KWD',
        amount: '10',
        timestamp: '2024-01-10T12:00:00Z',
      }),
    ];
    await env.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: queue.url,
        Entries: records.map((r, i) => ({ Id: String(i), MessageBody: JSON.stringify(r) })),
      }),
    );

    // First delivery: the invocation "dies" after processing, so nothing is deleted.
    const first = await receiveAll(4);
    const firstResponse = await handler(sqsEventFromMessages(first, queue.arn));
    const kwdMessage = first.find((m) => m.Body!.includes('"kwd"'))!.MessageId!;
    expect(firstResponse).toEqual({ batchItemFailures: [{ itemIdentifier: kwdMessage }] });
    const item = async (id: string) =>
      (
        await env.clients.dynamodb.send(
          new GetCommand({ TableName: TABLE, Key: { transaction_id: id } }),
        )
      ).Item;
    const firstItems = await Promise.all(['eur', 'jpy'].map(item));
    const firstLake = await lake();
    expect(firstItems[0]).toMatchObject({ amount_base_text: '3285.00', high_value_alert: true });
    expect(firstItems[1]).toMatchObject({ amount_base_text: '109.50' });
    // The bad record's quarantine object; the curated lake is export-transactions' (the table's stream).
    expect([...firstLake.keys()].map((k) => k.split('/')[0])).toEqual(['quarantine']);

    // Redelivery of the batch after the visibility timeout; the KWD record waits longer (its visibility was changed).
    const second = await receiveAll(3);
    expect(second.map((m) => m.Attributes!.ApproximateReceiveCount)).toEqual(['2', '2', '2']);
    expect(second.map((m) => m.MessageId)).not.toContain(kwdMessage);
    const secondResponse = await handler(sqsEventFromMessages(second, queue.arn));
    await deleteSucceeded(second, secondResponse);

    expect(secondResponse).toEqual({ batchItemFailures: [] });
    expect(await Promise.all(['eur', 'jpy'].map(item))).toEqual(firstItems);
    expect(await lake()).toEqual(firstLake);
    const events = (await drainQueue(env.clients, highValue.url)).map((m) => JSON.parse(m.Body!));
    expect(events.map((e) => e.eventId)).toEqual(['eur', 'eur']);
    expect(events[1]).toEqual(events[0]);

    // Frankfurter publishes KWD; the waiting message comes back on its own and goes through.
    await store(snapshotOf('2024-01-09', { KWD: '0.3370' }, { provider: 'frankfurter' }));
    const third = await receiveAll(1);
    expect(third.map((m) => m.MessageId)).toEqual([kwdMessage]);
    const thirdResponse = await handler(sqsEventFromMessages(third, queue.arn));
    await deleteSucceeded(third, thirdResponse);

    expect(thirdResponse).toEqual({ batchItemFailures: [] });
    // 10 KWD x (1.0950 USD per EUR / 0.3370 KWD per EUR) = 32.4925... USD
    expect(await item('kwd')).toMatchObject({
      amount_base_text: '32.49',
      rate_via: 'EUR/KWD,EUR/USD',
      rate_provider: 'frankfurter+ecb',
    });
  });
});
