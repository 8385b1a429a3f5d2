import { Capture, Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import {
  DEFAULT_CONSUMER_MAX_CONCURRENCY,
  type StageConfig,
  type StageName,
} from '../../lib/config/stage-config';
import {
  FUNCTIONS,
  tableGrants,
  type Access,
  type TableGrant,
  type FunctionDefinition,
  type FunctionName,
} from '../../lib/definitions/functions';
import {
  BUCKETS,
  QUEUES,
  RATE_WAIT,
  SECRETS,
  TABLES,
  type BucketKey,
  type QueueDefinition,
  type QueueKey,
  type TableDefinition,
  type TableKey,
} from '../../lib/definitions/resources';
import { SECRET_CACHE_TTL_SECONDS } from '../../lambdas/adapters/aws/secrets';
import { deliveriesToOutwait } from '../../lambdas/domain/rate-settlement';
import { externalSecretNames } from '../../lib/definitions/function-settings';
import { ENV } from '../../lambdas/shared/env-names';
import {
  asArray,
  logicalIdOf,
  renderIntrinsic,
  resourceOf,
  resourcesOfType,
  resolveImports as resolveImportsOf,
  stageContext,
  synthFxApp,
  templateOfResource,
  type CfnResourceJson,
  type SynthesizedFxApp,
} from './helpers';

const STAGES: readonly StageName[] = ['dev', 'prod'];
/** AWS guidance for SQS event sources; a literal on purpose, so the definitions cannot lower it. */
const AWS_MIN_VISIBILITY_FACTOR = 6;
const DAY_SECONDS = 24 * 60 * 60;
const DYNAMODB_WRITES =
  /^dynamodb:(PutItem|UpdateItem|DeleteItem|BatchWriteItem|PartiQL(Insert|Update|Delete))$/;

const queueEntries = Object.entries(QUEUES) as [QueueKey, QueueDefinition][];
const functionEntries = Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][];
const triggeredEntries = functionEntries.filter(([, def]) => def.sqsTrigger);
const streamTriggeredEntries = functionEntries.filter(([, def]) => def.streamTrigger);

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

const built = {} as Record<StageName, SynthesizedFxApp>;
beforeAll(() => {
  for (const stage of STAGES) built[stage] = synthFxApp(stage, stageContext(stage));
});
afterAll(() => {
  for (const stage of STAGES) built[stage]?.dispose();
});

