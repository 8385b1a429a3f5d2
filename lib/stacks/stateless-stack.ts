import { ArnFormat, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
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
import { DEFAULT_CONSUMER_MAX_CONCURRENCY, type StageConfig } from '../config/stage-config';
import { FxFunction, tableStatements } from '../constructs/fx-function';
import { alarmOnAnyOf } from '../constructs/alarms';
import { acknowledgeWildcardResource } from '../constructs/nag';
import { OperationsDashboard } from '../constructs/operations-dashboard';
import { AlertEmail } from '../constructs/alert-email';
import { PartnerApi } from '../constructs/partner-api';
import { DeadLetterQueue, QueueWithDlq } from '../constructs/queue-with-dlq';
import { StreamTriggerSource } from '../constructs/stream-trigger';
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
import { ENV } from '../../lambdas/shared/env-names';
import { METRICS_NAMESPACE } from '../../lambdas/shared/observability';
import { METRIC_ALARMS } from '../definitions/metric-alarms';
import { PARTNER_SESSION_TAG, partnerPartition } from '../../lambdas/shared/api-table-keys';

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
  /** Encrypts the queues (and failure records) that carry personal data. */
  readonly messagesKey: kms.Key;
  /** Encrypts every log group of the stack (function, API access and WAF logs). */
  readonly logsKey: kms.Key;
  readonly functions: Record<FunctionName, FxFunction>;
  /** Where each asynchronously invoked function's failed events go after Lambda's retries. */
  readonly failureQueues: Partial<Record<FunctionName, DeadLetterQueue>>;
  readonly alarmTopic: sns.Topic;
  readonly partnerApi: PartnerApi;
  /** The stage's dashboard and its alarms (stale rates, API 5xx and latency, SES bounces). */
  readonly operations: OperationsDashboard;
  /** SES: the identity, configuration set and templates the alert functions send with. */
  readonly alertEmail: AlertEmail;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, props);
    const { config } = props;

    this.alarmTopic = this.buildAlarmTopic();
    if (config.alarmEmail) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(config.alarmEmail));
    }
    const alarmAction = new actions.SnsAction(this.alarmTopic);
    const removalPolicy = config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // In this stack, next to its queues: grants to the functions stay inside one stack.
    this.messagesKey = new kms.Key(this, 'MessagesKey', {
      description: 'FX Platform queues holding personal data (transactions, high-value events, failures)',
      enableKeyRotation: true,
      removalPolicy,
    });
    this.logsKey = this.buildLogsKey(removalPolicy);
    const queueStorage = (personalData: boolean) => ({
      encryptionKey: personalData ? this.messagesKey : undefined,
      removalPolicy,
    });

    this.queues = Object.fromEntries(
      (Object.entries(QUEUES) as [QueueKey, QueueDefinition][]).map(([key, def]) => {
        const q = new QueueWithDlq(this, def.id, {
          maxReceiveCount: def.maxReceiveCount,
          visibilityTimeout: Duration.seconds(visibilityTimeoutSeconds(key)),
          retentionPeriod: Duration.days(def.retentionDays),
          ...queueStorage(def.personalData),
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

    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]) {
      if (!def.streamTrigger) continue;
      new StreamTriggerSource(this, `${def.id}StreamTrigger`, {
        trigger: def.streamTrigger,
        fn: this.functions[name],
        table: props.tables[def.streamTrigger.table],
        alarmAction,
        removalPolicy,
      });
    }

    this.failureQueues = this.addFailureDestinations(alarmAction, queueStorage);
    this.schedule(config, alarmAction, queueStorage(false));
    new CfnOutput(this, STACK_OUTPUTS.ratesQueueUrl, { value: this.queues.rates.queue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.transactionsQueueUrl, { value: this.queues.transactions.queue.queueUrl });
    new CfnOutput(this, STACK_OUTPUTS.queues, {
      value: this.toJsonString(
        Object.fromEntries(
          Object.entries(this.queues).map(([key, q]) => [
            key,
            { url: q.queue.queueUrl, arn: q.queue.queueArn, dlqUrl: q.dlq.queue.queueUrl, dlqArn: q.dlq.queue.queueArn },
          ]),
        ),
      ),
    });

    this.partnerApi = new PartnerApi(this, 'PartnerApi', {
      stage: config.stage,
      api: config.api,
      functions: this.functions,
      apiTable: props.tables.api,
      logRetentionDays: config.logRetentionDays,
      retainData: config.retainData,
      logsKey: this.logsKey,
    });
    this.scopePartnerPartitions(props);
    this.alertEmail = new AlertEmail(this, 'AlertEmail', { stage: config.stage, email: config.alerts.email, alarmAction });
    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]) {
      if (def.sendsEmail) this.alertEmail.grantSend(this.functions[name].fn);
      if (def.linksToApi) this.functions[name].fn.addEnvironment(ENV.apiBaseUrl, this.partnerApi.baseUrl);
    }
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

    for (const def of METRIC_ALARMS) {
      for (const service of def.services) {
        const metric = new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: def.metricName,
          dimensionsMap: { service },
          period: Duration.minutes(5),
          statistic: 'Sum',
        });
        alarmOnAnyOf(this, `${FUNCTIONS[service].id}${def.metricName}`, metric, `${service} ${def.description}`)
          .addAlarmAction(alarmAction);
      }
    }

    for (const [name, fn] of Object.entries(this.functions)) {
      const errors = fn.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
      alarmOnAnyOf(this, `${FUNCTIONS[name as FunctionName].id}Errors`, errors, `${name} failed`).addAlarmAction(alarmAction);
    }

    // Last: its alarm overview lists every alarm above.
    this.operations = new OperationsDashboard(this, 'Operations', {
      stage: config.stage,
      rateSources: config.rates.sources,
      ratePolicy: config.rates.policy,
      queues: this.queues,
      functions: this.functions,
      api: this.partnerApi.api,
      alarmAction,
    });
  }

  /**
   * Lambda retries a failed asynchronous invocation (a schedule's) and then drops it: every such
   * function sends what is left to its own alarmed DLQ instead. A schedule's DLQ only gets the
   * events it could not deliver.
   */
  private addFailureDestinations(
    alarmAction: actions.SnsAction,
    queueStorage: (personalData: boolean) => { encryptionKey?: kms.IKey; removalPolicy: RemovalPolicy },
  ): Partial<Record<FunctionName, DeadLetterQueue>> {
    const failureQueues: Partial<Record<FunctionName, DeadLetterQueue>> = {};
    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]) {
      if (def.scheduledBy && !def.asyncInvoke) {
        throw new Error(`${name} is scheduled (invoked asynchronously) and needs asyncInvoke settings`);
      }
      if (!def.asyncInvoke) continue;
      const failures = new DeadLetterQueue(this, `${def.id}Failures`, {
        description: `${name} failed after ${def.asyncInvoke.retryAttempts} retries (or its event expired)`,
        source: 'destination',
        ...queueStorage(def.asyncInvoke.failuresHoldPersonalData),
      });
      failures.alarm.addAlarmAction(alarmAction);
      this.functions[name].onAsyncFailure(failures.queue, {
        retryAttempts: def.asyncInvoke.retryAttempts,
        maxEventAge: Duration.seconds(def.asyncInvoke.maxEventAgeSeconds),
      });
      failureQueues[name] = failures;
    }
    return failureQueues;
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

  /**
   * Tenant isolation in the API and alerts tables (the AWS SaaS pattern): a function with `partnerPartition`
   * reaches a partner's items only by assuming a role with the session tag `client_id` set to the
   * caller, and that role's policy allows the partition `PARTNER#${aws:PrincipalTag/client_id}`
   * alone. Its own role reaches no partner partition at all. The role trusts the function's role
   * for the configured partners' client ids only; with no partners there is no role.
   */
  private scopePartnerPartitions(props: StatelessStackProps): void {
    const clientIds = this.partnerApi.partners.map((p) => p.client.userPoolClientId);
    if (clientIds.length === 0) return;
    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]) {
      if (!def.partnerPartition) continue;
      const fn = this.functions[name].fn;
      const tableKey = def.partnerTable ?? 'api';
      const role = new iam.Role(this, `${def.id}PartnerDataRole`, {
        description: `${name}: one partner's partition of the ${tableKey} table, by the session tag ${PARTNER_SESSION_TAG}`,
        assumedBy: new iam.ArnPrincipal(fn.role!.roleArn)
          .withConditions({ StringEquals: { [`aws:RequestTag/${PARTNER_SESSION_TAG}`]: clientIds } })
          .withSessionTags(),
        maxSessionDuration: Duration.hours(1),
      });
      const callerPartition = partnerPartition(`\${aws:PrincipalTag/${PARTNER_SESSION_TAG}}`);
      for (const statement of tableStatements(TABLES[tableKey], props.tables[tableKey], {
        access: def.partnerPartition,
        partitions: [callerPartition],
      })) {
        role.addToPolicy(statement);
      }
      fn.addToRolePolicy(
        new iam.PolicyStatement({ actions: ['sts:AssumeRole', 'sts:TagSession'], resources: [role.roleArn] }),
      );
      fn.addEnvironment(ENV.partnerDataRole, role.roleArn);
    }
  }

  /**
   * CloudWatch Logs encrypts with the key itself, so the key policy must let the regional Logs
   * service use it — for this account's log groups only (the encryption context names the group).
   * Kept like the logs: a deleted key would make retained logs unreadable.
   */
  private buildLogsKey(removalPolicy: RemovalPolicy): kms.Key {
    const key = new kms.Key(this, 'LogsKey', {
      description: 'FX Platform CloudWatch log groups',
      enableKeyRotation: true,
      removalPolicy,
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.amazonaws.com`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: {
          ArnLike: {
            'kms:EncryptionContext:aws:logs:arn': this.formatArn({
              service: 'logs',
              resource: 'log-group',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );
    return key;
  }

  private buildFunction(name: string, def: FunctionDefinition, props: StatelessStackProps): FxFunction {
    const fn = new FxFunction(this, def.id, {
      definition: def,
      name,
      stage: props.config.stage,
      logRetentionDays: props.config.logRetentionDays,
      retainLogs: props.config.retainData,
      logsKey: this.logsKey,
      readsSecrets: (def.secrets ?? []).length > 0 || externalSecretNames(name as FunctionName, props.config).length > 0,
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
          maxConcurrency:
            (props.config.consumerConcurrency as Partial<Record<string, number>>)[name] ??
            DEFAULT_CONSUMER_MAX_CONCURRENCY,
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

  /** One EventBridge schedule per rate source and per transaction feed, with delivery retries and a DLQ. */
  private schedule(
    config: StageConfig,
    alarmAction: actions.SnsAction,
    storage: { removalPolicy: RemovalPolicy },
  ): void {
    const invocations = scheduledInvocations(config);
    if (invocations.length === 0) return;
    // Failed deliveries only (throttled, function missing, no permission): a function's own
    // failures go to its failure DLQ (asyncInvoke). Inputs are `{ provider }` / `{ feed }`.
    const schedulerDlq = new DeadLetterQueue(this, 'SchedulerDlq', {
      description: 'A schedule could not deliver its event to its function after every retry',
      source: 'destination',
      ...storage,
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
          // Each run's log lines and the messages it queues carry the scheduler's execution id.
          input: scheduler.ScheduleTargetInput.fromObject({
            ...invocation.input,
            correlationId: scheduler.ContextAttribute.executionId,
          }),
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
