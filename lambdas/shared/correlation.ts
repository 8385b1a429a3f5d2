import type { DynamoDBRecord, SQSRecord } from 'aws-lambda';

/**
 * Correlation ids: which run a log line or a message belongs to. A scheduled run gets the
 * scheduler's execution id (or a new one), every message it queues carries it (attribute
 * `correlationId`), and the consumer logs each message under it.
 */

/** The SQS message attribute that carries the correlation id from producer to consumer. */
export const CORRELATION_ID_ATTRIBUTE = 'correlationId';

/** Ids we pass on as they are: printable, short. Anything else is replaced by a new id. */
const CORRELATION_ID = /^[\w.:@/+=-]{1,128}$/;

export function validCorrelationId(value: unknown): string | undefined {
  return typeof value === 'string' && CORRELATION_ID.test(value) ? value : undefined;
}

/** The correlation id an SQS record's producer set, if any. */
export const correlationIdOfRecord = (record: Pick<SQSRecord, 'messageAttributes'> | undefined): string | undefined =>
  validCorrelationId(record?.messageAttributes?.[CORRELATION_ID_ATTRIBUTE]?.stringValue);

/** Where each kind of event carries its correlation id. */
export const correlationIds = {
  /** API Gateway's request id (also in the access logs and the `x-amzn-requestid` response header). */
  apiGateway: (event: { readonly requestContext?: { readonly requestId?: string } | null } | null | undefined) =>
    event?.requestContext?.requestId,
  /** `correlationId` in a schedule's input: EventBridge Scheduler's execution id (stateless stack). */
  schedule: (event: { readonly correlationId?: unknown } | null | undefined) => validCorrelationId(event?.correlationId),
  /**
   * The first record's: a batch usually comes from one run. Per-record log lines name their own
   * record's (see sqs-batch.ts).
   */
  sqs: (event: { readonly Records?: readonly Pick<SQSRecord, 'messageAttributes'>[] } | null | undefined) =>
    correlationIdOfRecord(event?.Records?.[0]),
  /**
   * A DynamoDB stream batch carries no id of its producer: the first record's `eventID`, the
   * stream's own id of that record, so the retries of a batch log under the same id.
   */
  dynamodbStream: (event: { readonly Records?: readonly Pick<DynamoDBRecord, 'eventID'>[] } | null | undefined) =>
    validCorrelationId(event?.Records?.[0]?.eventID),
  /** `correlationId` in a state machine task's payload: the execution's name (`$$.Execution.Name`). */
  stateMachine: (event: { readonly correlationId?: unknown } | null | undefined) => validCorrelationId(event?.correlationId),
};
