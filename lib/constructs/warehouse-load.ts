import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { ENV } from '../../lambdas/shared/env-names';
import { LOAD_WAREHOUSE_FUNCTION } from '../definitions/analytics';
import { BUCKETS, TABLES } from '../definitions/resources';
import { FxFunction, retentionFor } from './fx-function';
import { acknowledgeWildcardResource } from './nag';
import { DeadLetterQueue } from './queue-with-dlq';

export interface WarehouseLoadProps {
  readonly stage: string;
  /** EventBridge Scheduler expression. */
  readonly schedule: string;
  readonly workgroupName: string;
  /** The workgroup's ARN, to which the Data API calls and their credentials are scoped. */
  readonly workgroupArn: string;
  readonly databaseName: string;
  readonly copyRole: iam.IRole;
  readonly dataLake: s3.IBucket;
  /** Prefixes the plan lists to find new partitions. */
  readonly curatedPrefixes: readonly string[];
  /** The state table: the load watermarks. */
  readonly stateTable: dynamodb.ITable;
  readonly alarmAction: actions.SnsAction;
  readonly logRetentionDays: number;
  /** Encrypts the function's and the state machine's log groups. */
  readonly logsKey: kms.IKey;
  /** @default false */
  readonly retainData?: boolean;
}

/** Redshift Data API errors worth another try: throttling, too many statements, transient faults. */
const TRANSIENT_DATA_API_ERRORS = [
  'RedshiftData.ThrottlingException',
  'RedshiftData.ActiveStatementsExceededException',
  'RedshiftData.ActiveSessionsExceededException',
  'RedshiftData.InternalServerException',
];
/** How often a running statement is looked at; Redshift Serverless may need a minute to wake up. */
const POLL_INTERVAL = Duration.seconds(10);

/**
 * The load step: a state machine on a schedule that asks load-warehouse for a plan (the new
 * partitions, from the watermarks in the state table), runs the schema statements, then per
 * partition one Redshift Data API batch (one transaction: staging table, COPY, MERGE on the
 * natural key, dimensions), polling DescribeStatement with waits and retrying transient errors,
 * and moves the watermarks only after every batch finished. Any failure fails the execution,
 * which alarms; the next run loads the same partitions again, harmlessly.
 */
