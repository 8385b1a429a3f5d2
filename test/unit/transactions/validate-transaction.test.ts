import { validateTransaction } from '../../../lambdas/domain/transaction';
import { feedTransaction } from '../../support/transactions';

const NOW = new Date('2024-01-10T12:00:00.000Z');
const SKEW = 300;
const validate = (input: unknown) => validateTransaction(input, NOW, SKEW);
const reasonOf = (input: unknown) => {
  const result = validate(input);
  return result.ok ? 'OK' : result.reason;
};

describe('validateTransaction', () => {
  it('accepts a feed record and normalizes its timestamp to UTC with milliseconds', () => {
    const result = validate(feedTransaction({ timestamp: '2024-01-10T13:00:00+01:00' }));

    expect(result).toEqual({
      ok: true,
      value: {
        transaction_id: 'tx-1',
        user_id: 'user-42',
        amount: '12.50',
        currency: 'USD',
        timestamp: '2024-01-10T12:00:00.000Z',
        merchant: 'Corner Shop',
        merchant_category: 'grocery',
        country: 'US',
      },
    });
  });

  it('accepts a record without the optional merchant_category and country', () => {
    const result = validate(feedTransaction({ merchant_category: undefined, country: null }));

    expect(result.ok && result.value).toEqual(
      expect.not.objectContaining({
        merchant_category: expect.anything(),
        country: expect.anything(),
      }),
    );
  });

  it.each([
    ['null', null],
    ['an array', [feedTransaction()]],
    ['a string', 'tx-1'],
    ['a number', 42],
    ['a numeric transaction_id', feedTransaction({ transaction_id: 17 })],
    ['an object as merchant', feedTransaction({ merchant: { name: 'x' } })],
    [
      'a 2000-character merchant_category',
      feedTransaction({ merchant_category: 'x'.repeat(2000) }),
    ],
  ])('rejects %s as MALFORMED', (_what, input) => {
    expect(reasonOf(input)).toBe('MALFORMED');
  });

  it.each(['transaction_id', 'user_id', 'amount', 'currency', 'timestamp', 'merchant'])(
    'rejects a record without %s, or with it blank, as MISSING_FIELD naming the field',
    (field) => {
      for (const value of [undefined, null, '', '   ']) {
        expect(validate(feedTransaction({ [field]: value }))).toEqual({
          ok: false,
          reason: 'MISSING_FIELD',
          detail: `${field} is missing`,
        });
      }
    },
  );

  it.each([['XYZ'], ['usd'], ['XAU'], ['US'], [840], [['USD']]])(
    'rejects currency %j as UNSUPPORTED_CURRENCY',
    (currency) => {
      expect(reasonOf(feedTransaction({ currency }))).toBe('UNSUPPORTED_CURRENCY');
    },
  );

  it.each(['EUR', 'JPY', 'KWD', 'BTC', 'USDT'])('accepts the supported currency %s', (currency) => {
    expect(reasonOf(feedTransaction({ currency }))).toBe('OK');
  });

  it.each([
    ['zero', '0'],
    ['a negative amount', '-12.50'],
    ['an exponent', '1e3'],
    ['words', 'twelve'],
    ['a comma decimal', '12,50'],
    ['a float that lost digits', 0.1 + 0.2],
    ['a boolean', true],
    ['19 fraction digits (the lake keeps 18)', '0.0000000000000000001'],
    ['21 integer digits (DECIMAL(38,18) holds 20)', '100000000000000000000'],
  ])('rejects %s as INVALID_AMOUNT', (_what, amount) => {
    expect(reasonOf(feedTransaction({ amount }))).toBe('INVALID_AMOUNT');
  });

  it.each([
    ['a decimal string, with its trailing zero', '1234.50', '1234.50'],
    ['an exact JSON number', 12.5, '12.5'],
    ['a safe integer', 1000, '1000'],
    ['18 fraction digits', '0.000000000000000001', '0.000000000000000001'],
    ['20 integer digits', '99999999999999999999.99', '99999999999999999999.99'],
  ])('accepts %s as amount', (_what, amount, expected) => {
    const result = validate(feedTransaction({ amount }));

    expect(result.ok && result.value.amount).toBe(expected);
  });

  it.each([
    ['no zone', '2024-01-10T12:00:00'],
    ['a date only', '2024-01-10'],
    ['a space instead of T and no zone', '2024-01-10 12:00:00'],
    ['February 30th', '2024-02-30T00:00:00Z'],
    ['hour 24', '2024-01-10T24:00:00Z'],
    ['a bad offset', '2024-01-10T12:00:00+25:00'],
    ['free text', 'yesterday'],
    ['epoch milliseconds', 1704888000000],
  ])('rejects a timestamp with %s as INVALID_TIMESTAMP', (_what, timestamp) => {
    expect(reasonOf(feedTransaction({ timestamp }))).toBe('INVALID_TIMESTAMP');
  });

  it.each([
    ['2024-01-10T11:00:00Z', '2024-01-10T11:00:00.000Z'],
    ['2024-01-10T06:30:00-05:30', '2024-01-10T12:00:00.000Z'],
    ['2024-01-10T13:00:00+0100', '2024-01-10T12:00:00.000Z'],
    ['2024-01-10T14:00:00+02', '2024-01-10T12:00:00.000Z'],
    ['2024-01-10T11:59:59.123456789Z', '2024-01-10T11:59:59.123Z'],
    ['2024-01-10T11:59:59.5Z', '2024-01-10T11:59:59.500Z'],
    ['2024-01-11T00:30:00+01:00', '2024-01-10T23:30:00.000Z'],
  ])('normalizes %s to %s', (timestamp, expected) => {
    const result = validateTransaction(
      feedTransaction({ timestamp }),
      new Date('2024-01-11T00:00:00Z'),
      SKEW,
    );

    expect(result.ok && result.value.timestamp).toBe(expected);
  });

  it('accepts a timestamp exactly 5 minutes ahead and rejects one a millisecond later as FUTURE_TIMESTAMP', () => {
    expect(reasonOf(feedTransaction({ timestamp: '2024-01-10T12:05:00.000Z' }))).toBe('OK');
    expect(reasonOf(feedTransaction({ timestamp: '2024-01-10T12:05:00.001Z' }))).toBe(
      'FUTURE_TIMESTAMP',
    );
    expect(reasonOf(feedTransaction({ timestamp: '2024-01-10T14:00:00+01:00' }))).toBe(
      'FUTURE_TIMESTAMP',
    );
  });

  it('never puts the user id in a rejection detail', () => {
    const secret = 'alice@example.com';
    const rejected = [
      feedTransaction({ user_id: secret, amount: 'x' }),
      feedTransaction({ user_id: secret, currency: 'XYZ' }),
      feedTransaction({ user_id: secret, timestamp: 'now' }),
      feedTransaction({ user_id: { email: secret } }),
      feedTransaction({ user_id: secret, merchant: undefined }),
    ].map(validate);

    expect(rejected.every((r) => !r.ok)).toBe(true);
    expect(JSON.stringify(rejected)).not.toContain(secret);
  });

  it('rejects a transaction_id longer than a DynamoDB key may be (2048 bytes in UTF-8) as KEY_TOO_LONG', () => {
    // € is 3 bytes in UTF-8: 682 of them plus "ab" are 2048 bytes, 683 are 2049.
    expect(reasonOf(feedTransaction({ transaction_id: `${'€'.repeat(682)}ab` }))).toBe('OK');
    expect(validate(feedTransaction({ transaction_id: '€'.repeat(683) }))).toEqual({
      ok: false,
      reason: 'KEY_TOO_LONG',
      detail: 'transaction_id is 2049 bytes in UTF-8; DynamoDB keys hold at most 2048',
    });
    expect(reasonOf(feedTransaction({ transaction_id: '€'.repeat(1000) }))).toBe('KEY_TOO_LONG');
    // 1,024 ASCII characters is the longest id at all, well inside the key limit.
    expect(reasonOf(feedTransaction({ transaction_id: 'x'.repeat(1024) }))).toBe('OK');
  });

  it.each([
    ['amount', { amount: { card: '4111111111111111' } }, 'amount must be a positive decimal string like "12.50"; got an object'],
    ['amount', { amount: `4111111111111111${'0'.repeat(100)}` }, 'amount must be a positive decimal string like "12.50"; got a 116-character string'],
    ['currency', { currency: ['4111111111111111'] }, 'currency an array is not a supported ISO 4217 code or crypto asset'],
    ['timestamp', { timestamp: { at: '4111111111111111' } }, 'timestamp an object is not ISO 8601 with a zone, like "2024-01-10T12:00:00Z"'],
  ])('shows a bad %s that is not a short text or number by its kind only', (_field, overrides, detail) => {
    expect(validate(feedTransaction(overrides))).toEqual({ ok: false, reason: expect.any(String), detail });
  });
});
