import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Match } from 'aws-cdk-lib/assertions';
import { CURATED_CONVERSION_COLUMNS } from '../../lambdas/adapters/parquet/curated-conversions';
import { CURATED_RATE_COLUMNS } from '../../lambdas/adapters/parquet/curated-rate-rows';
import { CURATED_TRANSACTION_COLUMNS } from '../../lambdas/adapters/parquet/curated-transactions';
import type { StageName } from '../../lib/config/stage-config';
import { FUNCTIONS } from '../../lib/definitions/functions';
import {
  asArray,
  logicalIdOf,
  renderIntrinsic,
  resourceOf,
  resourcesOfType,
  synthFxApp,
  type CfnResourceJson,
  type SynthesizedFxApp,
} from './helpers';

const built = {} as Record<StageName, SynthesizedFxApp>;
beforeAll(() => {
  for (const stage of ['dev', 'prod'] as const) built[stage] = synthFxApp(stage);
});
afterAll(() => {
  for (const stage of ['dev', 'prod'] as const) built[stage]?.dispose();
});

const QUERIES_DIR = path.join(__dirname, '..', '..', 'lib', 'analytics', 'queries');
const lake = (stage: string) => `fx-platform-lake-${stage}-\${AWS::AccountId}-\${AWS::Region}`;
const dataKeyImport = (s: SynthesizedFxApp) => `\${Import:Fx-${s.config.stage}-Stateful:ExportsOutputFnGetAtt${logicalIdOf(s.stateful.key)}Arn`;

interface GlueColumn {
  readonly Name: string;
  readonly Type: string;
}
interface TableInput {
  readonly Name: string;
  readonly TableType: string;
  readonly Parameters?: Record<string, string>;
  readonly PartitionKeys?: GlueColumn[];
  readonly ViewOriginalText?: string;
  readonly StorageDescriptor: { Location?: string; Columns: GlueColumn[]; SerdeInfo?: { SerializationLibrary?: string } };
}

function glueTable(s: SynthesizedFxApp, name: string): TableInput {
  const found = Object.values(resourcesOfType(s.analyticsTemplate, 'AWS::Glue::Table')).map(
    (r) => r.Properties?.TableInput as TableInput,
  ).find((t) => t.Name === name);
  if (!found) throw new Error(`no Glue table ${name}`);
  return found;
}

interface State {
  readonly Type: string;
  readonly Resource?: string;
  readonly Retry?: { ErrorEquals: string[]; MaxAttempts: number }[];
  readonly Next?: string;
  readonly MaxConcurrency?: number;
  readonly Choices?: unknown[];
  readonly Default?: string;
  readonly ItemProcessor?: { States: Record<string, State> };
  readonly Parameters?: Record<string, unknown>;
}

/** The state machine's states, inner (Map) states included, with the ARNs rendered. */
function statesOf(resource: CfnResourceJson): Record<string, State> {
  const definition = JSON.parse(renderIntrinsic(resource.Properties?.DefinitionString)) as { States: Record<string, State> };
  const all: Record<string, State> = {};
  const collect = (states: Record<string, State>) => {
    for (const [name, state] of Object.entries(states)) {
      all[name] = state;
      if (state.ItemProcessor) collect(state.ItemProcessor.States);
    }
  };
  collect(definition.States);
  return all;
}

interface Statement {
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of every policy attached to a role (by logical id) in a template. */
function statementsOf(template: SynthesizedFxApp['analyticsTemplate'], roleLogicalId: string): Statement[] {
  return Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
    .filter((p) => asArray(p.Properties?.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId })))
    .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
}

