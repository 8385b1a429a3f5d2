import type { StoredConversion } from '../../ports/conversion-store';
import { partnerPartition } from '../../shared/api-table-keys';

/**
 * API table layout for conversions, one partition per partner (the token's client id):
 * - `PARTNER#<clientId>`, `CONVERSION#<id>`: the conversion; ids are ULIDs, so a descending
 *   Query lists a partner's conversions newest first, and a Get by key never finds another's.
 * - `PARTNER#<clientId>`, `IDEMPOTENCY#<md5 of the key>`: the Powertools idempotency record
 *   (status, the request's hash, the conversion, `expiresAt`), so a retry is answered with one
 *   consistent read.
 * Kept apart from the store (dynamodb-conversion-store.ts) so the lake exporter, which reads
 * these items from the table's stream, loads no DynamoDB client or Powertools Idempotency.
 */
export const CONVERSION_SK_PREFIX = 'CONVERSION#';

/** The sort key prefix of idempotency records (Powertools writes `<prefix>#<md5>`). */
export const IDEMPOTENCY_KEY_PREFIX = 'IDEMPOTENCY';

export const conversionKeys = {
  conversion: (partner: string, id: string) => ({ pk: partnerPartition(partner), sk: `${CONVERSION_SK_PREFIX}${id}` }),
};

/** The attributes of a stored conversion; the lake exporter reads the same list from the table's stream. */
export const CONVERSION_ITEM_FIELDS = [
  'id',
  'createdAt',
  'from',
  'to',
  'amount',
  'converted',
  'rate',
  'inverseRate',
  'asOf',
  'provider',
] as const satisfies readonly (keyof StoredConversion)[];
