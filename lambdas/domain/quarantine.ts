import { createHash } from 'node:crypto';
import { userIdHash } from './pii';
import { FEED_FIELDS, isRawJson, MAX_TEXT_LENGTH, type TransactionRejection } from './transaction';

/**
 * What a quarantined record keeps: the contract's fields other than user_id whose values are
 * numbers or strings no longer than any valid value of the field (KEPT_CHARS), plus
 * `user_id_hash`. Card numbers, e-mails, nested objects, oversize texts and every field the
 * contract does not name are dropped.
 */
export type QuarantinedRecord = Readonly<Record<string, unknown>>;

/** One line of a quarantine object (`quarantine/transactions/dt=…/<hash>.jsonl`). */
export interface QuarantineLine {
  /** The SQS message id, or for a record the fetcher could not queue `feed:<name>:<page>:<index>`. */
  readonly messageId: string;
  readonly reason: TransactionRejection;
  /** What is wrong, in words; never shows a value the record leaves out. */
  readonly detail: string;
  /** null when the body is not a JSON object. */
  readonly record: QuarantinedRecord | null;
}

export const MAX_DETAIL_CHARS = 1024;

/** The longest value a quarantine line keeps per field: the longest a valid one can be, with room. */
const KEPT_CHARS: Readonly<Record<string, number>> = { amount: 100, currency: 16, timestamp: 64 };
const USER_ID_HASH = /^[0-9a-f]{64}$/;

/** The quarantine line of a rejected record: only contract fields, the user id as its HMAC. */
export function quarantineLine(
  rejected: {
    readonly messageId: string;
    readonly reason: TransactionRejection;
    readonly detail: string;
    readonly record: unknown;
  },
  hmacKey: string,
): QuarantineLine {
  const leftOut: string[] = [];
  const record = quarantinedRecord(rejected.record, hmacKey, leftOut);
  const detail =
    leftOut.length > 0
      ? `${rejected.detail} (not kept in this line: ${leftOut.join(', ')})`
      : rejected.detail;
  return {
    messageId: rejected.messageId,
    reason: rejected.reason,
    detail: detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS)}...` : detail,
    record,
  };
}

function quarantinedRecord(
  input: unknown,
  hmacKey: string,
  leftOut: string[],
): QuarantinedRecord | null {
  if (input === null || typeof input !== 'object' || Array.isArray(input) || isRawJson(input)) {
    return null;
  }
  const source = input as Record<string, unknown>;
  const record: Record<string, unknown> = {};
  for (const field of FEED_FIELDS) {
    const value = source[field];
    if (field === 'user_id' || !Object.hasOwn(source, field) || value === null) continue;
    if (isKept(value, KEPT_CHARS[field] ?? MAX_TEXT_LENGTH)) record[field] = value;
    else leftOut.push(field);
  }
  const userId = source.user_id;
  if (typeof userId === 'string' && userId !== '') {
    record.user_id_hash = userIdHash(hmacKey, userId);
  } else if (userId !== undefined && userId !== null && userId !== '') {
    leftOut.push('user_id');
  } else if (typeof source.user_id_hash === 'string' && USER_ID_HASH.test(source.user_id_hash)) {
    // A record replayed from quarantine carries the hash in place of the id.
    record.user_id_hash = source.user_id_hash;
  }
  return record;
}

function isKept(value: unknown, maxChars: number): boolean {
  if (typeof value === 'string') return value.length <= maxChars;
  if (typeof value === 'number') return Number.isFinite(value);
  return isRawJson(value) && value.rawJSON.length <= maxChars;
}

/**
 * The detail for a record that writes a key twice. Only a contract field is named: any other
 * key, like a value, could be anything.
 */
export function duplicateKeyDetail(path: readonly (string | number)[], key: string): string {
  return path.length === 0 && (FEED_FIELDS as readonly string[]).includes(key)
    ? `the record has the key "${key}" more than once`
    : 'the record writes a key outside the feed contract more than once';
}

/**
 * A quarantine object: its lines in messageId order, under `dt=<day>`, named by the hash of
 * the message ids, so the same rejected records always land at the same key with the same bytes.
 */
export function quarantineObject(
  prefix: string,
  day: string,
  lines: readonly QuarantineLine[],
): { readonly key: string; readonly body: string } {
  const sorted = [...lines].sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
  const ids = createHash('sha256')
    .update(sorted.map((l) => l.messageId).join('\n'))
    .digest('hex');
  return {
    key: `${prefix}/dt=${day}/${ids}.jsonl`,
    body: sorted.map((line) => `${JSON.stringify(line)}\n`).join(''),
  };
}

export const QUARANTINE_CONTENT_TYPE = 'application/x-ndjson';
