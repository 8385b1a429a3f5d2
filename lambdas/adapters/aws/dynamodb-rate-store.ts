import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { RateOrientation, RateSnapshot } from '../../domain/rate-snapshot';
import type { RateStore, StoredRate } from '../../ports/rate-store';
import { AWS_BATCH_RETRY, chunk, retryPending, type RetryOptions } from '../../shared/retry';

/**
 * Rates table layout (pk, sk):
 * - history: `HISTORY#<base>#<quote>`, `<asOf>#<provider>` — one item per pair, as-of time and provider
 * - latest:  `LATEST#<base>`, `<quote>` — the newest as-of time of the pair, one Query per base
 * `rate` is a DynamoDB number written through NumberValue; `published` keeps the provider's digits.
 */
export const rateKeys = {
  history: (base: string, quote: string, asOf: string, provider: string) => ({
    pk: `HISTORY#${base}#${quote}`,
    sk: `${asOf}#${provider}`,
  }),
  latest: (base: string, quote: string) => ({ pk: `LATEST#${base}`, sk: quote }),
};

export function dynamoRateStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  retry: RetryOptions = AWS_BATCH_RETRY,
): RateStore {
  const items = (snapshot: RateSnapshot) =>
    snapshot.rates.map((r) => ({
      rate: NumberValue.from(r.rate),
      published: r.rate,
      orientation: r.orientation ?? 'quote-per-base',
      base: snapshot.base,
      quote: r.quote,
      asOf: snapshot.asOf,
      provider: snapshot.provider,
      snapshotId: snapshot.snapshotId,
    }));

  return {
    async putHistory(snapshot) {
      type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];
      const requests: WriteRequest[] = items(snapshot).map((item) => ({
        PutRequest: { Item: { ...rateKeys.history(item.base, item.quote, item.asOf, item.provider), ...item } },
      }));
      for (const batch of chunk(requests, 25)) {
        await retryPending(
          batch,
          async (pending) => {
            const result = await client.send(
              new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }),
            );
            return result.UnprocessedItems?.[tableName] ?? [];
          },
          retry,
          (left) => `DynamoDB left ${left.length} history item(s) of ${snapshot.snapshotId} unprocessed`,
        );
      }
    },

    async advanceLatest(snapshot) {
      const advanced: { quote: string; replaced?: StoredRate }[] = [];
      const alreadyLatest: string[] = [];
      for (const item of items(snapshot)) {
        try {
          const result = await client.send(
            new PutCommand({
              TableName: tableName,
              Item: { ...rateKeys.latest(item.base, item.quote), ...item },
              // A late, older snapshot never wins, and the same snapshot is not written twice.
              ConditionExpression: 'attribute_not_exists(pk) OR asOf < :asOf',
              ExpressionAttributeValues: { ':asOf': item.asOf },
              ReturnValues: 'ALL_OLD',
              ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
            }),
          );
          advanced.push({ quote: item.quote, replaced: result.Attributes && toStoredRate(result.Attributes) });
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
          if (error.Item?.snapshotId?.S === item.snapshotId) alreadyLatest.push(item.quote);
        }
      }
      return { advanced, alreadyLatest };
    },

    async previousRate(base, quote, asOf) {
      const { pk } = rateKeys.history(base, quote, asOf, '');
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND sk < :sk',
          ExpressionAttributeValues: { ':pk': pk, ':sk': asOf },
          ScanIndexForward: false,
          Limit: 1,
        }),
      );
      const item = result.Items?.[0];
      return item ? toStoredRate(item) : undefined;
    },
  };
}

function toStoredRate(item: Record<string, unknown>): StoredRate {
  return {
    base: String(item.base),
    quote: String(item.quote),
    rate: String(item.published ?? (item.rate as { value: string }).value),
    orientation: item.orientation as RateOrientation,
    asOf: String(item.asOf),
    provider: String(item.provider),
    snapshotId: String(item.snapshotId),
  };
}
