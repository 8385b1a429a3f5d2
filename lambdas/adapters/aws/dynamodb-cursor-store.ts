import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CursorConflictError, type CursorStore } from '../../ports/cursor-store';

/** State table item of a feed's cursor (no expiresAt: a checkpoint never expires). */
export const cursorKey = (feed: string) => ({ pk: `CURSOR#${feed}` });

/**
 * Feed cursors in the state table. A save only succeeds over the cursor the run started from,
 * so of two overlapping runs only one can advance it.
 */
export function dynamoCursorStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  clock: () => Date = () => new Date(),
): CursorStore {
  return {
    async load(feed) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: cursorKey(feed), ConsistentRead: true }),
      );
      return typeof Item?.cursor === 'string' ? Item.cursor : null;
    },
    async save(feed, expected, next) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...cursorKey(feed), feed, cursor: next, updatedAt: clock().toISOString() },
            ...(expected === null
              ? { ConditionExpression: 'attribute_not_exists(#cursor)' }
              : { ConditionExpression: '#cursor = :expected', ExpressionAttributeValues: { ':expected': expected } }),
            ExpressionAttributeNames: { '#cursor': 'cursor' },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new CursorConflictError(feed);
        throw error;
      }
    },
  };
}
