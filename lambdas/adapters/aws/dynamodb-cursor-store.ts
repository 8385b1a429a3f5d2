import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CursorConflictError, type CursorStore } from '../../ports/cursor-store';

/** State table item of a feed's cursor (no expiresAt: a checkpoint never expires). */
export const cursorKey = (feed: string) => ({ pk: `CURSOR#${feed}` });

/** Which URL a cursor belongs to; a hash, since a feed URL may carry a credential. */
export const feedUrlHash = (url: string) => createHash('sha256').update(url).digest('hex');

/**
 * Feed cursors in the state table, one item per feed name holding the cursor and the hash of
 * the URL it was read from. A cursor saved for another URL is not handed out: a feed switched
 * to a new URL starts at that feed's beginning. A save only succeeds over the cursor the run
 * started from (or over another URL's), so of two overlapping runs only one can advance it.
 */
export function dynamoCursorStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  clock: () => Date = () => new Date(),
): CursorStore {
  return {
    async load(feed) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: cursorKey(feed.name), ConsistentRead: true }),
      );
      if (typeof Item?.cursor !== 'string') return { cursor: null, urlChanged: false };
      return Item.urlHash === feedUrlHash(feed.url)
        ? { cursor: Item.cursor, urlChanged: false }
        : { cursor: null, urlChanged: true };
    },
    async save(feed, expected, next) {
      const urlHash = feedUrlHash(feed.url);
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...cursorKey(feed.name), feed: feed.name, cursor: next, urlHash, updatedAt: clock().toISOString() },
            ...(expected === null
              ? {
                  ConditionExpression:
                    'attribute_not_exists(#cursor) OR attribute_not_exists(#urlHash) OR #urlHash <> :urlHash',
                  ExpressionAttributeValues: { ':urlHash': urlHash },
                }
              : {
                  ConditionExpression: '#cursor = :expected AND #urlHash = :urlHash',
                  ExpressionAttributeValues: { ':expected': expected, ':urlHash': urlHash },
                }),
            ExpressionAttributeNames: { '#cursor': 'cursor', '#urlHash': 'urlHash' },
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) throw new CursorConflictError(feed.name);
        throw error;
      }
    },
  };
}