describe.each(['dev', 'prod'] as const)('analytics stack (%s)', (stage) => {
  const s = () => built[stage];

  describe('Glue catalog', () => {
    it(`has the database fx_${stage}`, () => {
      s().analyticsTemplate.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: `fx_${stage}` } });
    });

    it.each([
      ['rates', CURATED_RATE_COLUMNS, 'curated/rates'],
      ['transactions', CURATED_TRANSACTION_COLUMNS, 'curated/transactions'],
      ['conversions', CURATED_CONVERSION_COLUMNS, 'curated/conversions'],
    ] as const)('%s: the writer’s columns, DECIMAL as decimal(38,18), Parquet under the table’s prefix', (name, columns, prefix) => {
      const table = glueTable(s(), name);
      expect(table.TableType).toBe('EXTERNAL_TABLE');
      expect(table.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(columns.map((c) => c.name));
      for (const column of table.StorageDescriptor.Columns) {
        const spec = columns.find((c) => c.name === column.Name)!;
        expect([column.Name, column.Type]).toEqual([
          column.Name,
          { string: 'string', timestamp: 'timestamp', decimal: 'decimal(38,18)' }[spec.kind],
        ]);
      }
      expect(table.StorageDescriptor.SerdeInfo?.SerializationLibrary).toBe('org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe');
      expect(renderIntrinsic(table.StorageDescriptor.Location)).toBe(`s3://${lake(stage)}/${prefix}/`);
    });

    it.each(['rates', 'transactions', 'conversions'])('%s: year/month/day partitions found by projection, no crawler', (name) => {
      const table = glueTable(s(), name);
      expect(table.PartitionKeys).toEqual([
        { Name: 'year', Type: 'string' },
        { Name: 'month', Type: 'string' },
        { Name: 'day', Type: 'string' },
      ]);
      const p = table.Parameters!;
      expect(p['projection.enabled']).toBe('true');
      expect([p['projection.year.type'], p['projection.year.format'], p['projection.year.range']]).toEqual(['date', 'yyyy', '1999,NOW']);
      expect([p['projection.month.type'], p['projection.month.range'], p['projection.month.digits']]).toEqual(['integer', '1,12', '2']);
      expect([p['projection.day.type'], p['projection.day.range'], p['projection.day.digits']]).toEqual(['integer', '1,31', '2']);
      // The writers' keys: <prefix>/year=2024/month=01/day=05/<object>.parquet
      expect(renderIntrinsic(p['storage.location.template'])).toBe(
        `s3://${lake(stage)}/curated/${name}/year=\${year}/month=\${month}/day=\${day}/`,
      );
      expect(resourcesOfType(s().analyticsTemplate, 'AWS::Glue::Crawler')).toEqual({});
    });

    it.each([
      ['transactions_latest', 'transactions', 'transaction_id', 'processed_at_utc'],
      ['conversions_latest', 'conversions', 'conversion_id', 'created_at'],
    ])('the view %s keeps one row per natural key of %s', (viewName, tableName, key, order) => {
      const view = glueTable(s(), viewName);
      expect(view.TableType).toBe('VIRTUAL_VIEW');
      expect(view.Parameters?.presto_view).toBe('true');
      const encoded = /^\/\* Presto View: (.+) \*\/$/.exec(view.ViewOriginalText!)![1];
      const presto = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as {
        originalSql: string;
        catalog: string;
        schema: string;
        columns: { name: string; type: string }[];
      };
      expect([presto.catalog, presto.schema]).toEqual(['awsdatacatalog', `fx_${stage}`]);
      expect(presto.originalSql).toContain(`row_number() OVER (PARTITION BY "${key}" ORDER BY "${order}" DESC)`);
      expect(presto.originalSql).toContain(`FROM "fx_${stage}"."${tableName}"`);
      expect(presto.originalSql).toMatch(/WHERE "row_rank" = 1$/);
      const table = glueTable(s(), tableName);
      expect(presto.columns.map((c) => c.name)).toEqual([
        ...table.StorageDescriptor.Columns.map((c) => c.Name),
        'year',
        'month',
        'day',
      ]);
      expect(presto.columns.find((c) => c.name === 'amount')?.type).toBe('decimal(38,18)');
      expect(view.StorageDescriptor.Columns.map((c) => c.Name)).toEqual(presto.columns.map((c) => c.name));
    });
  });

  describe('Athena workgroup', () => {
    it('runs engine v3 with its settings enforced, results encrypted with the stack key under athena-results/', () => {
      const [workgroup] = Object.values(resourcesOfType(s().analyticsTemplate, 'AWS::Athena::WorkGroup'));
      expect(workgroup.Properties?.Name).toBe(`fx-${stage}`);
      const config = workgroup.Properties?.WorkGroupConfiguration as Record<string, unknown> & {
        ResultConfiguration: { OutputLocation: unknown; EncryptionConfiguration: { EncryptionOption: string; KmsKey: unknown } };
      };
      expect(config.EnforceWorkGroupConfiguration).toBe(true);
      expect(config.EngineVersion).toEqual({ SelectedEngineVersion: 'Athena engine version 3' });
      expect(renderIntrinsic(config.ResultConfiguration.OutputLocation)).toBe(`s3://${lake(stage)}/athena-results/`);
      expect(config.ResultConfiguration.EncryptionConfiguration.EncryptionOption).toBe('SSE_KMS');
      expect(renderIntrinsic(config.ResultConfiguration.EncryptionConfiguration.KmsKey)).toMatch(
        new RegExp(`^${dataKeyImport(s()).replace(/[$^{}]/g, '\\$&')}`),
      );
    });

    it('cancels a query that would scan more than the stage allows', () => {
      s().analyticsTemplate.hasResourceProperties('AWS::Athena::WorkGroup', {
        WorkGroupConfiguration: Match.objectLike({
          BytesScannedCutoffPerQuery: s().config.analytics.athena.bytesScannedCutoffPerQuery,
        }),
      });
      expect(s().config.analytics.athena.bytesScannedCutoffPerQuery).toBeGreaterThanOrEqual(10 * 1024 * 1024);
    });

    it('ships every .sql file of lib/analytics/queries as a named query in the workgroup, verbatim', () => {
      const files = readdirSync(QUERIES_DIR).filter((f) => f.endsWith('.sql'));
      const queries = Object.values(resourcesOfType(s().analyticsTemplate, 'AWS::Athena::NamedQuery'));
      expect(queries.map((q) => q.Properties?.Name).sort()).toEqual(files.map((f) => f.replace(/\.sql$/, '')).sort());
      const [workgroupId] = Object.keys(resourcesOfType(s().analyticsTemplate, 'AWS::Athena::WorkGroup'));
      for (const file of files) {
        const query = queries.find((q) => q.Properties?.Name === file.replace(/\.sql$/, ''))!;
        expect(query.Properties?.QueryString).toBe(readFileSync(path.join(QUERIES_DIR, file), 'utf8'));
        expect(query.Properties?.Database).toBe(`fx_${stage}`);
        expect(query.Properties?.WorkGroup).toEqual({ Ref: workgroupId });
      }
    });
  });

  describe('conversions reach the lake', () => {
    it('the API table streams new images to export-conversions, filtered to new conversions, with an alarmed DLQ', () => {
      s().statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
        StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      });
      const fnId = logicalIdOf(s().stateless.functions['export-conversions'].fn);
      const [mapping] = Object.values(resourcesOfType(s().statelessTemplate, 'AWS::Lambda::EventSourceMapping')).filter(
        (m) => (m.Properties?.FunctionName as { Ref?: string }).Ref === fnId,
      );
      expect(mapping.Properties).toMatchObject({
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: FUNCTIONS['export-conversions'].streamTrigger.retryAttempts,
        StartingPosition: 'TRIM_HORIZON',
      });
      const filter = JSON.parse(((mapping.Properties?.FilterCriteria as { Filters: { Pattern: string }[] }).Filters[0]).Pattern);
      expect(filter).toEqual({
        eventName: ['INSERT'],
        dynamodb: { Keys: { pk: { S: [{ prefix: 'PARTNER#' }] }, sk: { S: [{ prefix: 'CONVERSION#' }] } } },
      });
      const dlqId = (mapping.Properties?.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': string[] } } }).OnFailure
        .Destination['Fn::GetAtt'][0];
      s().statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
        AlarmActions: Match.arrayWith([{ Ref: logicalIdOf(s().stateless.alarmTopic) }]),
      });
      expect(resourceOf(s().statelessTemplate, dlqId).DeletionPolicy).toBe(s().config.retainData ? 'Retain' : 'Delete');
    });

    it('lets export-conversions read the API table only through its stream: no item action, no wildcard resource', () => {
      const fn = s().stateless.functions['export-conversions'].fn;
      const dynamodbGrants = statementsOf(s().statelessTemplate, logicalIdOf(fn.role!))
        .filter((st) => asArray(st.Action).some((a) => a.startsWith('dynamodb:')))
        .map((st) => ({ actions: asArray(st.Action).sort(), resources: asArray(st.Resource).map(renderIntrinsic) }));
      const apiTable = logicalIdOf(s().stateful.tables.api);
      expect(dynamodbGrants).toEqual([
        {
          actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
          resources: [expect.stringMatching(new RegExp(`^\\$\\{Import:Fx-${stage}-Stateful:ExportsOutputFnGetAtt${apiTable}StreamArn`))],
        },
      ]);
    });
  });
});

