import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchGetCommand,
  BatchWriteCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  type BatchWriteCommandInput,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { seriesId, type SeriesKey } from '../../domain/rate-policy';
import type { RateProviderName } from '../../domain/rate-publication';
import type { RateSnapshot } from '../../domain/rate-snapshot';
import type { LatestAdvance, LatestSeries, RateSeriesReader, RateSeriesWriter } from '../../ports/rate-series';
import { AWS_BATCH_RETRY, chunk, retryPending, type RetryOptions } from '../../shared/retry';
import { seriesKeys, toSeriesSnapshot } from './rate-series-items';

const BATCH_WRITE_LIMIT = 25;
const BATCH_GET_LIMIT = 100;

/** Publication attributes, the same on the history and the latest item. */
function publicationItem(s: RateSnapshot): Record<string, unknown> {
  return {
    provider: s.provider,
    base: s.base,
    inForceFrom: s.inForceFrom,
    rateDate: s.rateDate,
    snapshotId: s.snapshotId,
    rates: Object.fromEntries(
      s.rates.map((r) => [r.quote, { rate: NumberValue.from(r.rate), published: r.rate, orientation: r.orientation ?? 'quote-per-base' }]),
    ),
  };
}

const toLatest = (item: Record<string, unknown>): LatestSeries => ({
  snapshot: toSeriesSnapshot(item),
  fetchedAt: String(item.fetchedAt),
  checkedAt: String(item.checkedAt),
});

/** The rate series in DynamoDB: what process-rates writes and every rate lookup reads. */
export function dynamoRateSeries(
  client: DynamoDBDocumentClient,
  tableName: string,
  retry: RetryOptions = AWS_BATCH_RETRY,
): RateSeriesWriter & RateSeriesReader {
  const keyOf = (s: { provider: RateProviderName; base: string }): SeriesKey => ({ provider: s.provider, base: s.base });

  async function query(key: SeriesKey, condition: string, bound: string, forward: boolean, limit: number) {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: `pk = :pk AND ${condition}`,
        ExpressionAttributeValues: { ':pk': seriesKeys.history(key, '').pk, ':bound': bound },
        ScanIndexForward: forward,
        Limit: limit,
        ConsistentRead: true,
      }),
    );
    return { items: (result.Items ?? []).map(toSeriesSnapshot), complete: result.LastEvaluatedKey === undefined };
  }

  /** Puts the latest item on a condition; the current item's inForceFrom and checkedAt when it fails. */
  async function putLatest(item: Record<string, unknown>, condition: string, values: Record<string, string>) {
    try {
      const result = await client.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { written: true as const, old: result.Attributes };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { written: false as const, inForceFrom: error.Item?.inForceFrom?.S ?? '', checkedAt: error.Item?.checkedAt?.S ?? '', fetchedAt: error.Item?.fetchedAt?.S ?? '' };
    }
  }

  return {
    async putHistory(snapshots) {
      type WriteRequest = NonNullable<BatchWriteCommandInput['RequestItems']>[string][number];
      const requests = snapshots.map((s) => ({
        id: s.snapshotId,
        request: { PutRequest: { Item: { ...seriesKeys.history(keyOf(s), s.inForceFrom), ...publicationItem(s) } } } as WriteRequest,
      }));
      const unwritten: { snapshotId: string; reason: string }[] = [];
      await Promise.all(
        chunk(requests, BATCH_WRITE_LIMIT).map(async (batch) => {
          try {
            await retryPending(
              batch.map((b) => b.request),
              async (pending) => {
                const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }));
                return result.UnprocessedItems?.[tableName] ?? [];
              },
              retry,
              (left) => `DynamoDB left ${left.length} history item(s) unprocessed`,
            );
          } catch (error) {
            // Refused or unprocessed after every retry: this chunk's snapshots are reported, the others stand.
            unwritten.push(...batch.map((b) => ({ snapshotId: b.id, reason: (error as Error).message })));
          }
        }),
      );
      return unwritten;
    },

    async advanceLatest(snapshot): Promise<LatestAdvance> {
      const key = seriesKeys.latest(keyOf(snapshot));
      const item = { ...key, ...publicationItem(snapshot), fetchedAt: snapshot.fetchedAt, checkedAt: snapshot.fetchedAt };
      const moved = await putLatest(item, 'attribute_not_exists(pk) OR inForceFrom < :new', { ':new': snapshot.inForceFrom });
      if (moved.written) return { outcome: 'moved', previous: moved.old && toSeriesSnapshot(moved.old) };
      if (moved.inForceFrom > snapshot.inForceFrom) return { outcome: 'superseded', latestInForceFrom: moved.inForceFrom };
      // The same publication again: a later fetch confirms it (and rewrites the same numbers).
      const confirmed = await putLatest(
        { ...item, fetchedAt: moved.fetchedAt },
        'inForceFrom = :new AND checkedAt < :checked',
        { ':new': snapshot.inForceFrom, ':checked': snapshot.fetchedAt },
      );
      if (confirmed.written) return { outcome: 'confirmed' };
      return { outcome: confirmed.inForceFrom > snapshot.inForceFrom ? 'superseded' : 'unchanged', latestInForceFrom: confirmed.inForceFrom };
    },

    async latest(keys) {
      const found = new Map<string, LatestSeries>();
      for (const batch of chunk([...new Map(keys.map((k) => [seriesId(k), k])).values()], BATCH_GET_LIMIT)) {
        await retryPending(
          batch.map((k) => seriesKeys.latest(k)),
          async (pending) => {
            const result = await client.send(
              new BatchGetCommand({ RequestItems: { [tableName]: { Keys: [...pending], ConsistentRead: true } } }),
            );
            for (const item of result.Responses?.[tableName] ?? []) {
              const latest = toLatest(item);
              found.set(seriesId(latest.snapshot), latest);
            }
            return (result.UnprocessedKeys?.[tableName]?.Keys ?? []) as unknown as typeof pending;
          },
          retry,
          (left) => `DynamoDB left ${left.length} latest rate item(s) unread`,
        );
      }
      return found;
    },

    async atOrBefore(key, at, limit) {
      return (await query(key, 'sk <= :bound', at, false, limit)).items;
    },

    after(key, after, limit) {
      return query(key, 'sk > :bound', after, true, limit);
    },
  };
}
