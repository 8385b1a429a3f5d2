import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import { FxFunction } from '../constructs/fx-function';
import { acknowledgeWildcardResource } from '../constructs/nag';
import { DeadLetterQueue, QueueWithDlq } from '../constructs/queue-with-dlq';
import {
  FUNCTIONS,
  visibilityTimeoutSeconds,
  type Access,
  type FunctionDefinition,
  type FunctionName,
} from '../definitions/functions';
import {
  BUCKETS,
  QUEUES,
  TABLES,
  type BucketKey,
  type QueueDefinition,
  type QueueKey,
  type TableKey,
} from '../definitions/resources';
import { bucketName } from './stateful-stack';
import { STACK_OUTPUTS } from '../definitions/stack-outputs';
import { rateProvidersEnv } from '../definitions/rate-sources';
import { ENV } from '../../lambdas/shared/env-names';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly tables: Record<TableKey, dynamodb.ITable>;
  /** The key the data lake is encrypted with. */
  readonly dataKey: kms.IKey;
}

/** Compute and messaging: queues, functions, schedules, alarms. Safe to redeploy any time. */
export class StatelessStack extends Stack {
  readonly queues: Record<QueueKey, QueueWithDlq>;
  readonly functions: Record<FunctionName, FxFunction>;
  readonly alarmTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      masterKey: kms.Alias.fromAliasName(this, 'SnsKey', 'alias/aws/sns'),
      enforceSSL: true,
    });
    if (config.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    }
    const alarmAction = new actions.SnsAction(this.alarmTopic);

    this.queues = Object.fromEntries(
      (Object.entries(QUEUES) as [QueueKey, QueueDefinition][]).map(([key, def]) => {
        const q = new QueueWithDlq(this, def.id, {
          maxReceiveCount: def.maxReceiveCount,
          visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(key)),
          retentionPeriod: Duration.days(def.retentionDays),
        });
        q.dlq.alarm.addAlarmAction(alarmAction);
        return [key, q];
      }),
    ) as Record<QueueKey, QueueWithDlq>;

    this.functions = Object.fromEntries(
      (Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]).map(([name, def]) => [
        name,
        this.buildFunction(name, def, props),
      ]),
    ) as Record<FunctionName, FxFunction>;

    this.scheduleRateSources(config, this.functions['fetch-rates'], alarmAction);
    new CfnOutput(this, STACK_OUTPUTS.ratesQueueUrl, { value: this.queues.rates.queue.queueUrl });

    for (const [name, fn] of Object.entries(this.functions)) {
      new cloudwatch.Alarm(this, `${FUNCTIONS[name as FunctionName].id}Errors`, {
        alarmDescription: `${name} failed`,
        metric: fn.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }).addAlarmAction(alarmAction);
    }
  }

  private buildFunction(name: string, def: FunctionDefinition, props: StatelessStackProps): FxFunction {
    const fn = new FxFunction(this, def.id, {
      definition: def,
      name,
      stage: props.config.stage,
      logRetentionDays: props.config.logRetentionDays,
      retainLogs: props.config.retainData,
    });
    for (const [key, access] of Object.entries(def.tables ?? {}) as [TableKey, NonNullable<FunctionDefinition['tables']>[TableKey]][]) {
      fn.useTable(TABLES[key].envVar, props.tables[key], access!);
    }
    for (const [key, grant] of Object.entries(def.buckets ?? {}) as [BucketKey, { access: Access; prefixes: readonly string[] }][]) {
      fn.useBucket(BUCKETS[key].envVar, this.bucket(key, props), grant.access, grant.prefixes);
    }
    for (const key of def.sendsTo ?? []) {
      fn.sendTo(QUEUES[key].envVar, this.queues[key].queue);
    }
    if (def.sqsTrigger) {
      fn.fn.addEventSource(
        new SqsEventSource(this.queues[def.sqsTrigger.queue].queue, {
          batchSize: def.sqsTrigger.batchSize,
          maxBatchingWindow: Duration.seconds(def.sqsTrigger.maxBatchingWindowSeconds),
          reportBatchItemFailures: true,
        }),
      );
    }
    return fn;
  }

  private bucket(key: BucketKey, props: StatelessStackProps): s3.IBucket {
    const id = `${BUCKETS[key].id}Ref`;
    return (this.node.tryFindChild(id) as s3.IBucket | undefined) ??
      s3.Bucket.fromBucketAttributes(this, id, {
        bucketName: bucketName(BUCKETS[key], props.config.stage),
        encryptionKey: props.dataKey,
      });
  }

  private scheduleRateSources(config: StageConfig, fetchRates: FxFunction, alarmAction: actions.SnsAction): void {
    const schedulerDlq = new DeadLetterQueue(this, 'SchedulerDlq', {
      description: 'A schedule could not invoke fetch-rates after every retry',
    });
    schedulerDlq.alarm.addAlarmAction(alarmAction);

    const schedulerRole = new iam.Role(this, 'FetchRatesSchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler invokes fetch-rates',
    });
    fetchRates.fn.addEnvironment(ENV.rateProviders, JSON.stringify(rateProvidersEnv(config.rates.sources)));
    for (const source of config.rates.sources) {
      if (source.apiKeySecretName) {
        secretsmanager.Secret.fromSecretNameV2(this, `${source.provider}ApiKey`, source.apiKeySecretName).grantRead(fetchRates.fn);
      }
      new scheduler.Schedule(this, `FetchRates-${source.provider}`, {
        description: `Fetch ${source.provider} rates`,
        schedule: scheduler.ScheduleExpression.expression(source.schedule),
        target: new targets.LambdaInvoke(fetchRates.fn, {
          input: scheduler.ScheduleTargetInput.fromObject({ provider: source.provider }),
          retryAttempts: 3,
          maxEventAge: Duration.minutes(30),
          deadLetterQueue: schedulerDlq.queue,
          role: schedulerRole,
        }),
      });
    }
    acknowledgeWildcardResource(
      schedulerRole.node.findChild('DefaultPolicy'),
      `${fetchRates.fn.functionArn}:*`,
      'Scheduler targets the function and its versions; the grant is generated by the L2 target.',
    );
  }
}
