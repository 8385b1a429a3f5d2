import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FactLoadState, LoadStateStore } from '../../ports/warehouse';

/** State table item of one fact table's load watermark and columns (no expiresAt: it never expires). */
export const loadStateKey = (fact: string) => ({ pk: `WAREHOUSE#${fact}` });

export function dynamoLoadStateStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  clock: () => Date = () => new Date(),
): LoadStateStore {
  return {
    async read(facts) {
      const entries = await Promise.all(
        facts.map(async (fact) => {
          const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: loadStateKey(fact), ConsistentRead: true }));
          const state: FactLoadState = {
            ...(typeof Item?.loadedThrough === 'string' ? { loadedThrough: Item.loadedThrough } : {}),
            ...(Array.isArray(Item?.columns) ? { columns: (Item.columns as unknown[]).map(String) } : {}),
          };
          return [fact, state] as const;
        }),
      );
      return Object.fromEntries(entries);
    },

    async saveColumns(fact, columns) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: loadStateKey(fact),
          UpdateExpression: 'SET #columns = :columns, updatedAt = :now',
          ExpressionAttributeNames: { '#columns': 'columns' },
          ExpressionAttributeValues: { ':columns': [...columns], ':now': clock().toISOString() },
        }),
      );
    },

    async advance(fact, loadedThrough) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: loadStateKey(fact),
            UpdateExpression: 'SET loadedThrough = :through, updatedAt = :now',
            // Two overlapping runs: the one that loaded less must not move the watermark back.
            ConditionExpression: 'attribute_not_exists(loadedThrough) OR loadedThrough < :through',
            ExpressionAttributeValues: { ':through': loadedThrough, ':now': clock().toISOString() },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
  };
}
