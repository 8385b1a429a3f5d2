/**
 * Partition keys of the API table, shared by the adapters (which write them) and IAM (which
 * limits each function to the partitions it needs with `dynamodb:LeadingKeys`).
 */
export const API_TABLE_PARTITIONS = {
  /** Every supported currency, sk = its code. */
  currencies: 'CURRENCY',
} as const;

/** A partner's conversions and idempotency records: one partition per app client id. */
export const partnerPartition = (clientId: string): string => `PARTNER#${clientId}`;

/**
 * The session tag the conversions API sets to the caller's client id when it assumes the partner
 * data role; the role's policy allows the partition `partnerPartition(<that tag>)` only.
 */
export const PARTNER_SESSION_TAG = 'client_id';
