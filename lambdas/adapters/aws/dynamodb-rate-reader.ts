import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { RateOrientation } from '../../domain/rate-snapshot';
import type { PublishedPairRate, RateReader } from '../../ports/rate-reader';
import { rateKeys } from './dynamodb-rate-store';

/** Reads the rates table that dynamoRateStore writes (see rateKeys for the layout). */
export function dynamoRateReader(client: DynamoDBDocumentClient, tableName: string): RateReader {
  async function queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(new QueryCommand({ ...input, TableName: tableName, ExclusiveStartKey }));
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  async function one(pk: string, condition: string, values: Record<string, string>, forward: boolean) {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: `pk = :pk${condition}`,
        ExpressionAttributeValues: { ':pk': pk, ...values },
        ScanIndexForward: forward,
        Limit: 1,
      }),
    );
    const item = result.Items?.[0];
    return item && toPublished(item);
  }

  return {
    async latest(bases) {
      const pages = await Promise.all(
        bases.map((base) =>
          queryAll({ KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': rateKeys.latest(base, '').pk } }),
        ),
      );
      return pages.flat().map(toPublished);
    },
    lastBefore(base, quote, before) {
      // Sort keys are `<asOf>#<provider>`: every key below `before` has an earlier as-of time.
      return one(rateKeys.history(base, quote, '', '').pk, ' AND sk < :before', { ':before': before }, false);
    },
    first(base, quote) {
      return one(rateKeys.history(base, quote, '', '').pk, '', {}, true);
    },
  };
}

function toPublished(item: Record<string, unknown>): PublishedPairRate {
  return {
    base: String(item.base),
    quote: String(item.quote),
    // `published` keeps the provider's digits; `rate` (a NumberValue) drops trailing zeros.
    rate: String(item.published ?? (item.rate as { value: string }).value),
    orientation: (item.orientation ?? 'quote-per-base') as RateOrientation,
    asOf: String(item.asOf),
    provider: String(item.provider),
  };
}
