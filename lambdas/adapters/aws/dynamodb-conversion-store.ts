import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ConversionStore, StoredConversion } from '../../ports/conversion-store';
import { CONVERSION_ITEM_FIELDS, CONVERSION_SK_PREFIX, conversionKeys, IDEMPOTENCY_KEY_PREFIX } from './conversion-items';
import { newestFirstPage, partnerIdempotency, type PartnerTable } from './partner-idempotency';

export { IDEMPOTENCY_TTL_SECONDS, partnerTableOf, type PartnerTable } from './partner-idempotency';

/*
 * The item layout is in conversion-items.ts. A key lives IDEMPOTENCY_TTL_SECONDS: Powertools'
 * conditional write treats a record whose `expiresAt` has passed as absent, so the key is free
 * again exactly then; DynamoDB TTL (on the same attribute) deletes the record some time later.
 */


export interface ConversionStoreOptions {
  /**
   * How long an unfinished request holds its key (a crashed one frees it then): the invocation's
   * remaining time. @default 10 s, the function's timeout
   */
  readonly remainingTimeMs?: () => number | undefined;
}

/**
 * `tables` is the one table client of every partner (locally), or the partner's own clients
 * (partnerScopedClients: in AWS, credentials that reach that partner's partition only).
 */
export function dynamoConversionStore(
  tables: PartnerTable | ((partner: string) => PartnerTable),
  tableName: string,
  options: ConversionStoreOptions = {},
): ConversionStore {
  const tableFor = typeof tables === 'function' ? tables : () => tables;
  const createOnce = partnerIdempotency<StoredConversion>({
    tables,
    tableName,
    keyPrefix: IDEMPOTENCY_KEY_PREFIX,
    dataAttr: 'conversion',
    remainingTimeMs: options.remainingTimeMs,
    storeResult: (partner, conversion, recordKey) => [
      {
        Put: {
          TableName: tableName,
          Item: { ...conversionKeys.conversion(partner, conversion.id), ...conversion, idempotencyRecord: recordKey },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
    ],
  });

  return {
    async createOnce(partner, idempotencyKey, request, create) {
      const { result, replayed } = await createOnce(partner, idempotencyKey, { from: request.from, to: request.to, amount: request.amount }, create);
      return { conversion: toConversion(result as unknown as Record<string, unknown>), replayed };
    },

    async get(partner, id) {
      const { Item } = await tableFor(partner).documents.send(
        new GetCommand({ TableName: tableName, Key: conversionKeys.conversion(partner, id) }),
      );
      return Item && toConversion(Item);
    },

    list: (partner, { limit, afterId }) =>
      newestFirstPage(tableFor(partner), { tableName, partner, prefix: CONVERSION_SK_PREFIX, limit, afterId }, toConversion),
  };
}

function toConversion(item: Record<string, unknown>): StoredConversion {
  return Object.fromEntries(CONVERSION_ITEM_FIELDS.map((field) => [field, String(item[field])])) as unknown as StoredConversion;
}
