import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  SendMessageBatchCommand,
  SQSClient,
  type SendMessageBatchCommandInput,
} from '@aws-sdk/client-sqs';
import {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
  type BatchWriteCommandInput,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { userIdHash } from '../../../lambdas/domain/pii';
import { ENV } from '../../../lambdas/shared/env-names';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { sqsEvent, sqsRecord } from '../../support/sqs-events';
import { feedTransaction, HMAC_KEY, RULES } from '../../support/transactions';

const ENVIRONMENT = {
  [ENV.transactionsTable]: 'transactions',
  [ENV.ratesTable]: 'rates',
  [ENV.dataLakeBucket]: 'lake',
  [ENV.highValueQueue]: 'http://127.0.0.1:4566/000000000000/high-value',
  [ENV.transactionRules]: JSON.stringify(RULES),
  [ENV.piiHmacKeySecret]: 'fx/pii-hmac-key',
};

const ddbMock = mockClient(DynamoDBDocumentClient);
const s3Mock = mockClient(S3Client);
const sqsMock = mockClient(SQSClient);
const secretsMock = mockClient(SecretsManagerClient);

let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ ...LOCAL_AWS, ...QUIET_POWERTOOLS, ...ENVIRONMENT });
  secretsMock.on(GetSecretValueCommand).resolves({ SecretString: HMAC_KEY });
  ({ handler } = await import('../../../lambdas/handlers/process-transactions'));
});
afterAll(() => restoreEnv());

beforeEach(() => {
  ddbMock.reset();
  s3Mock.reset();
  sqsMock.reset();
  // One EUR/USD history item; any other pair has none.
  ddbMock.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    const values = input.ExpressionAttributeValues as Record<string, string>;
    const stored =
      values[':pk'] === 'HISTORY#EUR#USD' && input.KeyConditionExpression!.includes('sk <');
    return {
      Items: stored
        ? [
            {
              sk: '2022-07-07T00:00:00.000Z#ecb',
              published: '1.0163',
              orientation: 'quote-per-base',
              asOf: '2022-07-07T00:00:00.000Z',
              provider: 'ecb',
            },
          ]
        : [],
    };
  });
  ddbMock.on(BatchWriteCommand).resolves({ UnprocessedItems: {} });
  s3Mock.on(PutObjectCommand).resolves({});
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
  it('stores valid records, quarantines bad ones and reports only the record with no rate yet', async () => {
    const result = await handler(
      sqsEvent(
        record('ok', { currency: 'EUR', amount: '4000' }),
        record('bad', { amount: '0' }),
        record('kwd', { currency: 'KWD' }),
      ),
    );

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-kwd' }] });
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
    const keys = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input.Key!);
    expect(keys).toEqual([
      expect.stringMatching(/^quarantine\/transactions\/dt=2022-07-08\/[0-9a-f]{64}\.jsonl$/),
      expect.stringMatching(
        /^curated\/transactions\/year=2022\/month=07\/day=08\/[0-9a-f]{64}\.parquet$/,
      ),
    ]);
    expect(
      sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.QueueUrl),
    ).toEqual([ENVIRONMENT[ENV.highValueQueue]]);
  });

  it('reads the HMAC key from Secrets Manager once per execution environment', async () => {
    await handler(sqsEvent(record('a')));
    await handler(sqsEvent(record('b')));

    expect(
      secretsMock.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId),
    ).toEqual(['fx/pii-hmac-key']);
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
