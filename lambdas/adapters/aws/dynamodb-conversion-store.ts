import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ConversionStore, StoredConversion } from '../../ports/conversion-store';
import { partnerPartition } from '../../shared/api-table-keys';
import { newestFirstPage, partnerIdempotency, type PartnerTable } from './partner-idempotency';

export { IDEMPOTENCY_TTL_SECONDS, partnerTableOf, type PartnerTable } from './partner-idempotency';

/**
 * API table layout for conversions, one partition per partner (the token's client id):
 * - `PARTNER#<clientId>`, `CONVERSION#<id>`: the conversion; ids are ULIDs, so a descending
 *   Query lists a partner's conversions newest first, and a Get by key never finds another's.
 * - `PARTNER#<clientId>`, `IDEMPOTENCY#<md5 of the key>`: the Powertools idempotency record
 *   (status, the request's hash, the conversion, `expiresAt`), so a retry is answered with one
 *   consistent read.
 * A key lives IDEMPOTENCY_TTL_SECONDS: Powertools' conditional write treats a record whose
 * `expiresAt` has passed as absent, so the key is free again exactly then; DynamoDB TTL (on the
 * same attribute) deletes the record some time later.
 */
export const conversionKeys = {
  conversion: (partner: string, id: string) => ({ pk: partnerPartition(partner), sk: `CONVERSION#${id}` }),
};

/** The sort key prefix of idempotency records. */
export const IDEMPOTENCY_KEY_PREFIX = 'IDEMPOTENCY';

const FIELDS = ['id', 'createdAt', 'from', 'to', 'amount', 'converted', 'rate', 'inverseRate', 'asOf', 'provider'] as const;

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
      newestFirstPage(tableFor(partner), { tableName, partner, prefix: 'CONVERSION#', limit, afterId }, toConversion),
  };
}

function toConversion(item: Record<string, unknown>): StoredConversion {
  return Object.fromEntries(FIELDS.map((field) => [field, String(item[field])])) as unknown as StoredConversion;
}
