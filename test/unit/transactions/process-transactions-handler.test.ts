import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  ChangeMessageVisibilityBatchCommand,
  SendMessageBatchCommand,
  SQSClient,
  type SendMessageBatchCommandInput,
} from '@aws-sdk/client-sqs';
import {
  BatchGetCommand,
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type BatchWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { userIdHash } from '../../../lambdas/domain/pii';
import { startSecretsEmulator, type SecretsEmulator } from '../../../lib/local-platform/secrets-emulator';
import { ENV } from '../../../lambdas/shared/env-names';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { sqsEvent, sqsRecord } from '../../support/sqs-events';
import { feedTransaction, HMAC_KEY, RULES } from '../../support/transactions';

const TRANSACTIONS_QUEUE = 'http://127.0.0.1:4566/000000000000/transactions';
const ENVIRONMENT = {
  [ENV.transactionsTable]: 'transactions',
  [ENV.transactionsQueue]: TRANSACTIONS_QUEUE,
  [ENV.ratesTable]: 'rates',
  // OXR (it publishes continuously: an answer is settled once a fetch at or after the instant confirmed it).
  [ENV.ratePolicy]: JSON.stringify({ fiat: [{ provider: 'oxr', staleAfter: 'P36500D' }], crypto: [{ provider: 'oxr', staleAfter: 'P36500D' }] }),
  [ENV.rateWait]: JSON.stringify({ retryAfterSeconds: 15, maxRetryAfterSeconds: 300, maxWaitSeconds: 1800 }),
  [ENV.dataLakeBucket]: 'lake',
  [ENV.highValueQueue]: 'http://127.0.0.1:4566/000000000000/high-value',
  [ENV.transactionRules]: JSON.stringify(RULES),
  [ENV.piiHmacKeySecret]: 'fx/pii-hmac-key',
};

const ddbMock = mockClient(DynamoDBDocumentClient);
const s3Mock = mockClient(S3Client);
const sqsMock = mockClient(SQSClient);
// The HMAC key is read as from the Parameters and Secrets extension, here the local platform's stand-in.
let secrets: SecretsEmulator;
let secretsDir: string;

let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let restoreEnv: () => void;

beforeAll(async () => {
  secretsDir = mkdtempSync(path.join(tmpdir(), 'fx-secrets-'));
  secrets = await startSecretsEmulator(path.join(secretsDir, 'secrets.json'));
  secrets.ensure('fx/pii-hmac-key', () => HMAC_KEY);
  restoreEnv = setEnv({
    ...LOCAL_AWS,
    ...QUIET_POWERTOOLS,
    ...ENVIRONMENT,
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secrets.extensionPort),
    AWS_SESSION_TOKEN: 'session',
  });
  ({ handler } = await import('../../../lambdas/handlers/process-transactions'));
});
afterAll(async () => {
  restoreEnv();
  await secrets.stop();
  rmSync(secretsDir, { recursive: true, force: true });
});

beforeEach(() => {
  ddbMock.reset();
  s3Mock.reset();
  sqsMock.reset();
  // One OXR publication (USD per EUR), last confirmed at noon on 2022-07-08.
  const latest = {
    pk: 'LATEST#oxr#USD',
    sk: 'LATEST',
    provider: 'oxr',
    base: 'USD',
    inForceFrom: '2022-07-07T10:00:00.000Z',
    rateDate: '2022-07-07',
    snapshotId: 'oxr-USD-20220707T100000Z',
    rates: { EUR: { published: '1.0163', orientation: 'base-per-quote' } },
    fetchedAt: '2022-07-07T10:05:00.000Z',
    checkedAt: '2022-07-08T12:00:00.000Z',
  };
  ddbMock.on(BatchGetCommand).resolves({ Responses: { rates: [latest] } });
  ddbMock.on(QueryCommand).resolves({ Items: [] });
  ddbMock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
  s3Mock.on(PutObjectCommand).resolves({});
  sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: input.Entries!.map((e) => ({
      Id: e.Id,
      MessageId: `m-${e.Id}`,
      MD5OfMessageBody: '',
    })),
    Failed: [],
  }));
});

const record = (id: string, overrides: Record<string, unknown> = {}) =>
  sqsRecord(
    `m-${id}`,
    JSON.stringify(
      feedTransaction({ transaction_id: id, timestamp: '2022-07-08T00:00:00Z', ...overrides }),
    ),
  );

