import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import type { ConversionStore, StoredConversion } from '../../ports/conversion-store';
import { partnerPartition } from '../../shared/api-table-keys';
import type { ClientForPartner } from './partner-scoped-dynamodb';

/**
 * API table layout for conversions, one partition per partner (the token's client id):
 * - `PARTNER#<clientId>`, `CONVERSION#<id>`: the conversion; ids are ULIDs, so a descending
 *   Query lists a partner's conversions newest first, and a Get by key never finds another's.
 * - `PARTNER#<clientId>`, `IDEMPOTENCY#<key>`: the request hash and a copy of the conversion,
 *   so a retry is answered with one consistent read; DynamoDB TTL removes it after
 *   IDEMPOTENCY_TTL_SECONDS (24 h, as payment APIs commonly keep keys), the conversion stays.
 * Both are written in one transaction, each on condition that it does not exist yet.
 */
export const conversionKeys = {
  conversion: (partner: string, id: string) => ({ pk: partnerPartition(partner), sk: `CONVERSION#${id}` }),
  idempotency: (partner: string, key: string) => ({ pk: partnerPartition(partner), sk: `IDEMPOTENCY#${key}` }),
};

export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const FIELDS = ['id', 'createdAt', 'from', 'to', 'amount', 'converted', 'rate', 'inverseRate', 'asOf', 'provider'] as const;

/**
 * `clients` is one client for every partner (locally), or a client per partner
 * (partnerScopedDocumentClients: in AWS, credentials that reach that partner's partition only).
 */
export function dynamoConversionStore(clients: DynamoDBDocumentClient | ClientForPartner, tableName: string): ConversionStore {
  const clientFor: ClientForPartner = typeof clients === 'function' ? clients : () => clients;
  return {
    async findByKey(partner, idempotencyKey) {
      const { Item } = await clientFor(partner).send(
        new GetCommand({ TableName: tableName, Key: conversionKeys.idempotency(partner, idempotencyKey), ConsistentRead: true }),
      );
      return Item && { requestHash: String(Item.requestHash), conversion: toConversion(Item.conversion as Record<string, unknown>) };
    },

    async create(partner, idempotencyKey, { requestHash, conversion }) {
      const absent = 'attribute_not_exists(pk)';
      try {
        await clientFor(partner).send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...conversionKeys.idempotency(partner, idempotencyKey),
                    requestHash,
                    conversion,
                    expiresAt: Math.floor(Date.parse(conversion.createdAt) / 1000) + IDEMPOTENCY_TTL_SECONDS,
                  },
                  ConditionExpression: absent,
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: { ...conversionKeys.conversion(partner, conversion.id), ...conversion, idempotencyKey },
                  ConditionExpression: absent,
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        // The key is taken, or a concurrent transaction on it is in flight: the caller re-reads.
        const [keyReason] = error instanceof TransactionCanceledException ? (error.CancellationReasons ?? []) : [];
        if (keyReason?.Code === 'ConditionalCheckFailed' || keyReason?.Code === 'TransactionConflict') return false;
        throw error;
      }
    },

    async get(partner, id) {
      const { Item } = await clientFor(partner).send(new GetCommand({ TableName: tableName, Key: conversionKeys.conversion(partner, id) }));
      return Item && toConversion(Item);
    },

    async list(partner, { limit, afterId }) {
      const items: StoredConversion[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined = afterId
        ? conversionKeys.conversion(partner, afterId)
        : undefined;
      // One more than asked tells whether another page follows.
      do {
        const page = await clientFor(partner).send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': partnerPartition(partner), ':prefix': 'CONVERSION#' },
            ScanIndexForward: false,
            Limit: limit + 1 - items.length,
            ExclusiveStartKey,
          }),
        );
        items.push(...(page.Items ?? []).map(toConversion));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey && items.length <= limit);
      const more = items.length > limit;
      return { items: items.slice(0, limit), ...(more ? { lastId: items[limit - 1].id } : {}) };
    },
  };
}

function toConversion(item: Record<string, unknown>): StoredConversion {
  return Object.fromEntries(FIELDS.map((field) => [field, String(item[field])])) as unknown as StoredConversion;
}
