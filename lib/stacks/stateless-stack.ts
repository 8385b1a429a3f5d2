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
import { PartnerApi } from '../constructs/partner-api';
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
  SECRETS,
  TABLES,
  type BucketKey,
  type QueueDefinition,
  type QueueKey,
  type SecretKey,
  type TableKey,
} from '../definitions/resources';
import { bucketName } from './stateful-stack';
import { STACK_OUTPUTS } from '../definitions/stack-outputs';
import { externalSecretNames, scheduledInvocations, settingsEnv } from '../definitions/function-settings';

export interface StatelessStackProps extends StackProps {
  readonly config: StageConfig;
  readonly tables: Record<TableKey, dynamodb.ITable>;
  readonly secrets: Record<SecretKey, secretsmanager.ISecret>;
  /** The key the data lake is encrypted with. */
  readonly dataKey: kms.IKey;
}

/** Compute and messaging: queues, functions, schedules, alarms. Safe to redeploy any time. */
export class StatelessStack extends Stack {
  readonly queues: Record<QueueKey, QueueWithDlq>;
  readonly functions: Record<FunctionName, FxFunction>;
  readonly alarmTopic: sns.Topic;
  readonly partnerApi: PartnerApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.alarmTopic = this.buildAlarmTopic();
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

    this.schedule(config, alarmAction);
    new CfnOutput(this, STACK_OUTPUTS.ratesQueueUrl, { value: this.queues.rates.queue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.transactionsQueueUrl, { value: this.queues.transactions.queue.queueUrl });

    this.partnerApi = new PartnerApi(this, 'PartnerApi', {
      stage: config.stage,
      api: config.api,
      functions: this.functions,
      apiTable: props.tables.api,
      logRetentionDays: config.logRetentionDays,
      retainData: config.retainData,
    });
    new CfnOutput(this, STACK_OUTPUTS.partnerApiUrl, { value: this.partnerApi.api.url });
    new CfnOutput(this, STACK_OUTPUTS.partnerTokenUrl, { value: this.partnerApi.tokenUrl });
    new CfnOutput(this, STACK_OUTPUTS.partnerUserPoolId, { value: this.partnerApi.userPool.userPoolId });
    new CfnOutput(this, STACK_OUTPUTS.partnerClients, {
      value: this.toJsonString(
        Object.fromEntries(
          this.partnerApi.partners.map((p) => [p.config.name, { clientId: p.client.userPoolClientId, apiKeyId: p.apiKey.keyId }]),
        ),
      ),
    });

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

  /**
   * CloudWatch must be able to publish: the AWS-managed SNS key cannot grant it, so the topic has
   * its own key, and the TLS-only topic policy (which replaces SNS's default) allows it explicitly.
   */
  private buildAlarmTopic(): sns.Topic {
    const cloudwatchPrincipal = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    const sameAccount = { StringEquals: { 'aws:SourceAccount': this.account } };
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'FX Platform alarm notifications',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatchPrincipal],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: sameAccount,
      }),
    );
    const topic = new sns.Topic(this, 'AlarmTopic', { masterKey: key, enforceSSL: true });
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatchPrincipal],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: sameAccount,
      }),
    );
    return topic;
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
      fn.useTable(TABLES[key], props.tables[key], access!);
    }
    for (const [key, grant] of Object.entries(def.buckets ?? {}) as [BucketKey, { access: Access; prefixes: readonly string[] }][]) {
      fn.useBucket(BUCKETS[key].envVar, this.bucket(key, props), grant.access, grant.prefixes);
    }
    for (const key of def.sendsTo ?? []) {
      fn.sendTo(QUEUES[key].envVar, this.queues[key].queue);
    }
    for (const key of def.secrets ?? []) {
      fn.useSecret(SECRETS[key].envVar, props.secrets[key]);
    }
    for (const secretName of externalSecretNames(name as FunctionName, props.config)) {
      secretsmanager.Secret.fromSecretNameV2(this, `${def.id}-${secretName}`, secretName).grantRead(fn.fn);
    }
    for (const [envVar, value] of Object.entries(settingsEnv(name as FunctionName, props.config))) {
      fn.fn.addEnvironment(envVar, value);
    }
    if (def.sqsTrigger) {
      // The consumer's own queue URL: it may shorten a received message's visibility (the event source grants that).
      fn.fn.addEnvironment(QUEUES[def.sqsTrigger.queue].envVar, this.queues[def.sqsTrigger.queue].queue.queueUrl);
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

  /** One EventBridge schedule per rate source and per transaction feed, with retries and a DLQ. */
  private schedule(config: StageConfig, alarmAction: actions.SnsAction): void {
    const invocations = scheduledInvocations(config);
    if (invocations.length === 0) return;
    const schedulerDlq = new DeadLetterQueue(this, 'SchedulerDlq', {
      description: 'A schedule could not invoke its function after every retry',
    });
    schedulerDlq.alarm.addAlarmAction(alarmAction);
    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com'),
      description: 'EventBridge Scheduler invokes the scheduled FX functions',
    });
    const targetsUsed = new Set<FunctionName>();
    for (const invocation of invocations) {
      const fn = this.functions[invocation.functionName].fn;
      targetsUsed.add(invocation.functionName);
      new scheduler.Schedule(this, invocation.id, {
        description: invocation.description,
        schedule: scheduler.ScheduleExpression.expression(invocation.expression),
        target: new targets.LambdaInvoke(fn, {
          input: scheduler.ScheduleTargetInput.fromObject(invocation.input),
          retryAttempts: 3,
          maxEventAge: Duration.minutes(30),
          deadLetterQueue: schedulerDlq.queue,
          role: schedulerRole,
        }),
      });
    }
    for (const name of targetsUsed) {
      acknowledgeWildcardResource(
        schedulerRole.node.findChild('DefaultPolicy'),
        `${this.functions[name].fn.functionArn}:*`,
        'Scheduler targets the function and its versions; the grant is generated by the L2 target.',
      );
    }
  }
}
