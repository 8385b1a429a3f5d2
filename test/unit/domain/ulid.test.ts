import { ULID_PATTERN, ulid } from '../../../lambdas/domain/ulid';

const bytes = (...values: number[]) => Uint8Array.from(values);
const zeros = () => new Uint8Array(10);

describe('ulid', () => {
  it('encodes the time as the ULID specification’s example does (1469918176385 ms -> 01ARYZ6S41)', () => {
    expect(ulid(new Date(1469918176385), zeros())).toBe('01ARYZ6S41' + '0'.repeat(16));
  });

  it('encodes the 80 random bits in Crockford base32, most significant first', () => {
    const at = new Date(0);
    expect(ulid(at, bytes(255, 255, 255, 255, 255, 255, 255, 255, 255, 255))).toBe('0'.repeat(10) + 'Z'.repeat(16));
    expect(ulid(at, bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 1))).toBe('0'.repeat(10) + '0'.repeat(15) + '1');
    // The top bit of the first byte is bit 79, the top bit of the first character (16 = G).
    expect(ulid(at, bytes(128, 0, 0, 0, 0, 0, 0, 0, 0, 0))).toBe('0'.repeat(10) + 'G' + '0'.repeat(15));
    // 0b00001_00010_00011_00100_00101_00110_00111_01000 in five bytes, then zeros.
    expect(ulid(at, bytes(0b00001000, 0b10000110, 0b01000010, 0b10011000, 0b11101000, 0, 0, 0, 0, 0))).toBe(
      '0'.repeat(10) + '12345678' + '0'.repeat(8),
    );
  });

  it('uses Crockford’s alphabet (no I, L, O or U) for the time', () => {
    // 18, 19, 20, 21, 22, 27 in the last six characters of the time: J K M N P V.
    const ms = ((((18 * 32 + 19) * 32 + 20) * 32 + 21) * 32 + 22) * 32 + 27;
    expect(ulid(new Date(ms), zeros()).slice(0, 10)).toBe('0000JKMNPV');
  });

  it('takes the largest time a ULID holds (2^48 - 1 ms)', () => {
    expect(ulid(new Date(2 ** 48 - 1), zeros()).slice(0, 10)).toBe('7ZZZZZZZZZ');
  });

  it('sorts by creation time and matches the id pattern', () => {
    const earlier = ulid(new Date('2024-01-10T12:00:00.000Z'));
    const later = ulid(new Date('2024-01-10T12:00:00.001Z'));
    expect(earlier < later).toBe(true);
    expect([earlier, later].every((id) => ULID_PATTERN.test(id))).toBe(true);
    expect(earlier).not.toBe(ulid(new Date('2024-01-10T12:00:00.000Z')));
    for (const other of ['0'.repeat(27), `${'0'.repeat(25)}a`, `-${'0'.repeat(26)}`, `${'0'.repeat(26)}-`]) {
      expect({ other, match: ULID_PATTERN.test(other) }).toEqual({ other, match: false });
    }
  });
});
