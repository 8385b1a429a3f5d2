import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { CURATED_TABLES } from '../../lambdas/adapters/parquet/curated-tables';
import type { StageConfig } from '../config/stage-config';
import { AthenaWorkgroup } from '../constructs/athena-workgroup';
import { retentionFor } from '../constructs/fx-function';
import { LakeCatalog } from '../constructs/lake-catalog';
import { acknowledgeWildcardResource } from '../constructs/nag';
import { ServerlessWarehouse } from '../constructs/serverless-warehouse';
import { WarehouseLoad } from '../constructs/warehouse-load';
import { analyticsNames, ATHENA_RESULTS_PREFIX } from '../definitions/analytics';
import { BUCKETS } from '../definitions/resources';
import { STACK_OUTPUTS } from '../definitions/stack-outputs';
import { bucketName } from './stateful-stack';

export interface AnalyticsStackProps extends StackProps {
  readonly config: StageConfig;
  /** The key the data lake and the tables are encrypted with. */
  readonly dataKey: kms.IKey;
  /** Holds the warehouse load watermarks. */
  readonly stateTable: dynamodb.ITable;
  readonly alarmTopic: sns.ITopic;
  /** Encrypts every log group (the stateless stack's logs key, whose policy admits CloudWatch Logs). */
  readonly logsKey: kms.IKey;
}

/**
 * What analysts use: the Glue catalog of the curated lake, the Athena workgroup with its named
 * queries, an IAM policy to hand to analysts, and, where the stage switches it on, the Redshift
 * Serverless warehouse with its scheduled load step.
 */
export class AnalyticsStack extends Stack {
  readonly catalog: LakeCatalog;
  readonly athena: AthenaWorkgroup;
  readonly warehouse?: ServerlessWarehouse;
  readonly load?: WarehouseLoad;
  readonly analystPolicy: iam.ManagedPolicy;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const { config } = props;
    const names = analyticsNames(config.stage);
    const dataLake = s3.Bucket.fromBucketAttributes(this, 'DataLake', {
      bucketName: bucketName(BUCKETS.dataLake, config.stage),
      encryptionKey: props.dataKey,
    });
    const curatedPrefixes = Object.values(CURATED_TABLES).map((t) => t.prefix);

    this.catalog = new LakeCatalog(this, 'Catalog', { databaseName: names.glueDatabase, bucketName: dataLake.bucketName });
    this.athena = new AthenaWorkgroup(this, 'Athena', {
      workgroupName: names.athenaWorkgroup,
      databaseName: names.glueDatabase,
      bucketName: dataLake.bucketName,
      resultsPrefix: ATHENA_RESULTS_PREFIX,
      dataKey: props.dataKey,
      bytesScannedCutoffPerQuery: config.analytics.athena.bytesScannedCutoffPerQuery,
      retainData: config.retainData,
    });
    for (const query of Object.values(this.athena.namedQueries)) query.addResourceDependency(this.catalog.database);
    new CfnOutput(this, STACK_OUTPUTS.glueDatabase, { value: names.glueDatabase });
    new CfnOutput(this, STACK_OUTPUTS.athenaWorkgroup, { value: this.athena.workgroup.ref });

