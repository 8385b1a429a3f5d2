import { userIdHash } from '../../../lambdas/domain/pii';

describe('userIdHash', () => {
  it('is hex HMAC-SHA256 (RFC 4231 test case 2)', () => {
    expect(userIdHash('Jefe', 'what do ya want for nothing?')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('gives a user the same hash every time and different users different hashes', () => {
    expect(userIdHash('key', 'user-42')).toBe(userIdHash('key', 'user-42'));
    expect(userIdHash('key', 'user-42')).not.toBe(userIdHash('key', 'user-43'));
  });

  it('depends on the key, so the hash cannot be recomputed from a guessed user id alone', () => {
    expect(userIdHash('key-a', 'user-42')).not.toBe(userIdHash('key-b', 'user-42'));
    expect(userIdHash('key-a', 'user-42')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses an empty key', () => {
    expect(() => userIdHash('', 'user-42')).toThrow('empty');
  });
});
