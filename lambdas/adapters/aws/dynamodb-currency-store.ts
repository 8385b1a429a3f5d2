import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { Currency } from '../../domain/currency';
import type { CurrencyStore, SupportedCurrency } from '../../ports/currency-store';
import { API_TABLE_PARTITIONS } from '../../shared/api-table-keys';

/**
 * API table layout for currencies: pk `CURRENCY`, sk `<code>` — one partition, so the whole list
 * is one Query. A deleted currency keeps its item with a `deleted` attribute (a tombstone), so
 * seeding never brings it back.
 */
export const currencyKey = (code: string) => ({ pk: API_TABLE_PARTITIONS.currencies, sk: code });

const SEED_CONCURRENCY = 10;

export function dynamoCurrencyStore(client: DynamoDBDocumentClient, tableName: string, clock = () => new Date()): CurrencyStore {
  async function allItems(): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': currencyKey('').pk },
          ExclusiveStartKey,
        }),
      );
      items.push(...(page.Items ?? []));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  }

  async function putIfAbsent(currency: Currency): Promise<boolean> {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...currencyKey(currency.code), ...currency, enabled: true, updatedAt: clock().toISOString() },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  return {
    async list() {
      return (await allItems()).filter((item) => item.deleted === undefined).map(toCurrency);
    },

    async get(code) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: currencyKey(code) }));
      return Item && Item.deleted === undefined ? toCurrency(Item) : undefined;
    },

    async addMissing(currencies) {
      const stored = new Set((await allItems()).map((item) => String(item.sk)));
      const missing = currencies.filter((c) => !stored.has(c.code));
      const added: string[] = [];
      for (let i = 0; i < missing.length; i += SEED_CONCURRENCY) {
        const batch = missing.slice(i, i + SEED_CONCURRENCY);
        const results = await Promise.all(batch.map(putIfAbsent));
        added.push(...batch.filter((_, j) => results[j]).map((c) => c.code));
      }
      return added;
    },

    async update(code, changes, defaults) {
      const given = Object.entries(changes).filter(([, value]) => value !== undefined);
      // A (re)created currency also gets what was never stored; an earlier edit is kept.
      const fallbacks = Object.entries(
        defaults ? { ...defaults, code, enabled: true } : {},
      ).filter(([field, value]) => value !== undefined && !given.some(([g]) => g === field));
      const assignments = [
        ...given.map(([field, value]) => ({ field, value, set: `#${field} = :${field}` })),
        ...fallbacks.map(([field, value]) => ({ field, value, set: `#${field} = if_not_exists(#${field}, :${field})` })),
      ];
      const fields = ['updatedAt', 'deleted', ...assignments.map((a) => a.field)];
      const sets = ['#updatedAt = :updatedAt', ...assignments.map((a) => a.set)];
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: currencyKey(code),
            UpdateExpression: `SET ${sets.join(', ')} REMOVE #deleted`,
            ...(defaults ? {} : { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#deleted)' }),
            ExpressionAttributeNames: Object.fromEntries(fields.map((f) => [`#${f}`, f])),
            ExpressionAttributeValues: Object.fromEntries([
              [':updatedAt', clock().toISOString()],
              ...assignments.map((a) => [`:${a.field}`, a.value]),
            ]),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes && toCurrency(Attributes);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },

    async remove(code) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: currencyKey(code),
            UpdateExpression: 'SET #deleted = :true, #updatedAt = :updatedAt',
            ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(#deleted)',
            ExpressionAttributeNames: { '#deleted': 'deleted', '#updatedAt': 'updatedAt' },
            ExpressionAttributeValues: { ':true': true, ':updatedAt': clock().toISOString() },
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
  };
}

/** Numbers come back as NumberValue (wrapNumbers) or plain numbers (other clients). */
const integerOf = (value: unknown) => Number(value && typeof value === 'object' ? (value as { value: string }).value : value);

function toCurrency(item: Record<string, unknown>): SupportedCurrency {
  return {
    code: String(item.code ?? item.sk),
    name: String(item.name),
    minorUnits: integerOf(item.minorUnits),
    kind: item.kind === 'crypto' ? 'crypto' : 'fiat',
    enabled: item.enabled === true,
    ...(typeof item.coingeckoId === 'string' ? { coingeckoId: item.coingeckoId } : {}),
  };
}