    if (config.analytics.warehouse.enabled) {
      this.warehouse = new ServerlessWarehouse(this, 'Warehouse', {
        namespaceName: names.warehouseNamespace,
        workgroupName: names.warehouseWorkgroup,
        databaseName: names.warehouseDatabase,
        baseCapacity: config.analytics.warehouse.baseCapacity,
        dataLake,
        copyPrefixes: curatedPrefixes,
        dataKey: props.dataKey,
        logRetention: retentionFor(config.logRetentionDays),
        logsKey: props.logsKey,
        retainData: config.retainData,
      });
      this.load = new WarehouseLoad(this, 'Load', {
        stage: config.stage,
        schedule: config.analytics.warehouse.loadSchedule,
        workgroupName: this.warehouse.workgroup.workgroupName,
        workgroupArn: this.warehouse.workgroupArn,
        databaseName: names.warehouseDatabase,
        copyRole: this.warehouse.copyRole,
        dataLake,
        curatedPrefixes,
        stateTable: props.stateTable,
        alarmAction: new actions.SnsAction(props.alarmTopic),
        logRetentionDays: config.logRetentionDays,
        logsKey: props.logsKey,
        retainData: config.retainData,
      });
      new CfnOutput(this, STACK_OUTPUTS.warehouseWorkgroup, { value: names.warehouseWorkgroup });
      new CfnOutput(this, STACK_OUTPUTS.warehouseDatabase, { value: names.warehouseDatabase });
      new CfnOutput(this, STACK_OUTPUTS.warehouseLoadStateMachine, { value: this.load.stateMachine.stateMachineArn });
    }

    this.analystPolicy = this.buildAnalystPolicy(dataLake, curatedPrefixes, props.dataKey, names);
    new CfnOutput(this, STACK_OUTPUTS.analystPolicy, { value: this.analystPolicy.managedPolicyArn });
  }

  /** Read the catalog and the curated lake, run queries in the workgroup (and the warehouse), nothing else. */
  private buildAnalystPolicy(
    dataLake: s3.IBucket,
    curatedPrefixes: readonly string[],
    dataKey: kms.IKey,
    names: ReturnType<typeof analyticsNames>,
  ): iam.ManagedPolicy {
    const glueArn = (resource: string) => `arn:${Aws.PARTITION}:glue:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
    const workgroupArn = `arn:${Aws.PARTITION}:athena:${Aws.REGION}:${Aws.ACCOUNT_ID}:workgroup/${names.athenaWorkgroup}`;
    const objects = [...curatedPrefixes, ATHENA_RESULTS_PREFIX].map((prefix) => dataLake.arnForObjects(`${prefix}/*`));
    const tables = glueArn(`table/${names.glueDatabase}/*`);
    const statements = [
      new iam.PolicyStatement({
        actions: [
          'athena:StartQueryExecution',
          'athena:StopQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:GetWorkGroup',
          'athena:ListNamedQueries',
          'athena:GetNamedQuery',
          'athena:BatchGetNamedQuery',
        ],
        resources: [workgroupArn],
      }),
      new iam.PolicyStatement({
        actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions'],
        resources: [glueArn('catalog'), glueArn(`database/${names.glueDatabase}`), tables],
      }),
      new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects }),
      new iam.PolicyStatement({ actions: ['s3:PutObject', 's3:AbortMultipartUpload'], resources: [dataLake.arnForObjects(`${ATHENA_RESULTS_PREFIX}/*`)] }),
      new iam.PolicyStatement({
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: [dataLake.bucketArn],
      }),
      new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [dataKey.keyArn] }),
    ];
    if (this.warehouse) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['redshift-data:ExecuteStatement', 'redshift-serverless:GetCredentials'],
          resources: [this.warehouse.workgroupArn],
        }),
        new iam.PolicyStatement({
          actions: ['redshift-data:DescribeStatement', 'redshift-data:GetStatementResult', 'redshift-data:CancelStatement'],
          resources: ['*'],
          // Only the statements this identity ran.
          conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
        }),
      );
    }
    const policy = new iam.ManagedPolicy(this, 'AnalystPolicy', {
      description: `FX Platform ${names.glueDatabase}: Athena workgroup ${names.athenaWorkgroup}, the Glue catalog, the curated lake${this.warehouse ? ', the warehouse' : ''}`,
      statements,
    });
    for (const resource of [...objects, tables, ...(this.warehouse ? ['*'] : [])]) {
      acknowledgeWildcardResource(policy, resource, 'Analysts read every partition of the curated tables and their own query results; statement APIs are limited to the caller’s statements.');
    }
    return policy;
  }
}
