import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../../lambdas/shared/env-names';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { powertoolsOutput } from '../../support/powertools-output';

const s3Mock = mockClient(S3Client);
let handler: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse>;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ ...LOCAL_AWS, ...QUIET_POWERTOOLS, POWERTOOLS_LOG_LEVEL: 'INFO', [ENV.dataLakeBucket]: 'lake' });
  ({ handler } = await import('../../../lambdas/handlers/export-conversions'));
});
afterAll(() => restoreEnv());
beforeEach(() => s3Mock.reset());

/** A stream record as Lambda hands it over (NEW_IMAGE). */
const insert = (eventID: string, sequenceNumber: string, item: Record<string, unknown>): DynamoDBRecord => {
  const image = marshall(item) as Record<string, AttributeValue>;
  return {
    eventID,
    eventName: 'INSERT',
    eventSource: 'aws:dynamodb',
    dynamodb: { Keys: { pk: image.pk, sk: image.sk }, NewImage: image, SequenceNumber: sequenceNumber, StreamViewType: 'NEW_IMAGE' },
  };
};
/** A key claim as Powertools Idempotency writes it: the filter drops it, and so must the handler. */
const claim = insert('c0ffee01', '100', {
  pk: 'PARTNER#client-a',
  sk: 'IDEMPOTENCY#n0dWm9sVqJx3lQ8yW3pZ7A==',
  status: 'INPROGRESS',
  expiresAt: 1_704_963_600,
  in_progress_expiration: 1_704_877_210_000,
  requestHash: '5d41402abc4b2a76b9719d911017c592',
});
const conversion = insert('c0ffee02', '101', {
  pk: 'PARTNER#client-a',
  sk: 'CONVERSION#01HQ0000000000000000000001',
  id: '01HQ0000000000000000000001',
  createdAt: '2024-01-10T09:00:00.000Z',
  from: 'EUR',
  to: 'USD',
  amount: '100.00',
  converted: '109.50',
  rate: '1.0950',
  inverseRate: '0.913242009132420091324200913242009132',
  asOf: '2024-01-10T00:00:00.000Z',
  provider: 'ecb',
  idempotencyRecord: 'IDEMPOTENCY#n0dWm9sVqJx3lQ8yW3pZ7A==',
});

describe('export-conversions (the API table stream’s consumer)', () => {
  it('writes the batch’s conversions to the lake, skips the idempotency record, and logs under the first record’s eventID', async () => {
    s3Mock.on(PutObjectCommand).resolves({});
    let response: DynamoDBBatchResponse | undefined;
    const lines = await powertoolsOutput(async () => (response = await handler({ Records: [claim, conversion] })));
    expect(response).toEqual({ batchItemFailures: [] });
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.Bucket, p.Key?.replace(/[0-9a-f]{64}/, '<hash>')])).toEqual([
      ['lake', 'curated/conversions/year=2024/month=01/day=10/<hash>.parquet'],
    ]);
    expect(lines.find((l) => l.message === 'conversions exported')).toMatchObject({
      correlation_id: 'c0ffee01',
      records: 2,
      conversions: 1,
      exported: 1,
      firstSequenceNumber: '100',
      lastSequenceNumber: '101',
    });
  });

  it('reports the conversions of an object it could not write as batch item failures, for Lambda to retry', async () => {
    s3Mock.on(PutObjectCommand).rejects(new Error('S3 is down'));
    let response: DynamoDBBatchResponse | undefined;
    await powertoolsOutput(async () => (response = await handler({ Records: [claim, conversion] })));
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: '101' }] });
  });
});