describe('process-transactions handler', () => {
  it('stores valid records and quarantines bad ones, a currency no source publishes among them', async () => {
    const result = await handler(
      sqsEvent(
        record('ok', { currency: 'EUR', amount: '4000' }),
        record('bad', { amount: '0' }),
        record('kwd', { currency: 'KWD' }),
      ),
    );

    expect(result).toEqual({ batchItemFailures: [] });
    const items = ddbMock
      .commandCalls(BatchWriteCommand)
      .flatMap((c) => (c.args[0].input as BatchWriteCommandInput).RequestItems!.transactions)
      .map((r) => r.PutRequest!.Item!);
    expect(items).toEqual([
      expect.objectContaining({
        transaction_id: 'ok',
        amount_base_text: '4065.20',
        user_id_hash: userIdHash(HMAC_KEY, 'user-42'),
        // sqsRecord's ApproximateFirstReceiveTimestamp
        processed_at_utc: new Date(1657238400001).toISOString(),
      }),
    ]);
    // Only the quarantine object: the curated lake is written from the table's stream (export-transactions).
    const keys = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key!);
    expect(keys).toEqual([expect.stringMatching(/^quarantine\/transactions\/dt=2022-07-08\/[0-9a-f]{64}\.jsonl$/)]);
    expect(
      sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.QueueUrl),
    ).toEqual([ENVIRONMENT[ENV.highValueQueue]]);
  });

  it('hands back a record whose rate is not settled yet and makes it visible again in 15 s, not after the queue timeout', async () => {
    // Received just now, at an instant no fetch has confirmed yet.
    const now = new Date();
    const fresh = { ...record('soon', { currency: 'EUR', timestamp: new Date(now.getTime() - 60_000).toISOString() }) };
    fresh.attributes = { ...fresh.attributes, ApproximateFirstReceiveTimestamp: String(now.getTime()) };

    const result = await handler(sqsEvent(fresh, record('settled', { currency: 'EUR' })));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-soon' }] });
    expect(sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand).map((c) => c.args[0].input)).toEqual([
      { QueueUrl: TRANSACTIONS_QUEUE, Entries: [{ Id: '0', ReceiptHandle: 'receipt-m-soon', VisibilityTimeout: 15 }] },
    ]);
  });

  it('marks a message carrying the replay attribute as replayed: its user_id_hash is accepted', async () => {
    const hash = userIdHash(HMAC_KEY, 'user-42');
    const replayed = sqsRecord('m-r', JSON.stringify({ ...feedTransaction({ transaction_id: 'r', user_id: undefined, timestamp: '2022-07-08T00:00:00Z' }), user_id_hash: hash }));
    replayed.messageAttributes = { 'fx-replayed': { stringValue: 'quarantine', dataType: 'String', stringListValues: [], binaryListValues: [] } };

    expect(await handler(sqsEvent(replayed))).toEqual({ batchItemFailures: [] });
    const items = ddbMock.commandCalls(BatchWriteCommand).flatMap((c) => (c.args[0].input as BatchWriteCommandInput).RequestItems!.transactions);
    expect(items.map((r) => r.PutRequest!.Item!.user_id_hash)).toEqual([hash]);
  });

  it('throws when the table cannot be written at all, so the whole batch is retried', async () => {
    ddbMock
      .on(BatchWriteCommand)
      .rejects(Object.assign(new Error('Service unavailable'), { name: 'ServiceUnavailable' }));

    await expect(handler(sqsEvent(record('a')))).rejects.toThrow('Service unavailable');
  });
});

describe('process-transactions handler cold start', () => {
  let restore = () => undefined as void;
  afterEach(() => restore());
  const coldStart = () =>
    jest.isolateModulesAsync(
      async () => void (await import('../../../lambdas/handlers/process-transactions')),
    );

  it.each(Object.keys(ENVIRONMENT))('fails naming %s when it is missing', async (missing) => {
    restore = setEnv({ [missing]: undefined });

    await expect(coldStart()).rejects.toThrow(
      `process-transactions: missing environment variable ${missing}`,
    );
  });

  it('fails on rules with an unsupported base currency', async () => {
    restore = setEnv({ [ENV.transactionRules]: JSON.stringify({ ...RULES, baseCurrency: 'XXX' }) });

    await expect(coldStart()).rejects.toThrow('Unsupported currency "XXX"');
  });
});
