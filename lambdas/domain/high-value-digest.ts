import { isPlainPositiveDecimal } from './rate-snapshot';

/**
 * The operations digest of high-value transactions: every high-value event is put in the window
 * of the instant it is collected, and each window, once closed, is e-mailed once as one digest.
 * A row carries only what operations need and what may leave the platform: the user as its
 * HMAC (`user_id_hash`), never a raw user id, whatever else the event holds.
 */
export interface DigestRow {
  readonly transactionId: string;
  readonly amount: string;
  readonly currency: string;
  readonly amountBase: string;
  readonly baseCurrency: string;
  readonly merchant: string;
  readonly userIdHash: string;
  readonly timestamp: string;
}

export class BadHighValueEventError extends Error {
  override readonly name = 'BadHighValueEventError';
}

const HASH = /^[0-9a-f]{64}$/;
const CODE = /^[A-Z][A-Z0-9]{2,9}$/;

/** The digest row of a high-value event (process-transactions' enriched transaction); throws when it is not one. */
export function digestRowOf(event: unknown): DigestRow {
  const e = (event ?? {}) as Record<string, unknown>;
  const text = (name: string, max = 2048): string => {
    const value = e[name];
    if (typeof value !== 'string' || value.length === 0 || value.length > max) {
      throw new BadHighValueEventError(`high-value event: ${name} is missing or not a string of 1 to ${max} characters`);
    }
    return value;
  };
  const row: DigestRow = {
    transactionId: text('transaction_id'),
    amount: text('amount', 80),
    currency: text('currency', 10),
    amountBase: text('amount_base', 80),
    baseCurrency: text('base_currency', 10),
    merchant: text('merchant', 1024),
    userIdHash: text('user_id_hash', 64),
    timestamp: text('timestamp', 64),
  };
  if (!isPlainPositiveDecimal(row.amount) || !isPlainPositiveDecimal(row.amountBase)) {
    throw new BadHighValueEventError('high-value event: amount and amount_base must be positive decimal strings');
  }
  if (!CODE.test(row.currency) || !CODE.test(row.baseCurrency)) throw new BadHighValueEventError('high-value event: bad currency code');
  if (!HASH.test(row.userIdHash)) throw new BadHighValueEventError('high-value event: user_id_hash is not an HMAC-SHA256 hex digest');
  return row;
}

/** The window [start, end) of `windowMinutes` that holds the instant, as ISO-8601 UTC. */
export function windowOf(at: Date, windowMinutes: number): { readonly start: string; readonly end: string } {
  const size = windowMinutes * 60_000;
  const start = Math.floor(at.getTime() / size) * size;
  return { start: new Date(start).toISOString(), end: new Date(start + size).toISOString() };
}

/** At most this many transactions are listed in one digest; the rest are counted. */
export const MAX_DIGEST_ROWS = 200;
