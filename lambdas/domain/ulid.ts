import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** A ULID's shape: 26 characters of Crockford base32. */
export const ULID_PATTERN = /^[0-9A-Z]{26}$/;

/**
 * A ULID: 48 bits of milliseconds then 80 random bits, in Crockford base32 (26 characters), so
 * ids sort by creation time and a partner's items list newest first by key order.
 */
export function ulid(now: Date, random: Uint8Array = randomBytes(10)): string {
  let time = '';
  for (let ms = now.getTime(), i = 0; i < 10; i++, ms = Math.floor(ms / 32)) time = CROCKFORD[ms % 32] + time;
  let bits = 0n;
  for (const byte of random) bits = (bits << 8n) | BigInt(byte);
  let rest = '';
  for (let i = 0; i < 16; i++, bits >>= 5n) rest = CROCKFORD[Number(bits & 31n)] + rest;
  return time + rest;
}