describe('warehouse switched off (dev default)', () => {
  it('has no Redshift, VPC, load function or state machine', () => {
    const t = built.dev.analyticsTemplate;
    expect(built.dev.config.analytics.warehouse.enabled).toBe(false);
    for (const type of ['AWS::RedshiftServerless::Namespace', 'AWS::RedshiftServerless::Workgroup', 'AWS::EC2::VPC', 'AWS::StepFunctions::StateMachine', 'AWS::Lambda::Function']) {
      expect([type, Object.keys(resourcesOfType(t, type))]).toEqual([type, []]);
    }
  });
});

describe('warehouse switched on (prod)', () => {
  const t = () => built.prod.analyticsTemplate;
  const config = () => built.prod.config.analytics.warehouse;
  const only = (type: string) => {
    const found = Object.entries(resourcesOfType(t(), type));
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('keeps the admin password in Secrets Manager and encrypts with the stack key', () => {
    const [, namespace] = only('AWS::RedshiftServerless::Namespace');
    expect(namespace.Properties).toMatchObject({ ManageAdminPassword: true, DbName: 'fx', NamespaceName: 'fx-prod' });
    expect(namespace.Properties?.AdminUserPassword).toBeUndefined();
    expect(renderIntrinsic(namespace.Properties?.KmsKeyId)).toContain('DataKey');
    expect(renderIntrinsic(namespace.Properties?.AdminPasswordSecretKmsKeyId)).toContain('DataKey');
    expect(namespace.DeletionPolicy).toBe('Retain');
  });

  it('runs a workgroup that is not publicly accessible, in isolated subnets with no NAT or internet gateway', () => {
    const [, workgroup] = only('AWS::RedshiftServerless::Workgroup');
    expect(workgroup.Properties).toMatchObject({
      PubliclyAccessible: false,
      EnhancedVpcRouting: true,
      BaseCapacity: config().baseCapacity,
    });
    const subnetIds = (workgroup.Properties?.SubnetIds as { Ref: string }[]).map((r) => r.Ref);
    expect(subnetIds).toHaveLength(3);
    const subnets = resourcesOfType(t(), 'AWS::EC2::Subnet');
    expect(Object.keys(subnets).sort()).toEqual([...subnetIds].sort());
    const azs = subnetIds.map((id) => JSON.stringify(subnets[id].Properties?.AvailabilityZone));
    expect(new Set(azs).size).toBe(3);
    for (const id of subnetIds) expect(subnets[id].Properties?.MapPublicIpOnLaunch).toBe(false);
    for (const type of ['AWS::EC2::NatGateway', 'AWS::EC2::InternetGateway', 'AWS::EC2::EIP']) {
      expect([type, Object.keys(resourcesOfType(t(), type))]).toEqual([type, []]);
    }
    // No route leaves the VPC except the S3 gateway endpoint's.
    expect(Object.values(resourcesOfType(t(), 'AWS::EC2::Route'))).toEqual([]);
    t().hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    const [, sg] = only('AWS::EC2::SecurityGroup');
    expect(sg.Properties?.SecurityGroupIngress).toBeUndefined();
    expect(Object.keys(resourcesOfType(t(), 'AWS::EC2::SecurityGroupIngress'))).toEqual([]);
    t().hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'ALL' });
  });

  it('lets COPY read only the curated prefixes and decrypt only with the data key', () => {
    const roleId = logicalIdOf(built.prod.analytics.warehouse!.copyRole);
    const role = resourceOf(t(), roleId);
    const principals = (role.Properties?.AssumeRolePolicyDocument as { Statement: { Principal: { Service: string | string[] } }[] }).Statement.flatMap(
      (st) => asArray(st.Principal.Service),
    );
    expect(principals.sort()).toEqual(['redshift-serverless.amazonaws.com', 'redshift.amazonaws.com']);
    const [, policy] = Object.entries(resourcesOfType(t(), 'AWS::IAM::Policy')).find(([, p]) =>
      asArray(p.Properties?.Roles as unknown[]).some((r) => (r as { Ref: string }).Ref === roleId),
    )!;
    const statements = (policy.Properties?.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] }).Statement;
    const grants = statements.flatMap((st) =>
      asArray(st.Action).map((action) => ({ action, resources: asArray(st.Resource).map(renderIntrinsic), condition: st.Condition })),
    );
    expect(grants.map((g) => g.action).sort()).toEqual(['kms:Decrypt', 'kms:DescribeKey', 's3:GetBucketLocation', 's3:GetObject', 's3:ListBucket']);
    const bucketArn = `arn:\${AWS::Partition}:s3:::${lake('prod')}`;
    expect(grants.find((g) => g.action === 's3:GetObject')!.resources).toEqual([
      `${bucketArn}/curated/rates/*`,
      `${bucketArn}/curated/transactions/*`,
      `${bucketArn}/curated/conversions/*`,
    ]);
    expect(grants.find((g) => g.action === 's3:ListBucket')!.condition).toEqual({
      StringLike: { 's3:prefix': ['curated/rates/*', 'curated/transactions/*', 'curated/conversions/*'] },
    });
    for (const g of grants.filter((g) => g.action.startsWith('kms:'))) expect(g.resources.join()).toContain('DataKey');
    expect(grants.flatMap((g) => g.resources)).not.toContain('*');
    const [, namespace] = only('AWS::RedshiftServerless::Namespace');
    expect(namespace.Properties?.IamRoles).toEqual([{ 'Fn::GetAtt': [roleId, 'Arn'] }]);
  });

  it('encrypts every log group with the platform’s logs key and keeps logs and queues like the data', () => {
    const logsKey = `\${Import:Fx-prod-Stateless:ExportsOutputFnGetAtt${logicalIdOf(built.prod.stateless.logsKey)}Arn`;
    const groups = Object.entries(resourcesOfType(t(), 'AWS::Logs::LogGroup'));
    // The load function's, the state machine's and the VPC flow logs'.
    expect(groups).toHaveLength(3);
    for (const [id, group] of groups) {
      expect([id, renderIntrinsic(group.Properties?.KmsKeyId).startsWith(logsKey), group.DeletionPolicy]).toEqual([id, true, 'Retain']);
    }
    const queues = Object.entries(resourcesOfType(t(), 'AWS::SQS::Queue'));
    expect(queues).toHaveLength(1);
    for (const [id, queue] of queues) expect([id, queue.DeletionPolicy, queue.UpdateReplacePolicy]).toEqual([id, 'Retain', 'Retain']);
  });

  it('gives load-warehouse its own role: its own log group, its watermark items, a listing of the curated prefixes', () => {
    const fx = built.prod.analytics.load!.fn;
    const roleId = logicalIdOf(fx.fn.role!);
    expect(resourceOf(t(), roleId).Properties?.ManagedPolicyArns).toBeUndefined();
    const grants = statementsOf(t(), roleId).map((st) => ({
      actions: asArray(st.Action).sort(),
      resources: asArray(st.Resource).map(renderIntrinsic),
      condition: st.Condition,
    }));
    const logGroup = (resourceOf(t(), logicalIdOf(fx.fn)).Properties?.LoggingConfig as { LogGroup: { Ref: string } }).LogGroup.Ref;
    expect(grants.filter((g) => g.actions.some((a) => a.startsWith('logs:')))).toEqual([
      { actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`\${${logGroup}.Arn}`], condition: undefined },
    ]);
    const table = grants.filter((g) => g.actions.some((a) => a.startsWith('dynamodb:')));
    expect(table).toHaveLength(1);
    expect(table[0].resources).toEqual([expect.stringContaining(logicalIdOf(built.prod.stateful.tables.state))]);
    expect(table[0].condition).toEqual({
      'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['WAREHOUSE#fact_rate', 'WAREHOUSE#fact_transaction', 'WAREHOUSE#fact_conversion'] },
    });
    expect(grants.filter((g) => g.actions.some((a) => a.startsWith('s3:')))).toEqual([
      {
        actions: ['s3:ListBucket'],
        resources: [`arn:\${AWS::Partition}:s3:::${lake('prod')}`],
        condition: { StringLike: { 's3:prefix': ['curated/rates/*', 'curated/transactions/*', 'curated/conversions/*'] } },
      },
    ]);
    const unscoped = grants.filter((g) => g.resources.includes('*')).flatMap((g) => g.actions);
    expect(unscoped.sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
  });

  describe('load state machine', () => {
    const states = () => statesOf(only('AWS::StepFunctions::StateMachine')[1]);

    it('runs one Data API batch per step against the workgroup and retries transient errors', () => {
      const executes = Object.entries(states()).filter(([, st]) => st.Resource?.endsWith(':aws-sdk:redshiftdata:batchExecuteStatement'));
      expect(executes.map(([name]) => name).sort()).toEqual(['LoadExecute', 'SchemaExecute']);
      for (const [, st] of executes) {
        expect(st.Parameters).toMatchObject({ WorkgroupName: 'fx-prod', Database: 'fx' });
        expect(st.Retry?.[0].ErrorEquals).toEqual(expect.arrayContaining(['RedshiftData.ThrottlingException', 'RedshiftData.ActiveStatementsExceededException']));
        expect(st.Retry?.[0].MaxAttempts).toBeGreaterThanOrEqual(3);
      }
    });

    it('polls DescribeStatement after a wait until the statement finished, and fails on FAILED or ABORTED', () => {
      const all = states();
      for (const prefix of ['Schema', 'Load']) {
        expect(all[`${prefix}Execute`].Next).toBe(`${prefix}Wait`);
        expect(all[`${prefix}Wait`]).toMatchObject({ Type: 'Wait', Next: `${prefix}Describe` });
        const describe = all[`${prefix}Describe`];
        expect(describe.Resource).toMatch(/:aws-sdk:redshiftdata:describeStatement$/);
        expect(describe.Retry?.[0].ErrorEquals).toContain('RedshiftData.ThrottlingException');
        expect(describe.Next).toBe(`${prefix}Done`);
        const choices = JSON.stringify(all[`${prefix}Done`].Choices);
        expect(choices).toContain('"StringEquals":"FAILED"');
        expect(choices).toContain('"StringEquals":"ABORTED"');
        expect(choices).toContain(`"Next":"${prefix}Failed"`);
        expect(choices).toContain(`"Next":"${prefix}Wait"`);
        expect(all[`${prefix}Failed`].Type).toBe('Fail');
      }
    });

    it('loads partitions one at a time and moves the watermarks only after all of them', () => {
      const all = states();
      expect(all.LoadPartitions).toMatchObject({ Type: 'Map', MaxConcurrency: 1, Next: 'CommitWatermarks' });
      expect(all.CommitWatermarks.Parameters).toMatchObject({ action: 'commit' });
      expect(all.Plan.Retry?.[0].ErrorEquals).toContain('Lambda.ServiceException');
    });

    it('logs every event, traces, and alarms the alarm topic on a failed, timed-out or aborted run', () => {
      const [smId, sm] = only('AWS::StepFunctions::StateMachine');
      expect(sm.Properties).toMatchObject({ TracingConfiguration: { Enabled: true }, LoggingConfiguration: { Level: 'ALL' } });
      const alarm = Object.values(resourcesOfType(t(), 'AWS::CloudWatch::Alarm')).find((a) =>
        JSON.stringify(a.Properties?.Metrics ?? []).includes(smId),
      )!;
      expect(JSON.stringify(alarm.Properties?.Metrics)).toMatch(/ExecutionsFailed.*ExecutionsTimedOut.*ExecutionsAborted/);
      expect(alarm.Properties).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(renderIntrinsic(asArray(alarm.Properties?.AlarmActions as unknown[])[0])).toContain('AlarmTopic');
    });

    it('starts on the stage’s load schedule, with retries and an alarmed DLQ', () => {
      const [smId] = only('AWS::StepFunctions::StateMachine');
      const [, schedule] = only('AWS::Scheduler::Schedule');
      expect(schedule.Properties?.ScheduleExpression).toBe(config().loadSchedule);
      const target = schedule.Properties?.Target as { Arn: unknown; RetryPolicy: { MaximumRetryAttempts: number }; DeadLetterConfig: { Arn: { 'Fn::GetAtt': string[] } } };
      expect(target.Arn).toEqual({ Ref: smId });
      expect(target.RetryPolicy.MaximumRetryAttempts).toBe(3);
      t().hasResourceProperties('AWS::CloudWatch::Alarm', {
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [target.DeadLetterConfig.Arn['Fn::GetAtt'][0], 'QueueName'] } }],
      });
    });

    it('hands every step of load-warehouse the execution’s name as its correlation id', () => {
      // Invoked with the payload as the task's parameters (payloadResponseOnly).
      const fnId = logicalIdOf(built.prod.analytics.load!.fn.fn);
      const invokes = Object.entries(states()).filter(([, st]) => st.Resource?.includes(fnId));
      expect(invokes.map(([name]) => name).sort()).toEqual(['CommitSchema', 'CommitWatermarks', 'Plan', 'RenderStep']);
      for (const [name, st] of invokes) expect([name, st.Parameters?.['correlationId.$']]).toEqual([name, '$$.Execution.Name']);
    });

    it('may call the Data API only on this workgroup, and get credentials only for it', () => {
      const roleId = logicalIdOf(built.prod.analytics.load!.stateMachine.role);
      const [, policy] = Object.entries(resourcesOfType(t(), 'AWS::IAM::Policy')).find(([, p]) =>
        asArray(p.Properties?.Roles as unknown[]).some((r) => (r as { Ref: string }).Ref === roleId),
      )!;
      const statements = (policy.Properties?.PolicyDocument as { Statement: { Action: string | string[]; Resource: unknown }[] }).Statement;
      const workgroupArn = renderIntrinsic({ 'Fn::GetAtt': [logicalIdOf(built.prod.analytics.warehouse!.workgroup), 'Workgroup.WorkgroupArn'] });
      const on = (action: string) => statements.filter((st) => asArray(st.Action).includes(action)).flatMap((st) => asArray(st.Resource).map(renderIntrinsic));
      expect(on('redshift-data:BatchExecuteStatement')).toEqual([workgroupArn]);
      expect(on('redshift-serverless:GetCredentials')).toEqual([workgroupArn]);
    });
  });
});
