import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ENV } from '../../../lambdas/shared/env-names';
import type { LoadWarehouseEvent } from '../../../lambdas/handlers/load-warehouse';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { powertoolsOutput } from '../../support/powertools-output';

const ddbMock = mockClient(DynamoDBDocumentClient);
const s3Mock = mockClient(S3Client);
const ROLE = 'arn:aws:iam::123456789012:role/fx-copy';
let handler: (event: LoadWarehouseEvent) => Promise<unknown>;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ ...LOCAL_AWS, ...QUIET_POWERTOOLS, POWERTOOLS_LOG_LEVEL: 'INFO', [ENV.stateTable]: 'state', [ENV.dataLakeBucket]: 'lake', [ENV.warehouseCopyRole]: ROLE });
  ({ handler } = await import('../../../lambdas/handlers/load-warehouse'));
});
afterAll(() => restoreEnv());
beforeEach(() => {
  ddbMock.reset();
  s3Mock.reset();
});

/** One step as the state machine runs it, with its log lines captured. */
async function step(event: LoadWarehouseEvent): Promise<{ result?: unknown; error?: unknown; lines: Record<string, unknown>[] }> {
  let result: unknown;
  let error: unknown;
  const lines = await powertoolsOutput(async () => {
    try {
      result = await handler(event);
    } catch (e) {
      error = e;
    }
  });
  return { result, error, lines };
}

describe('load-warehouse (the state machine’s function)', () => {
  it('plans from the lake listing and the watermarks in the state table', async () => {
    ddbMock.on(GetCommand).resolves({});
    ddbMock.on(GetCommand, { Key: { pk: 'WAREHOUSE#fact_rate' } }).resolves({ Item: { pk: 'WAREHOUSE#fact_rate', loadedThrough: '2024-01-05T00:00:00.000Z' } });
    s3Mock.on(ListObjectsV2Command).resolves({});
    s3Mock.on(ListObjectsV2Command, { Prefix: 'curated/rates/' }).resolves({
      Contents: [
        { Key: 'curated/rates/year=2024/month=01/day=04/a.parquet', LastModified: new Date('2024-01-04T16:00:00Z') },
        { Key: 'curated/rates/year=2024/month=01/day=05/b.parquet', LastModified: new Date('2024-01-05T16:00:00Z') },
      ],
    });
    const { result, lines } = await step({ action: 'plan', correlationId: 'load-execution-7' });
    const plan = result as { partitions: unknown[]; watermarks: unknown[]; more: boolean };
    expect(plan.partitions).toEqual([{ table: 'rates', partition: 'year=2024/month=01/day=05' }]);
    expect(plan.watermarks).toEqual([{ fact: 'fact_rate', loadedThrough: '2024-01-05T16:00:00.000Z' }]);
    expect(s3Mock.commandCalls(ListObjectsV2Command).map((c) => [c.args[0].input.Bucket, c.args[0].input.Prefix])).toEqual([
      ['lake', 'curated/rates/'],
      ['lake', 'curated/transactions/'],
      ['lake', 'curated/conversions/'],
    ]);
    // Logged under the execution's name, which every step's payload carries.
    expect(lines.find((l) => l.message === 'load planned')).toMatchObject({ correlation_id: 'load-execution-7', partitions: 1 });
  });

  it('renders one step as a single batch: staging table, COPY with the COPY role, MERGE, dimensions', async () => {
    const rendered = (await step({ action: 'render', table: 'transactions', partition: 'year=2024/month=01/day=05' })).result as { name: string; sqls: string[] };
    expect(rendered.name).toBe('fact_transaction year=2024/month=01/day=05');
    const copy = rendered.sqls.findIndex((s) => s.startsWith('COPY'));
    expect(rendered.sqls[copy]).toBe(
      `COPY "stage_fact_transaction_raw" FROM 's3://lake/curated/transactions/year=2024/month=01/day=05/' IAM_ROLE '${ROLE}' FORMAT AS PARQUET`,
    );
    expect(rendered.sqls[copy - 1]).toMatch(/^CREATE TEMP TABLE "stage_fact_transaction_raw"/);
    expect(rendered.sqls[copy + 2]).toMatch(/^MERGE INTO "fact_transaction"/);
  });

  it('commits the schema columns and the watermarks (never backwards)', async () => {
    ddbMock.on(UpdateCommand).resolves({});
    await step({ action: 'commit-schema', columns: { fact_rate: ['snapshot_id', 'date_key'] } });
    await step({ action: 'commit', watermarks: [{ fact: 'fact_rate', loadedThrough: '2024-01-05T16:00:00.000Z' }] });
    const [columns, watermark] = ddbMock.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(columns).toMatchObject({ Key: { pk: 'WAREHOUSE#fact_rate' }, ExpressionAttributeValues: { ':columns': ['snapshot_id', 'date_key'] } });
    expect(watermark).toMatchObject({
      Key: { pk: 'WAREHOUSE#fact_rate' },
      ConditionExpression: 'attribute_not_exists(loadedThrough) OR loadedThrough < :through',
      ExpressionAttributeValues: { ':through': '2024-01-05T16:00:00.000Z' },
    });
  });

  it('refuses an unknown action', async () => {
    const { error } = await step({ action: 'drop' } as unknown as LoadWarehouseEvent);
    expect(error).toEqual(new Error('load-warehouse: unknown action "drop"'));
  });
});