export class WarehouseLoad extends Construct {
  readonly fn: FxFunction;
  readonly stateMachine: sfn.StateMachine;
  readonly failureAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: WarehouseLoadProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.fn = new FxFunction(this, LOAD_WAREHOUSE_FUNCTION.id, {
      definition: LOAD_WAREHOUSE_FUNCTION,
      name: LOAD_WAREHOUSE_FUNCTION.name,
      stage: props.stage,
      logRetentionDays: props.logRetentionDays,
      retainLogs: props.retainData,
      logsKey: props.logsKey,
    });
    this.fn.useTable(TABLES.state, props.stateTable, LOAD_WAREHOUSE_FUNCTION.tables.state);
    this.fn.fn.addEnvironment(BUCKETS.dataLake.envVar, props.dataLake.bucketName);
    this.fn.fn.addEnvironment(ENV.warehouseCopyRole, props.copyRole.roleArn);
    this.fn.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.dataLake.bucketArn],
        conditions: { StringLike: { 's3:prefix': props.curatedPrefixes.map((prefix) => `${prefix}/*`) } },
      }),
    );

    const invoke = (name: string, payload: Record<string, unknown>, resultPath: string) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: this.fn.fn,
        // Every step logs under the execution's name (README "Handlers": correlation ids).
        payload: sfn.TaskInput.fromObject({ ...payload, correlationId: sfn.JsonPath.stringAt('$$.Execution.Name') }),
        payloadResponseOnly: true,
        resultPath,
        retryOnServiceExceptions: true,
      });

    const plan = invoke('Plan', { action: 'plan' }, '$.plan');
    const commitSchema = invoke(
      'CommitSchema',
      { action: 'commit-schema', columns: sfn.JsonPath.objectAt('$.plan.schema.columns') },
      sfn.JsonPath.DISCARD,
    );
    const commit = invoke('CommitWatermarks', { action: 'commit', watermarks: sfn.JsonPath.listAt('$.plan.watermarks') }, sfn.JsonPath.DISCARD);

    const schema = this.executeAndWait('Schema', sfn.JsonPath.listAt('$.plan.schema.statements'), 'schema', props);
    const render = invoke(
      'RenderStep',
      { action: 'render', table: sfn.JsonPath.stringAt('$.table'), partition: sfn.JsonPath.stringAt('$.partition') },
      '$.step',
    );
    const load = this.executeAndWait('Load', sfn.JsonPath.listAt('$.step.sqls'), sfn.JsonPath.stringAt('$.step.name'), props);
    const partitions = new sfn.Map(this, 'LoadPartitions', {
      itemsPath: '$.plan.partitions',
      // One partition at a time: MERGEs into the same fact table would conflict.
      maxConcurrency: 1,
      resultPath: sfn.JsonPath.DISCARD,
    });
    partitions.itemProcessor(render.next(load.start));
    load.done.otherwise(new sfn.Succeed(this, 'PartitionLoaded'));

    const more = new sfn.Choice(this, 'MorePartitions')
      .when(sfn.Condition.booleanEquals('$.plan.more', true), plan)
      .otherwise(new sfn.Succeed(this, 'Loaded'));
    schema.done.otherwise(commitSchema.next(partitions).next(commit).next(more));

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(plan.next(schema.start)),
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: {
        destination: new logs.LogGroup(this, 'StateMachineLogs', {
          retention: retentionFor(props.logRetentionDays),
          encryptionKey: props.logsKey,
          removalPolicy,
        }),
        level: sfn.LogLevel.ALL,
      },
    });
    this.stateMachine.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['redshift-serverless:GetCredentials'], resources: [props.workgroupArn] }),
    );
    const policy = this.stateMachine.role.node.findChild('DefaultPolicy');
    acknowledgeWildcardResource(policy, '*', 'redshift-data:DescribeStatement has no resource-level permissions; it only reads statements this role ran.');
    acknowledgeWildcardResource(policy, `${this.fn.fn.functionArn}:*`, 'Step Functions may invoke the load function and its versions; the grant is generated by the L2 task.');

    this.schedule(props, removalPolicy);
    this.failureAlarm = new cloudwatch.Alarm(this, 'Failed', {
      alarmDescription: 'The warehouse load failed, timed out or was aborted; the next run retries the same partitions',
      metric: new cloudwatch.MathExpression({
        expression: 'failed + timedOut + aborted',
        usingMetrics: {
          failed: this.stateMachine.metricFailed({ statistic: 'Sum' }),
          timedOut: this.stateMachine.metricTimedOut({ statistic: 'Sum' }),
          aborted: this.stateMachine.metricAborted({ statistic: 'Sum' }),
        },
        period: Duration.minutes(5),
      }),
      threshold: 0,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.failureAlarm.addAlarmAction(props.alarmAction);
  }

  /**
   * BatchExecuteStatement (one transaction), then Wait → DescribeStatement until FINISHED;
   * FAILED or ABORTED fails the execution with Redshift's error as the cause. The caller
   * continues from `done.otherwise(…)` (FINISHED).
   */
  private executeAndWait(
    prefix: string,
    sqls: string[],
    statementName: string,
    props: WarehouseLoadProps,
  ): { start: sfn.IChainable; done: sfn.Choice } {
    const execute = new tasks.CallAwsService(this, `${prefix}Execute`, {
      service: 'redshiftdata',
      action: 'batchExecuteStatement',
      iamAction: 'redshift-data:BatchExecuteStatement',
      iamResources: [props.workgroupArn],
      parameters: { WorkgroupName: props.workgroupName, Database: props.databaseName, Sqls: sqls, StatementName: statementName },
      resultSelector: { 'Id.$': '$.Id' },
      resultPath: '$.statement',
    });
    execute.addRetry({ errors: TRANSIENT_DATA_API_ERRORS, interval: Duration.seconds(15), maxAttempts: 6, backoffRate: 2 });
    const wait = new sfn.Wait(this, `${prefix}Wait`, { time: sfn.WaitTime.duration(POLL_INTERVAL) });
    const describe = new tasks.CallAwsService(this, `${prefix}Describe`, {
      service: 'redshiftdata',
      action: 'describeStatement',
      iamAction: 'redshift-data:DescribeStatement',
      iamResources: ['*'],
      parameters: { 'Id.$': '$.statement.Id' },
      // The whole answer: `Error` is only there when the statement failed.
      resultPath: '$.statement',
    });
    describe.addRetry({ errors: TRANSIENT_DATA_API_ERRORS, interval: Duration.seconds(5), maxAttempts: 6, backoffRate: 2 });
    const failed = new sfn.Fail(this, `${prefix}Failed`, { error: 'WarehouseStatementFailed', causePath: '$.statement.Error' });
    const done = new sfn.Choice(this, `${prefix}Done`);
    done
      .when(sfn.Condition.or(sfn.Condition.stringEquals('$.statement.Status', 'FAILED'), sfn.Condition.stringEquals('$.statement.Status', 'ABORTED')), failed)
      .when(sfn.Condition.not(sfn.Condition.stringEquals('$.statement.Status', 'FINISHED')), wait);
    execute.next(wait).next(describe).next(done);
    return { start: execute, done };
  }

  /** The load runs on the stage's schedule, with the scheduler's retries and an alarmed DLQ. */
  private schedule(props: WarehouseLoadProps, removalPolicy: RemovalPolicy): void {
    // The scheduler's failure record holds the schedule's (empty) input: no personal data, SSE-SQS.
    const dlq = new DeadLetterQueue(this, 'ScheduleDlq', {
      description: 'The load schedule could not start the state machine',
      source: 'destination',
      removalPolicy,
    });
    dlq.alarm.addAlarmAction(props.alarmAction);
    new scheduler.Schedule(this, 'Schedule', {
      description: 'Load new lake partitions into the warehouse',
      schedule: scheduler.ScheduleExpression.expression(props.schedule),
      target: new targets.StepFunctionsStartExecution(this.stateMachine, {
        retryAttempts: 3,
        maxEventAge: Duration.minutes(30),
        deadLetterQueue: dlq.queue,
      }),
    });
  }
}
