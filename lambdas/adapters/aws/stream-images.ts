import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';

/** The stream events an exporter reads: items inserted, or also items rewritten. */
export type WrittenEvents = readonly ('INSERT' | 'MODIFY')[];

/**
 * A stream record's new image as an item, with its sequence number, when the record is one of
 * `events` and carries both (a NEW_IMAGE stream); undefined otherwise. Numbers come back as
 * NumberValue text (`wrapNumbers`), so nothing passes through a JS number.
 */
export function writtenItem(
  record: DynamoDBRecord,
  events: WrittenEvents,
): { readonly sequenceNumber: string; readonly item: Record<string, unknown> } | undefined {
  const image = record.dynamodb?.NewImage;
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (!events.includes(record.eventName as 'INSERT') || !image || !sequenceNumber) return undefined;
  return { sequenceNumber, item: unmarshall(image as Record<string, AttributeValue>, { wrapNumbers: true }) };
}
