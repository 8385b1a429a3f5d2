import { createHmac } from 'node:crypto';

/**
 * The pseudonymous id stored instead of a partner's user id: hex HMAC-SHA256 under a secret
 * key, so the same user always maps to the same value and nobody without the key can test a
 * guessed id against it.
 */
export function userIdHash(key: string, userId: string): string {
  if (!key) throw new Error('the PII HMAC key is empty');
  return createHmac('sha256', key).update(userId, 'utf8').digest('hex');
}
