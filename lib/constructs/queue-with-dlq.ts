import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { alarmOnAnyOf } from './alarms';
import { DLQ_RETENTION_DAYS } from '../definitions/resources';

/** How a queue is encrypted and whether it outlives its stack. */
export interface QueueStorageProps {
  /** A customer-managed key for messages with personal data. @default SSE-SQS */
  readonly encryptionKey?: kms.IKey;
  /** @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

export interface DeadLetterQueueProps extends QueueStorageProps {
  /** What lands here, for the alarm description. */
  readonly description: string;
  /** @default DLQ_RETENTION_DAYS (14, the SQS maximum) */
  readonly retentionPeriod?: Duration;
  /**
   * Who dead-letters here: a queue's redrive policy (cdk-nag sees that link), or a service's
   * failure destination (EventBridge Scheduler, Lambda asynchronous invocation), which cdk-nag
   * cannot see and reports as a queue without a DLQ.
   * @default 'redrive'
   */
  readonly source?: 'redrive' | 'destination';
}

/** An encrypted, TLS-only dead-letter queue that alarms as soon as anything lands in it. */
export class DeadLetterQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly alarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeadLetterQueueProps) {
    super(scope, id);
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryption(props),
      enforceSSL: true,
      retentionPeriod: props.retentionPeriod ?? Duration.days(DLQ_RETENTION_DAYS),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    if (props.source === 'destination') {
      Validations.of(this.queue).acknowledge({
        id: 'AwsSolutions::AwsSolutions-SQS3',
        reason: 'This queue is itself a dead-letter queue (a failure destination); its depth is alarmed instead.',
      });
    }
    this.alarm = alarmOnAnyOf(
      this,
      'NotEmpty',
      this.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      props.description,
    );
  }
}

export interface QueueWithDlqProps extends QueueStorageProps {
  /** Receives before a message moves to the DLQ. */
  readonly maxReceiveCount: number;
  readonly visibilityTimeout: Duration;
  readonly retentionPeriod: Duration;
}

/** An encrypted, TLS-only work queue with its alarmed DLQ and redrive policy. */
export class QueueWithDlq extends Construct {
  readonly queue: sqs.Queue;
  readonly dlq: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    this.dlq = new DeadLetterQueue(this, 'Dlq', {
      description: `${id}: messages failed ${props.maxReceiveCount} times and wait in the DLQ`,
      encryptionKey: props.encryptionKey,
      removalPolicy: props.removalPolicy,
    });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...encryption(props),
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
      enforceSSL: true,
      visibilityTimeout: props.visibilityTimeout,
      retentionPeriod: props.retentionPeriod,
      deadLetterQueue: { queue: this.dlq.queue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}

function encryption(props: QueueStorageProps): Pick<sqs.QueueProps, 'encryption' | 'encryptionMasterKey'> {
  return props.encryptionKey
    ? { encryption: sqs.QueueEncryption.KMS, encryptionMasterKey: props.encryptionKey }
    : { encryption: sqs.QueueEncryption.SQS_MANAGED };
}
