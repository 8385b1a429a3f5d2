import { Buffer } from 'node:buffer';

/**
 * Hard limits of the places a transaction goes (AWS service quotas). A record that breaks one
 * is quarantined with its reason before it reaches that place, so it cannot fail the batch it
 * travels in.
 */
export const LIMITS = {
  /** DynamoDB: a partition key value, in UTF-8 bytes. */
  dynamoPartitionKeyBytes: 2048,
  /** DynamoDB: one item, attribute names and values (400 KB). */
  dynamoItemBytes: 400 * 1024,
  /** DynamoDB: requests in one BatchWriteItem. */
  dynamoBatchWriteItems: 25,
  /** SQS: one message (1 MiB, the queues' default MaximumMessageSize). */
  sqsMessageBytes: 1_048_576,
  /** SQS: all the messages of one SendMessageBatch together. */
  sqsBatchBytes: 1_048_576,
  /** SQS: entries in one SendMessageBatch. */
  sqsBatchEntries: 10,
} as const;

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, 'utf8');

/**
 * An upper bound of a DynamoDB item's size as DynamoDB counts it: attribute names and string
 * values in UTF-8 bytes, a number at most its text plus one, booleans and null one byte, maps
 * and lists 3 bytes plus one per element.
 */
export function dynamoItemBytes(item: Readonly<Record<string, unknown>>): number {
  let size = 3;
  for (const [name, value] of Object.entries(item)) {
    if (value !== undefined) size += utf8Bytes(name) + valueBytes(value) + 1;
  }
  return size;
}

function valueBytes(value: unknown): number {
  if (typeof value === 'string') return utf8Bytes(value);
  if (typeof value === 'number' || typeof value === 'bigint') return String(value).length + 1;
  if (typeof value === 'boolean' || value === null) return 1;
  if (value instanceof Uint8Array) return value.byteLength;
  if (Array.isArray(value)) return value.reduce((sum: number, v) => sum + valueBytes(v) + 1, 3);
  if (typeof value === 'object') return dynamoItemBytes(value as Record<string, unknown>);
  return String(value).length;
}

/**
 * The JSON text with U+FFFE and U+FFFF escaped. SQS refuses a message holding them (its allowed
 * characters skip both), and JSON.stringify leaves them as they are; inside a JSON string the
 * escape means the same character, and outside strings JSON has none.
 */
export function queueSafeJson(json: string): string {
  return json.replace(/[\uFFFE\uFFFF]/g, (c) => `\\u${c.charCodeAt(0).toString(16)}`);
}

/** Why a message body cannot go on a queue (TOO_LARGE), or undefined when it fits. */
export function queueMessageProblem(body: string): string | undefined {
  const bytes = utf8Bytes(body);
  return bytes > LIMITS.sqsMessageBytes
    ? `the record is ${bytes} bytes of JSON; a queue message holds at most ${LIMITS.sqsMessageBytes}`
    : undefined;
}
