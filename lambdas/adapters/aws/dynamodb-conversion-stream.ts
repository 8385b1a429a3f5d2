import type { DynamoDBRecord } from 'aws-lambda';
import type { StoredConversion } from '../../ports/conversion-store';
import type { ConversionChange } from '../../use-cases/export-conversions';
import { CONVERSION_ITEM_FIELDS, conversionKeys } from './conversion-items';
import { writtenItem } from './stream-images';

/** Key prefixes of a conversion item, taken from the store's own key layout. */
const PREFIX = conversionKeys.conversion('', '');

/**
 * The Lambda event-source filter that lets only new conversion items through: an INSERT keyed
 * `PARTNER#…` / `CONVERSION#…`. A partner's idempotency records (`IDEMPOTENCY#…`, inserted when a
 * key is claimed, modified when it completes or is claimed again after expiry), its conversions'
 * later changes and the currency items never reach the function. The handler applies
 * `conversionChange` as well, so a record the filter let by is ignored, not exported.
 */
export const CONVERSION_INSERT_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { Keys: { pk: { S: [{ prefix: PREFIX.pk }] }, sk: { S: [{ prefix: PREFIX.sk }] } } },
};

/**
 * A conversion created in the API table, from its stream record (NEW_IMAGE); undefined for
 * every other change (idempotency records, currencies, updates, TTL deletions).
 */
export function conversionChange(record: DynamoDBRecord): ConversionChange | undefined {
  const written = writtenItem(record, ['INSERT']);
  if (!written) return undefined;
  const { sequenceNumber, item } = written;
  const pk = typeof item.pk === 'string' ? item.pk : '';
  const sk = typeof item.sk === 'string' ? item.sk : '';
  if (!pk.startsWith(PREFIX.pk) || !sk.startsWith(PREFIX.sk)) return undefined;
  const conversion = Object.fromEntries(
    CONVERSION_ITEM_FIELDS.filter((field) => item[field] !== undefined && item[field] !== null).map((field) => [field, String(item[field])]),
  ) as Partial<StoredConversion>;
  return { sequenceNumber, partnerId: pk.slice(PREFIX.pk.length), conversion };
}
