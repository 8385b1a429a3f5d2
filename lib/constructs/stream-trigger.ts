import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import type { StreamTrigger } from '../definitions/functions';
import type { FxFunction } from './fx-function';
import { DeadLetterQueue } from './queue-with-dlq';

export interface StreamTriggerProps {
  readonly trigger: StreamTrigger;
  readonly fn: FxFunction;
  /** The table whose stream feeds the function (it must have a stream). */
  readonly table: dynamodb.ITable;
  readonly alarmAction: actions.SnsAction;
  /** Whether the DLQ outlives the stack (prod keeps queues like the data). @default RemovalPolicy.DESTROY */
  readonly removalPolicy?: RemovalPolicy;
}

/**
 * A DynamoDB stream event source with partial batch failures: a failing batch is bisected and
 * retried, and what still fails is described in an alarmed DLQ (Lambda sends the shard and
 * sequence range, so the records can be read again from the stream within 24 hours).
 */
export class StreamTriggerSource extends Construct {
  readonly dlq: DeadLetterQueue;

  constructor(scope: Construct, id: string, props: StreamTriggerProps) {
    super(scope, id);
    const { trigger, fn, table } = props;
    const streamArn = table.tableStreamArn;
    if (!streamArn) throw new Error(`${id}: table ${table.node.path} has no stream`);
    // Lambda's failure record names the shard and sequence range, never the items: no personal
    // data, so SSE-SQS. cdk-nag cannot see a failure destination as a DLQ.
    this.dlq = new DeadLetterQueue(this, 'Dlq', {
      description: `${fn.node.id}: stream records failed after ${trigger.retryAttempts} retries`,
      source: 'destination',
      removalPolicy: props.removalPolicy,
    });
    this.dlq.alarm.addAlarmAction(props.alarmAction);
    fn.fn.addEventSourceMapping('Stream', {
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: trigger.batchSize,
      maxBatchingWindow: Duration.seconds(trigger.maxBatchingWindowSeconds),
      retryAttempts: trigger.retryAttempts,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      onFailure: new SqsDlq(this.dlq.queue),
      filters: trigger.filter ? [lambda.FilterCriteria.filter(trigger.filter)] : undefined,
    });
    // On the role only: a grant through the table would write this role into the stateful
    // stack's key policy and tie the two stacks in a cycle. All four on this stream alone (the
    // event source mapping checks ListStreams too; no Resource "*" as in table.grantStreamRead).
    fn.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        resources: [streamArn],
      }),
    );
    if (table.encryptionKey) {
      fn.fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [table.encryptionKey.keyArn] }));
    }
  }
}