describe.each(STAGES)('stateless stack (%s)', (stage) => {
  let s: SynthesizedFxApp;
  let template: Template;
  let topicId: string;
  const queueId = (key: QueueKey) => logicalIdOf(s.stateless.queues[key].queue);
  const dlqId = (key: QueueKey) => logicalIdOf(s.stateless.queues[key].dlq.queue);
  const functionId = (name: FunctionName) => logicalIdOf(s.stateless.functions[name].fn);
  const roleId = (name: FunctionName) => logicalIdOf(s.stateless.functions[name].fn.role!);
  /** The bucket's name as the stateful stack declares it (the stateless stack rebuilds it). */
  const bucketName = (key: BucketKey): unknown => {
    const buckets: Record<BucketKey, IConstruct> = { dataLake: s.stateful.dataLake };
    return resourceOf(s.statefulTemplate, logicalIdOf(buckets[key])).Properties?.BucketName;
  };

  /** Every IAM statement granted to a role, across the policies attached to it. */
  const statementsOf = (roleLogicalId: string): Statement[] =>
    Object.values(resourcesOfType(template, 'AWS::IAM::Policy'))
      .filter((p) =>
        asArray(p.Properties?.Roles).some(
          (r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }),
        ),
      )
      .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);

  /** A value with every cross-stack import replaced by what the stateful stack exports. */
  const resolveImports = (value: unknown): unknown => resolveImportsOf(s.statefulTemplate, value);
  /** What a cross-stack import in this stack is, in the stateful stack that exports it. */
  const exportedValue = resolveImports;

  /** Queues services dead-letter into: schedules' DLQs and Lambda's on-failure destinations. */
  const destinationDlqIds = (): string[] => [
    ...Object.values(resourcesOfType(template, 'AWS::Scheduler::Schedule')).flatMap((schedule) => {
      const target = (
        schedule.Properties?.Target as { DeadLetterConfig?: { Arn: { 'Fn::GetAtt': string[] } } }
      ).DeadLetterConfig;
      return target ? [target.Arn['Fn::GetAtt'][0]] : [];
    }),
    ...Object.values(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')).flatMap((c) => {
      const onFailure = (
        c.Properties?.DestinationConfig as
          | { OnFailure?: { Destination: { 'Fn::GetAtt': string[] } } }
          | undefined
      )?.OnFailure;
      return onFailure ? [onFailure.Destination['Fn::GetAtt'][0]] : [];
    }),
  ];

  beforeAll(() => {
    s = built[stage];
    template = s.statelessTemplate;
    topicId = logicalIdOf(s.stateless.alarmTopic);
  });

  describe('queues', () => {
    it.each(queueEntries)('%s redrives to its DLQ after its maxReceiveCount', (key, def) => {
      templateOfResource(template, queueId(key)).hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [dlqId(key), 'Arn'] },
          maxReceiveCount: def.maxReceiveCount,
        },
        MessageRetentionPeriod: def.retentionDays * DAY_SECONDS,
      });
    });

    it('every queue is a work queue with a DLQ, or a DLQ itself', () => {
      const queues = resourcesOfType(template, 'AWS::SQS::Queue');
      const dlqTargets = new Set<string>();
      for (const q of Object.values(queues)) {
        const target = (
          q.Properties?.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': string[] } }
        )?.deadLetterTargetArn;
        if (target) dlqTargets.add(target['Fn::GetAtt'][0]);
      }
      for (const id of destinationDlqIds()) dlqTargets.add(id);
      // A stream event source sends what it gives up on to its on-failure queue.
      for (const mapping of Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'))) {
        const onFailure = (
          mapping.Properties?.DestinationConfig as { OnFailure?: { Destination: { 'Fn::GetAtt': string[] } } } | undefined
        )?.OnFailure;
        if (onFailure) dlqTargets.add(onFailure.Destination['Fn::GetAtt'][0]);
      }
      const orphans = Object.entries(queues)
        .filter(([id, q]) => !q.Properties?.RedrivePolicy && !dlqTargets.has(id))
        .map(([id]) => id);
      expect(orphans).toEqual([]);
      // And the definitions' queues are all there, each with its own DLQ.
      expect(Object.keys(queues).length).toBeGreaterThanOrEqual(queueEntries.length * 2);
    });

    it('every queue (DLQs included) is encrypted', () => {
      const unencrypted = Object.entries(resourcesOfType(template, 'AWS::SQS::Queue'))
        .filter(
          ([, q]) => q.Properties?.SqsManagedSseEnabled !== true && !q.Properties?.KmsMasterKeyId,
        )
        .map(([id]) => id);
      expect(unencrypted).toEqual([]);
    });

    it('every queue (DLQs included) refuses requests not made over TLS', () => {
      const policies = Object.values(resourcesOfType(template, 'AWS::SQS::QueuePolicy'));
      const tlsOnly = (queueLogicalId: string) =>
        policies.some(
          (p) =>
            asArray(p.Properties?.Queues).some(
              (q) => JSON.stringify(q) === JSON.stringify({ Ref: queueLogicalId }),
            ) &&
            (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement.some(
              (st) =>
                st.Effect === 'Deny' &&
                asArray(st.Action).includes('sqs:*') &&
                JSON.stringify(st.Condition) ===
                  JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
            ),
        );
      const withoutTls = Object.keys(resourcesOfType(template, 'AWS::SQS::Queue')).filter(
        (id) => !tlsOnly(id),
      );
      expect(withoutTls).toEqual([]);
    });

    // The function's timeout and batching window are read from the template, never from the
    // definitions' helper that computed the queue's timeout.
    it('every SQS event source queue stays invisible for at least 6x the deployed function timeout (and past its batching window)', () => {
      // From the template alone: whatever wires a queue to a function must respect the rule.
      const queues = resourcesOfType(template, 'AWS::SQS::Queue');
      const queueMappings = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')).filter(
        (m) => ((m.Properties?.EventSourceArn as { 'Fn::GetAtt'?: string[] })['Fn::GetAtt']?.[0] ?? '') in queues,
      );
      expect(queueMappings).toHaveLength(triggeredEntries.length);
      for (const mapping of queueMappings) {
        const queue = resourceOf(
          template,
          (mapping.Properties?.EventSourceArn as { 'Fn::GetAtt': string[] })['Fn::GetAtt'][0],
        );
        const fn = resourceOf(template, (mapping.Properties?.FunctionName as { Ref: string }).Ref);
        const timeout = fn.Properties?.Timeout as number;
        const batchingWindow = (mapping.Properties?.MaximumBatchingWindowInSeconds as number | undefined) ?? 0;
        expect(timeout).toBeGreaterThan(0);
        const visibility = queue.Properties?.VisibilityTimeout as number;
        // AWS: at least six times the function's timeout plus the batching window.
        expect(visibility).toBeGreaterThanOrEqual(AWS_MIN_VISIBILITY_FACTOR * timeout + batchingWindow);
      }
    });
  });

  describe('queues: retries, retention, keys', () => {
    /** AWS guidance for SQS event sources; spelled out so the definitions cannot lower it. */
    const AWS_MIN_RECEIVES_BEFORE_DLQ = 5;
    /** The queues whose messages carry a partner's user id (raw or hashed): spelled out on purpose. */
    const PERSONAL_DATA_QUEUES: readonly QueueKey[] = ['transactions', 'highValueTransactions'];
    const keyOf = (queueLogicalId: string) =>
      resourceOf(template, queueLogicalId).Properties?.KmsMasterKeyId as
        | { 'Fn::GetAtt': [string, string] }
        | undefined;

    it.each(triggeredEntries.map(([, def]) => def.sqsTrigger!.queue))(
      'the %s queue lets its consumer try a message at least 5 times before the DLQ',
      (key) => {
        const redrive = resourceOf(template, queueId(key)).Properties?.RedrivePolicy as {
          maxReceiveCount: number;
        };
        expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(AWS_MIN_RECEIVES_BEFORE_DLQ);
      },
    );

    it('every queue and DLQ is retained on stack deletion in prod and deleted in dev', () => {
      const policies = Object.entries(resourcesOfType(template, 'AWS::SQS::Queue')).map(
        ([id, q]) => `${id}: ${String(q.DeletionPolicy)}/${String(q.UpdateReplacePolicy)}`,
      );
      const expected = s.config.retainData ? 'Retain/Retain' : 'Delete/Delete';
      expect(policies.filter((p) => !p.endsWith(`: ${expected}`))).toEqual([]);
    });

    it.each(PERSONAL_DATA_QUEUES)(
      'the %s queue and its DLQ use a customer-managed key with rotation, kept like the data',
      (key) => {
        for (const id of [queueId(key), dlqId(key)]) {
          const keyRef = keyOf(id);
          expect(keyRef).toBeDefined();
          const kmsKey = resourceOf(template, keyRef!['Fn::GetAtt'][0]);
          expect(kmsKey.Type).toBe('AWS::KMS::Key');
          expect(kmsKey.Properties?.EnableKeyRotation).toBe(true);
          expect(kmsKey.DeletionPolicy).toBe(s.config.retainData ? 'Retain' : 'Delete');
          expect(resourceOf(template, id).Properties?.SqsManagedSseEnabled).toBeUndefined();
        }
      },
    );

    it('queues without personal data keep SSE-SQS', () => {
      for (const [key] of queueEntries.filter(([k]) => !PERSONAL_DATA_QUEUES.includes(k))) {
        expect(resourceOf(template, queueId(key)).Properties?.SqsManagedSseEnabled).toBe(true);
      }
    });

    it('producers may encrypt and consumers decrypt with the personal-data queues’ key, no one else', () => {
      const messagesKey = keyOf(queueId('transactions'))!['Fn::GetAtt'][0];
      const kmsActionsOn = (name: FunctionName) =>
        statementsOf(roleId(name))
          .filter((st) =>
            asArray(st.Resource).some(
              (r) => JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [messagesKey, 'Arn'] }),
            ),
          )
          .flatMap((st) => asArray(st.Action));
      // fetch-transactions sends transactions; process-transactions consumes them and sends
      // high-value events, which collect-high-value-transactions consumes.
      expect(kmsActionsOn('fetch-transactions')).toEqual(
        expect.arrayContaining(['kms:Decrypt', expect.stringMatching(/^kms:GenerateDataKey/)]),
      );
      expect(kmsActionsOn('process-transactions')).toEqual(
        expect.arrayContaining(['kms:Decrypt', expect.stringMatching(/^kms:GenerateDataKey/)]),
      );
      expect(kmsActionsOn('collect-high-value-transactions')).toEqual(expect.arrayContaining(['kms:Decrypt']));
      const others = functionEntries
        .map(([name]) => name)
        .filter((name) => !['fetch-transactions', 'process-transactions', 'collect-high-value-transactions'].includes(name))
        .filter((name) => kmsActionsOn(name).length > 0);
      expect(others).toEqual([]);
    });
  });

  describe('asynchronous invocations', () => {
    /**
     * The functions invoked asynchronously: every target of a schedule in the template, and every
     * function meant to be scheduled (a stage may configure no schedule for it yet).
     */
    const asyncTargets = () => {
      const scheduled = new Set(
        Object.values(resourcesOfType(template, 'AWS::Scheduler::Schedule')).map(
          (sch) => (sch.Properties?.Target as { Arn: { 'Fn::GetAtt': string[] } }).Arn['Fn::GetAtt'][0],
        ),
      );
      return functionEntries.filter(([name, def]) => def.scheduledBy || scheduled.has(functionId(name)));
    };

    it('covers every schedule target', () => {
      const targets = Object.values(resourcesOfType(template, 'AWS::Scheduler::Schedule')).map(
        (sch) => (sch.Properties?.Target as { Arn: { 'Fn::GetAtt': string[] } }).Arn['Fn::GetAtt'][0],
      );
      expect(targets.length).toBeGreaterThan(0);
      const covered = new Set(asyncTargets().map(([name]) => functionId(name)));
      expect(targets.filter((t) => !covered.has(t))).toEqual([]);
    });

    it('every asynchronously invoked function sends what fails after its retries to an alarmed DLQ', () => {
      for (const [name, def] of asyncTargets()) {
        const destination = new Capture();
        templateOfResource(
          template,
          Object.entries(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')).find(
            ([, c]) => JSON.stringify(c.Properties?.FunctionName) === JSON.stringify({ Ref: functionId(name) }),
          )?.[0] ?? `(no EventInvokeConfig for ${name})`,
        ).hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
          Qualifier: '$LATEST',
          MaximumRetryAttempts: def.asyncInvoke!.retryAttempts,
          MaximumEventAgeInSeconds: def.asyncInvoke!.maxEventAgeSeconds,
          DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [destination, 'Arn'] } } },
        });
        const queue = destination.asString();
        expect(resourceOf(template, queue).Type).toBe('AWS::SQS::Queue');
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: 'ApproximateNumberOfMessagesVisible',
          Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queue, 'QueueName'] } }],
          AlarmActions: Match.arrayWith([{ Ref: topicId }]),
        });
        // Lambda sends the failure record with the function's own role.
        const sends = statementsOf(roleId(name)).filter(
          (st) =>
            asArray(st.Action).includes('sqs:SendMessage') &&
            asArray(st.Resource).some(
              (r) => JSON.stringify(r) === JSON.stringify({ 'Fn::GetAtt': [queue, 'Arn'] }),
            ),
        );
        expect(sends).toHaveLength(1);
      }
    });

    it('retries and event age are set deliberately for every scheduled function', () => {
      for (const [name, def] of functionEntries.filter(([, d]) => d.scheduledBy)) {
        expect([name, def.asyncInvoke?.retryAttempts]).toEqual([name, expect.any(Number)]);
        expect(def.asyncInvoke!.maxEventAgeSeconds).toBeGreaterThanOrEqual(60);
        expect(def.asyncInvoke!.maxEventAgeSeconds).toBeLessThanOrEqual(6 * 60 * 60);
      }
    });

    it('fetch-transactions failures (whose errors may quote feed data) are encrypted with the personal-data key', () => {
      const config = Object.values(resourcesOfType(template, 'AWS::Lambda::EventInvokeConfig')).find(
        (c) => JSON.stringify(c.Properties?.FunctionName) === JSON.stringify({ Ref: functionId('fetch-transactions') }),
      )!;
      const queue = (
        config.Properties?.DestinationConfig as { OnFailure: { Destination: { 'Fn::GetAtt': string[] } } }
      ).OnFailure.Destination['Fn::GetAtt'][0];
      expect(resourceOf(template, queue).Properties?.KmsMasterKeyId).toBeDefined();
      expect(resourceOf(template, queue).Properties?.KmsMasterKeyId).toEqual(
        resourceOf(template, queueId('transactions')).Properties?.KmsMasterKeyId,
      );
    });
  });

  describe('alarms', () => {
    const dlqAlarmIsWired = (dlqLogicalId: string) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqLogicalId, 'QueueName'] } }],
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        AlarmActions: Match.arrayWith([{ Ref: topicId }]),
      });
    };

    it.each(queueEntries)('%s DLQ alarms the alarm topic as soon as one message lands', (key) => {
      dlqAlarmIsWired(dlqId(key));
    });

    it('every DLQ in the stack (the scheduler’s and the failure destinations included) has such an alarm', () => {
      const dlqIds = new Set<string>();
      for (const q of Object.values(resourcesOfType(template, 'AWS::SQS::Queue'))) {
        const target = (
          q.Properties?.RedrivePolicy as { deadLetterTargetArn?: { 'Fn::GetAtt': string[] } }
        )?.deadLetterTargetArn;
        if (target) dlqIds.add(target['Fn::GetAtt'][0]);
      }
      for (const id of destinationDlqIds()) dlqIds.add(id);
      expect(dlqIds.size).toBeGreaterThan(queueEntries.length);
      for (const id of dlqIds) dlqAlarmIsWired(id);
    });

    it.each(functionEntries)('%s errors alarm the alarm topic', (name) => {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Lambda',
        MetricName: 'Errors',
        Dimensions: [{ Name: 'FunctionName', Value: { Ref: functionId(name) } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: Match.arrayWith([{ Ref: topicId }]),
      });
    });

    it.each(['fetch-rates', 'process-rates'])(
      'a rate snapshot rejected by %s (RateSnapshotsRejected) alarms the alarm topic',
      (service) => {
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'FxPlatform',
          MetricName: 'RateSnapshotsRejected',
          Dimensions: [{ Name: 'service', Value: service }],
          Statistic: 'Sum',
          Threshold: 0,
          ComparisonOperator: 'GreaterThanThreshold',
          TreatMissingData: 'notBreaching',
          AlarmActions: [{ Ref: topicId }],
        });
      },
    );

    it('the alarm topic is encrypted and TLS-only', () => {
      templateOfResource(template, topicId).hasResourceProperties('AWS::SNS::Topic', {
        KmsMasterKeyId: Match.anyValue(),
      });
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    });

    // The enforceSSL topic policy replaces SNS's default policy: CloudWatch must be allowed explicitly.
    it('CloudWatch alarms are allowed to publish to the alarm topic', () => {
      template.hasResourceProperties('AWS::SNS::TopicPolicy', {
        Topics: [{ Ref: topicId }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: 'sns:Publish',
            }),
          ]),
        },
      });
    });

    // The AWS-managed alias/aws/sns key cannot grant CloudWatch kms:GenerateDataKey*/kms:Decrypt.
    it('the alarm topic key lets CloudWatch encrypt alarm notifications', () => {
      const keyRef = resourceOf(template, topicId).Properties?.KmsMasterKeyId as {
        'Fn::GetAtt'?: string[];
      };
      const keyId = keyRef['Fn::GetAtt']?.[0];
      expect(keyId).toBeDefined(); // a key this app manages, not an alias of an AWS-managed key
      templateOfResource(template, keyId!).hasResourceProperties('AWS::KMS::Key', {
        KeyPolicy: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Allow',
              Principal: { Service: 'cloudwatch.amazonaws.com' },
              Action: Match.arrayWith([
                'kms:Decrypt',
                Match.stringLikeRegexp('^kms:GenerateDataKey'),
              ]),
            }),
          ]),
        },
      });
    });
  });

  describe('functions', () => {
    it('deploys exactly the functions the definitions declare', () => {
      // Plus the partner API's currency seed function and the CDK Trigger provider that runs it.
      template.resourceCountIs('AWS::Lambda::Function', functionEntries.length + 2);
    });

    it.each(functionEntries)(
      '%s runs Node.js 24 on arm64 with active X-Ray tracing',
      (name, def) => {
        templateOfResource(template, functionId(name)).hasResourceProperties(
          'AWS::Lambda::Function',
          {
            Runtime: 'nodejs24.x',
            Architectures: ['arm64'],
            TracingConfig: { Mode: 'Active' },
            Timeout: def.timeoutSeconds,
            MemorySize: def.memorySize,
          },
        );
      },
    );

    it.each(functionEntries)('%s logs to its own log group with the stage’s retention', (name) => {
      const logGroup = new Capture();
      templateOfResource(template, functionId(name)).hasResourceProperties(
        'AWS::Lambda::Function',
        {
          LoggingConfig: { LogGroup: { Ref: logGroup } },
        },
      );
      const group = resourceOf(template, logGroup.asString());
      expect(group.Type).toBe('AWS::Logs::LogGroup');
      expect(group.Properties?.RetentionInDays).toBeGreaterThanOrEqual(s.config.logRetentionDays);
      expect(group.DeletionPolicy).toBe(s.config.retainData ? 'Retain' : 'Delete');
    });

    it.each(functionEntries)(
      '%s gets the names of its tables, queues, buckets and secrets',
      (name, def) => {
        const vars = (
          resourceOf(template, functionId(name)).Properties?.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
        for (const key of Object.keys(def.tables ?? {}) as TableKey[]) {
          expect(exportedValue(vars[TABLES[key].envVar])).toEqual({
            Ref: logicalIdOf(s.stateful.tables[key]),
          });
        }
        for (const key of def.sendsTo ?? []) {
          expect(vars[QUEUES[key].envVar]).toEqual({ Ref: queueId(key) });
        }
        for (const key of Object.keys(def.buckets ?? {}) as BucketKey[]) {
          // The very name the stateful stack gives the bucket.
          expect(vars[BUCKETS[key].envVar]).toEqual(bucketName(key));
        }
        for (const key of def.secrets ?? []) {
          expect(Object.keys(vars)).toContain(SECRETS[key].envVar);
        }
        expect(vars[ENV.stage]).toBe(stage);
      },
    );

    it.each(functionEntries)('%s has the Parameters and Secrets extension exactly when it reads a secret', (name, def) => {
      const props = resourceOf(template, functionId(name)).Properties as {
        Layers?: unknown[];
        Environment: { Variables: Record<string, unknown> };
      };
      const readsSecrets = (def.secrets ?? []).length > 0 || externalSecretNames(name, s.config).length > 0;
      const layers = JSON.stringify(props.Layers ?? []);
      expect({ layer: /Paramsandsecrets/i.test(layers), ttl: props.Environment.Variables.SECRETS_MANAGER_TTL }).toEqual(
        readsSecrets ? { layer: true, ttl: String(SECRET_CACHE_TTL_SECONDS) } : { layer: false, ttl: undefined },
      );
    });

    it('process-rates knows the rates table and fetch-rates knows the configured providers', () => {
      const env = (name: FunctionName) =>
        (
          resourceOf(template, functionId(name)).Properties?.Environment as {
            Variables: Record<string, unknown>;
          }
        ).Variables;
      expect(env('process-rates')).toHaveProperty('RATES_TABLE_NAME');
      const providers = JSON.parse(env('fetch-rates')[ENV.rateProviders] as string) as Record<
        string,
        unknown
      >;
      expect(Object.keys(providers).sort()).toEqual(
        s.config.rates.sources.map((src) => src.provider).sort(),
      );
    });

    it('every function that resolves rates gets the stage’s source policy; process-transactions its wait and its queue', () => {
      const env = (name: FunctionName) =>
        (resourceOf(template, functionId(name)).Properties?.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const name of ['rates-api', 'conversions-api', 'process-transactions'] as const) {
        expect(JSON.parse(env(name)[ENV.ratePolicy] as string)).toEqual(s.config.rates.policy);
      }
      expect(JSON.parse(env('process-transactions')[ENV.rateWait] as string)).toEqual(RATE_WAIT);
      // Its own queue's URL: it shortens the visibility of a message waiting for its rate.
      expect(env('process-transactions')[ENV.transactionsQueue]).toEqual({ Ref: queueId('transactions') });
      const changes = statementsOf(roleId('process-transactions')).filter((st) => asArray(st.Action).includes('sqs:ChangeMessageVisibility'));
      expect(changes.flatMap((st) => asArray(st.Resource))).toEqual([{ 'Fn::GetAtt': [queueId('transactions'), 'Arn'] }]);
    });

    it('the transactions queue lets a message wait out the whole rate wait before it is dead-lettered', () => {
      template.hasResourceProperties('AWS::SQS::Queue', {
        RedrivePolicy: { maxReceiveCount: deliveriesToOutwait(RATE_WAIT) + 5, deadLetterTargetArn: Match.anyValue() },
      });
      expect(QUEUES.transactions.maxReceiveCount).toBeGreaterThan(deliveriesToOutwait(RATE_WAIT));
    });
  });

  describe('SQS event sources', () => {
    it('every SQS and stream consumer reports partial batch failures', () => {
      const mappings = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping'));
      expect(mappings).toHaveLength(triggeredEntries.length + streamTriggeredEntries.length);
      for (const mapping of mappings) {
        expect(mapping.Properties?.FunctionResponseTypes).toEqual(['ReportBatchItemFailures']);
      }
    });

    it.each(triggeredEntries)(
      '%s takes at most the stage’s concurrency for it, so a backlog cannot starve the API',
      (name) => {
        const configured = (s.config.consumerConcurrency as Record<string, number | undefined>)[name];
        const mapping = Object.values(resourcesOfType(template, 'AWS::Lambda::EventSourceMapping')).find(
          (m) => JSON.stringify(m.Properties?.FunctionName) === JSON.stringify({ Ref: functionId(name) }),
        );
        const max = (mapping?.Properties?.ScalingConfig as { MaximumConcurrency?: number } | undefined)
          ?.MaximumConcurrency;
        expect(max).toBe(configured ?? DEFAULT_CONSUMER_MAX_CONCURRENCY);
        // SQS event sources accept 2 to 1000.
        expect(max).toBeGreaterThanOrEqual(2);
        expect(max).toBeLessThanOrEqual(1000);
      },
    );

    it.each(triggeredEntries)('%s consumes its queue with the defined batching', (name, def) => {
      const trigger = def.sqsTrigger!;
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: functionId(name) },
        EventSourceArn: { 'Fn::GetAtt': [queueId(trigger.queue), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        BatchSize: trigger.batchSize,
        MaximumBatchingWindowInSeconds: trigger.maxBatchingWindowSeconds,
      });
    });
  });

  describe('schedules', () => {
    /** How many schedules each kind of scheduled function gets from the stage config. */
    const schedulesPerStage: Record<
      NonNullable<FunctionDefinition['scheduledBy']>,
      (config: StageConfig) => number
    > = {
      rateSources: (config) => config.rates.sources.length,
      transactionFeeds: (config) => config.transactions.feeds.length,
      highValueDigest: () => 1,
    };
    const scheduledEntries = functionEntries.filter(([, def]) => def.scheduledBy);
    const schedules = () => Object.values(resourcesOfType(template, 'AWS::Scheduler::Schedule'));
    const targetOf = (schedule: CfnResourceJson) =>
      schedule.Properties?.Target as {
        Arn: unknown;
        RetryPolicy?: { MaximumRetryAttempts?: number };
        DeadLetterConfig?: { Arn: { 'Fn::GetAtt': string[] } };
      };

    it.each(scheduledEntries)('%s has one schedule per configured source', (name, def) => {
      const arn = JSON.stringify({ 'Fn::GetAtt': [functionId(name), 'Arn'] });
      const own = schedules().filter((sch) => JSON.stringify(targetOf(sch).Arn) === arn);
      expect(own).toHaveLength(schedulesPerStage[def.scheduledBy!](s.config));
    });

    it('has no other schedules', () => {
      const expected = scheduledEntries.reduce(
        (sum, [, def]) => sum + schedulesPerStage[def.scheduledBy!](s.config),
        0,
      );
      template.resourceCountIs('AWS::Scheduler::Schedule', expected);
    });

    it('every schedule retries and dead-letters what it cannot deliver', () => {
      for (const schedule of schedules()) {
        const target = targetOf(schedule);
        expect(target.RetryPolicy?.MaximumRetryAttempts).toBeGreaterThan(0);
        const dlq = target.DeadLetterConfig?.Arn['Fn::GetAtt'][0];
        expect(dlq && resourceOf(template, dlq).Type).toBe('AWS::SQS::Queue');
      }
    });

    it('invokes fetch-rates for each rate source on its expression, with retries and a DLQ', () => {
      const fetchRates = scheduledEntries.find(([, def]) => def.scheduledBy === 'rateSources')![0];
      for (const source of s.config.rates.sources) {
        const retries = new Capture();
        const dlq = new Capture();
        template.hasResourceProperties('AWS::Scheduler::Schedule', {
          ScheduleExpression: source.schedule,
          State: 'ENABLED',
          Target: Match.objectLike({
            Arn: { 'Fn::GetAtt': [functionId(fetchRates), 'Arn'] },
            // The scheduler's execution id becomes the run's correlation id (README "Handlers").
            Input: Match.serializedJson({ provider: source.provider, correlationId: '<aws.scheduler.execution-id>' }),
            RetryPolicy: Match.objectLike({ MaximumRetryAttempts: retries }),
            DeadLetterConfig: { Arn: { 'Fn::GetAtt': [dlq, 'Arn'] } },
          }),
        });
        expect(retries.asNumber()).toBeGreaterThan(0);
        expect(resourceOf(template, dlq.asString()).Type).toBe('AWS::SQS::Queue');
      }
    });
  });

  describe('log groups', () => {
    it('every log group is encrypted with a key whose policy lets CloudWatch Logs use it for this account’s groups only', () => {
      const groups = resourcesOfType(template, 'AWS::Logs::LogGroup');
      expect(Object.keys(groups).length).toBeGreaterThan(functionEntries.length);
      for (const [id, group] of Object.entries(groups)) {
        const keyRef = group.Properties?.KmsKeyId as { 'Fn::GetAtt'?: string[] } | undefined;
        expect([id, keyRef?.['Fn::GetAtt']?.[1]]).toEqual([id, 'Arn']);
        const key = resourceOf(template, keyRef!['Fn::GetAtt']![0]);
        expect(key.Properties?.EnableKeyRotation).toBe(true);
        const statements = (key.Properties?.KeyPolicy as { Statement: (Statement & { Principal?: { Service?: unknown } })[] })
          .Statement;
        const forLogs = statements.filter(
          (st) => st.Principal?.Service !== undefined && /^logs\./.test(renderIntrinsic(st.Principal.Service)),
        );
        expect(forLogs).toHaveLength(1);
        expect(asArray(forLogs[0].Action)).toEqual(
          // The actions CloudWatch Logs documents for its key policy.
          expect.arrayContaining([
            expect.stringMatching(/^kms:Decrypt/),
            expect.stringMatching(/^kms:GenerateDataKey/),
            expect.stringMatching(/^kms:Encrypt/),
          ]),
        );
        const context = (forLogs[0].Condition as Record<string, Record<string, unknown>>).ArnLike?.[
          'kms:EncryptionContext:aws:logs:arn'
        ];
        expect(renderIntrinsic(context)).toBe('arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:*');
        expect(key.DeletionPolicy).toBe(s.config.retainData ? 'Retain' : 'Delete');
      }
    });
  });

  describe('least privilege', () => {
    /** Every FX function: the definitions' and the partner API's currency seed. */
    const fxFunctions = () => [
      ...functionEntries.map(([name]) => [name, s.stateless.functions[name]] as const),
      ['seed-currencies', s.stateless.partnerApi.seedFunction] as const,
    ];

    // What makes the acknowledged AwsSolutions-IAM5[Resource::*] on every function role true.
    it('every `Resource: *` a function role has is X-Ray’s, which has no resource-level permissions', () => {
      const unscoped = fxFunctions().flatMap(([name, fx]) =>
        statementsOf(logicalIdOf(fx.fn.role!))
          .filter((st) => asArray(st.Resource).includes('*'))
          .flatMap((st) => asArray(st.Action).map((action) => `${name}: ${action}`)),
      );
      expect(unscoped.filter((a) => !/: xray:(PutTraceSegments|PutTelemetryRecords)$/.test(a))).toEqual([]);
      expect(unscoped.length).toBe(fxFunctions().length * 2);
    });

    it('no FX function role carries an AWS managed policy; each writes only to its own log group', () => {
      const violations: string[] = [];
      for (const [name, fx] of fxFunctions()) {
        const role = logicalIdOf(fx.fn.role!);
        const managed = resourceOf(template, role).Properties?.ManagedPolicyArns;
        if (managed !== undefined) violations.push(`${name}: managed policies ${renderIntrinsic(managed)}`);
        const logGroup = (
          resourceOf(template, logicalIdOf(fx.fn)).Properties?.LoggingConfig as {
            LogGroup: { Ref: string };
          }
        ).LogGroup.Ref;
        const logGrants = statementsOf(role)
          .filter((st) => asArray(st.Action).some((a) => a.startsWith('logs:')))
          .map((st) => ({ actions: asArray(st.Action).sort(), resources: asArray(st.Resource) }));
        const expected = [
          {
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            resources: [{ 'Fn::GetAtt': [logGroup, 'Arn'] }],
          },
        ];
        if (JSON.stringify(logGrants) !== JSON.stringify(expected)) {
          violations.push(`${name}: logs grants ${JSON.stringify(logGrants)}`);
        }
      }
      expect(violations).toEqual([]);
    });

    const objectArn = (prefix: string, bucket: BucketKey = 'dataLake') =>
      `arn:\${AWS::Partition}:s3:::${renderIntrinsic(bucketName(bucket))}/${prefix}/*`;

    it.each(functionEntries)('%s has no wildcard actions', (name) => {
      const wildcards = statementsOf(roleId(name))
        .flatMap((st) => asArray(st.Action))
        .filter((action) => action === '*' || action.endsWith(':*'));
      expect(wildcards).toEqual([]);
    });

    it.each(functionEntries)('%s reaches S3 objects only under its own prefixes', (name, def) => {
      const granted = statementsOf(roleId(name))
        .filter((st) => asArray(st.Action).some((a) => a.startsWith('s3:')))
        .flatMap((st) =>
          asArray(st.Action).flatMap((action) =>
            asArray(st.Resource).map((resource) => `${action} ${renderIntrinsic(resource)}`),
          ),
        );
      const expected = Object.entries(def.buckets ?? {}).flatMap(([bucket, grant]) =>
        grant.prefixes.flatMap((prefix) => [
          ...(grant.access !== 'write'
            ? [`s3:GetObject ${objectArn(prefix, bucket as BucketKey)}`]
            : []),
          ...(grant.access !== 'read'
            ? [`s3:PutObject ${objectArn(prefix, bucket as BucketKey)}`]
            : []),
        ]),
      );
      expect(granted.sort()).toEqual(expected.sort());
    });

    // The lake layout as analysts and Glue know it, spelled out on purpose.
    it('fetch-rates can write raw payloads and export-rates curated ones; process-rates reaches no bucket', () => {
      const s3Grants = (name: FunctionName) =>
        statementsOf(roleId(name))
          .filter((st) => asArray(st.Action).some((a) => a.startsWith('s3:')))
          .map((st) => ({
            actions: asArray(st.Action),
            resources: asArray(st.Resource).map(renderIntrinsic),
          }));
      expect(s3Grants('fetch-rates')).toEqual([
        { actions: ['s3:PutObject'], resources: [objectArn('raw/rates')] },
      ]);
      expect(s3Grants('export-rates')).toEqual([
        { actions: ['s3:PutObject'], resources: [objectArn('curated/rates')] },
      ]);
      expect(s3Grants('process-rates')).toEqual([]);
    });

    it.each(functionEntries)(
      '%s reaches DynamoDB only on its own tables, and writes only where allowed',
      (name, def) => {
        const allowed = new Map<string, Access>();
        for (const [key, grant] of Object.entries(def.tables ?? {}) as [TableKey, Access | TableGrant | readonly TableGrant[]][]) {
          // Several grants on one table: it is read-only only if every one is.
          const access = tableGrants(grant).every((g) => g.access === 'read') ? 'read' : 'readwrite';
          const arn = `\${${logicalIdOf(s.stateful.tables[key])}.Arn}`;
          allowed.set(arn, access);
          // Each index of the table by name: no index wildcard.
          for (const index of (TABLES[key] as TableDefinition).globalSecondaryIndexes ?? []) {
            allowed.set(`${arn}/index/${index.indexName}`, access);
          }
        }
        // A stream consumer reads its table's stream (and lists streams, which has no resource).
        const streamTable = def.streamTrigger?.table;
        const streamArn = streamTable && `\${${logicalIdOf(s.stateful.tables[streamTable])}.StreamArn}`;
        const allGrants = statementsOf(roleId(name))
          .filter((st) => asArray(st.Action).some((a) => a.startsWith('dynamodb:')))
          .flatMap((st) =>
            asArray(st.Resource).map((r) => ({
              resource: renderIntrinsic(resolveImports(r)),
              actions: asArray(st.Action),
            })),
          );
        const streamGrants = allGrants.filter((g) => g.resource === streamArn || g.resource === '*');
        expect(streamGrants.flatMap((g) => g.actions).sort()).toEqual(
          streamArn ? ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'] : [],
        );
        const grants = allGrants.filter((g) => !streamGrants.includes(g));
        expect(grants.map((g) => g.resource).filter((r) => !allowed.has(r))).toEqual([]);
        const writesOnReadOnly = grants
          .filter((g) => allowed.get(g.resource) === 'read')
          .flatMap((g) => g.actions.filter((a) => DYNAMODB_WRITES.test(a)));
        expect(writesOnReadOnly).toEqual([]);
        // And every table the function is meant to use is granted.
        const grantedTables = new Set(grants.map((g) => g.resource.replace(/\/index\/[^/]+$/, '')));
        expect(grantedTables.size).toBe(Object.keys(def.tables ?? {}).length);
      },
    );

    describe('API table: partitions per function, and a partner’s partition only for that partner', () => {
      // The API table's layout as the adapters write it, spelled out on purpose.
      const CURRENCIES = 'CURRENCY';
      const CALLER_PARTITION = 'PARTNER#${aws:PrincipalTag/client_id}';
      const apiTableArn = () => ({ 'Fn::GetAtt': [logicalIdOf(s.stateful.tables.api), 'Arn'] });
      const onApiTable = (statements: Statement[]) =>
        statements.filter(
          (st) =>
            asArray(st.Action).some((a) => a.startsWith('dynamodb:')) &&
            asArray(st.Resource).some((r) => JSON.stringify(resolveImports(r)) === JSON.stringify(apiTableArn())),
        );
      const apiFunctions = () =>
        fxFunctions().filter(
          ([name]) =>
            name === 'seed-currencies' ||
            (FUNCTIONS as Record<string, FunctionDefinition>)[name]?.tables?.api !== undefined,
        );

      it('every function’s own role reaches only the currencies partition (dynamodb:LeadingKeys)', () => {
        expect(apiFunctions().map(([name]) => name).sort()).toEqual(
          ['alerts-api', 'conversions-api', 'currencies-api', 'rates-api', 'seed-currencies'].sort(),
        );
        for (const [name, fx] of apiFunctions()) {
          const statements = onApiTable(statementsOf(logicalIdOf(fx.fn.role!)));
          expect([name, statements.length]).toEqual([name, expect.any(Number)]);
          expect(statements.length).toBeGreaterThan(0);
          for (const st of statements) {
            expect([name, st.Condition]).toEqual([
              name,
              { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [CURRENCIES] } },
            ]);
            expect(asArray(st.Action).filter((a) => /^dynamodb:(Scan|PartiQL)/.test(a))).toEqual([]);
          }
        }
      });

      it('only currencies-api and the seed may write currencies; rates-api and conversions-api only read them', () => {
        const writers = apiFunctions()
          .filter(([, fx]) =>
            onApiTable(statementsOf(logicalIdOf(fx.fn.role!))).some((st) =>
              asArray(st.Action).some((a) => DYNAMODB_WRITES.test(a)),
            ),
          )
          .map(([name]) => name);
        expect(writers.sort()).toEqual(['currencies-api', 'seed-currencies']);
      });

      it('conversions-api reaches partners’ conversions only through a role assumed with the caller’s client_id tag', () => {
        const conversions = s.stateless.functions['conversions-api'];
        const vars = (resourceOf(template, logicalIdOf(conversions.fn)).Properties?.Environment as {
          Variables: Record<string, unknown>;
        }).Variables;
        const roleRef = vars[ENV.partnerDataRole] as { 'Fn::GetAtt': [string, string] };
        expect(roleRef?.['Fn::GetAtt']?.[1]).toBe('Arn');
        const partnerRole = resourceOf(template, roleRef['Fn::GetAtt'][0]);
        expect(partnerRole.Type).toBe('AWS::IAM::Role');

        // Trusted by the conversions function's role alone, for the configured partners' client ids.
        const trust = (partnerRole.Properties?.AssumeRolePolicyDocument as { Statement: (Statement & { Principal: unknown })[] })
          .Statement;
        expect(trust).toHaveLength(1);
        expect(trust[0].Principal).toEqual({ AWS: { 'Fn::GetAtt': [roleId('conversions-api'), 'Arn'] } });
        expect(asArray(trust[0].Action).sort()).toEqual(['sts:AssumeRole', 'sts:TagSession']);
        expect(trust[0].Condition).toEqual({
          StringEquals: {
            'aws:RequestTag/client_id': s.stateless.partnerApi.partners.map((p) => ({ Ref: logicalIdOf(p.client) })),
          },
        });

        // Its policy: the API table, only the partition named by the session's client_id tag.
        const own = onApiTable(statementsOf(roleRef['Fn::GetAtt'][0]));
        expect(own.length).toBeGreaterThan(0);
        for (const st of own) {
          expect(st.Condition).toEqual({ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [CALLER_PARTITION] } });
        }
        expect(own.flatMap((st) => asArray(st.Action))).toEqual(
          expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem']),
        );
        // And the conversions function may assume that role and no other.
        const assumes = statementsOf(roleId('conversions-api')).filter((st) =>
          asArray(st.Action).some((a) => a.startsWith('sts:')),
        );
        expect(assumes).toEqual([
          expect.objectContaining({
            Action: ['sts:AssumeRole', 'sts:TagSession'],
            Resource: { 'Fn::GetAtt': [roleRef['Fn::GetAtt'][0], 'Arn'] },
          }),
        ]);
      });

      it('no other role in the stack can touch a partner’s partition', () => {
        const roles = Object.keys(resourcesOfType(template, 'AWS::IAM::Role'));
        const partnerRole = (
          (resourceOf(template, functionId('conversions-api')).Properties?.Environment as { Variables: Record<string, unknown> })
            .Variables[ENV.partnerDataRole] as { 'Fn::GetAtt': string[] }
        )['Fn::GetAtt'][0];
        const reaching = roles
          .filter((role) => role !== partnerRole)
          .filter((role) =>
            onApiTable(statementsOf(role)).some(
              (st) => JSON.stringify(st.Condition ?? {}).includes('PARTNER#') || st.Condition === undefined,
            ),
          );
        expect(reaching).toEqual([]);
      });
    });

    it('process-rates uses the rates table and no other', () => {
      const dynamoResources = statementsOf(roleId('process-rates'))
        .filter((st) => asArray(st.Action).some((a) => a.startsWith('dynamodb:')))
        .flatMap((st) => asArray(st.Resource))
        .map(exportedValue);
      expect(dynamoResources).toEqual([
        { 'Fn::GetAtt': [logicalIdOf(s.stateful.tables.rates), 'Arn'] },
      ]);
    });
  });
});

it('dev and prod fetch only real providers: the simulated feed is a source of the local stage alone', () => {
  expect(built.dev.config.rates.sources.map((src) => src.provider)).toEqual(['ecb', 'frankfurter', 'coingecko']);
  expect(built.prod.config.rates.sources.map((src) => src.provider)).toEqual(['ecb', 'frankfurter', 'coingecko', 'oxr']);
  for (const stage of STAGES) expect(JSON.stringify(built[stage].config.rates.policy)).not.toContain('simulated');
});
