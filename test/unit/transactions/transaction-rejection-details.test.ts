import { Decimal } from '../../../lambdas/domain/decimal';
import { InvalidAmountError } from '../../../lambdas/domain/errors';
import {
  checkTransactionRules,
  enrichTransaction,
  shownValue,
  validateTransaction,
  type AppliedRate,
  type ValidTransaction,
} from '../../../lambdas/domain/transaction';
import { RULES } from '../../support/transactions';

// The detail of a rejection is what an operator reads in a quarantine line or a rejects file:
// each expectation below is the text README's feed contract promises, written out by hand.
const NOW = new Date('2024-01-10T12:00:00.000Z');
const GOOD = {
  transaction_id: 'tx-1',
  user_id: 'user-1',
  amount: '12.50',
  currency: 'EUR',
  timestamp: '2024-01-10T11:00:00Z',
  merchant: 'Café',
};
const rejection = (record: unknown) => {
  const result = validateTransaction(record, NOW, 300);
  if (result.ok) throw new Error('expected a rejection');
  return { reason: result.reason, detail: result.detail };
};

describe('the detail of a rejected feed record', () => {
  it.each([null, [], 'text', 42])('names a record that is not a JSON object (%p)', (record) => {
    expect(rejection(record)).toEqual({
      reason: 'MALFORMED',
      detail: 'a transaction must be a JSON object',
    });
  });

  it('names a text field that is not a string', () => {
    expect(rejection({ ...GOOD, merchant: 7 })).toEqual({
      reason: 'MALFORMED',
      detail: 'merchant must be a string',
    });
  });

  it('quotes an invalid amount string of up to 64 characters, and only its length beyond', () => {
    const sixtyFour = `x${'9'.repeat(63)}`;
    expect(rejection({ ...GOOD, amount: sixtyFour }).detail).toContain(`"${sixtyFour}"`);
    const sixtyFive = `x${'9'.repeat(64)}`;
    expect(rejection({ ...GOOD, amount: sixtyFive })).toEqual({
      reason: 'INVALID_AMOUNT',
      detail: 'amount must be a positive decimal string like "12.50"; got a 65-character string',
    });
  });

  it("keeps the amount parser's own reason for a number or a string of up to 64 characters", () => {
    // A JSON number that is not exact must be sent as a string (README, feed contract).
    expect(rejection({ ...GOOD, amount: 0.30000000000000004 }).detail).toContain(
      'send it as a string',
    );
    // 64 digits: too many significant digits, said as such; 65 characters: only the length is shown.
    expect(rejection({ ...GOOD, amount: '1'.repeat(64) }).detail).toContain(
      'more than 38 significant digits',
    );
    expect(rejection({ ...GOOD, amount: '1'.repeat(65) }).detail).toBe(
      'amount must be a positive decimal string like "12.50"; got a 65-character string',
    );
  });

  it('names the fraction and integer digit limits of the curated DECIMAL(38,18) column', () => {
    expect(rejection({ ...GOOD, amount: '1.0000000000000000001' })).toEqual({
      reason: 'INVALID_AMOUNT',
      detail: 'amount has more than 18 fraction digits; got 1.0000000000000000001',
    });
    expect(rejection({ ...GOOD, amount: '100000000000000000000' })).toEqual({
      reason: 'INVALID_AMOUNT',
      detail: 'amount has more than 20 integer digits; got 100000000000000000000',
    });
    expect(
      validateTransaction({ ...GOOD, amount: '99999999999999999999.999999999999999999' }, NOW, 300)
        .ok,
    ).toBe(true);
  });

  it('names a timestamp beyond the allowed clock skew, with the skew and the time it was checked at', () => {
    expect(rejection({ ...GOOD, timestamp: '2024-01-10T12:05:01Z' })).toEqual({
      reason: 'FUTURE_TIMESTAMP',
      detail: 'timestamp "2024-01-10T12:05:01Z" is more than 300s after 2024-01-10T12:00:00.000Z',
    });
    expect(validateTransaction({ ...GOOD, timestamp: '2024-01-10T12:05:00Z' }, NOW, 300).ok).toBe(
      true,
    );
  });
});

describe('optional fields of a valid record', () => {
  it.each([undefined, null, ''])(
    'leaves out merchant_category and country given as %p',
    (value) => {
      const result = validateTransaction(
        { ...GOOD, merchant_category: value, country: value },
        NOW,
        300,
      );
      expect(result.ok && Object.keys(result.value).sort()).toEqual([
        'amount',
        'currency',
        'merchant',
        'timestamp',
        'transaction_id',
        'user_id',
      ]);
    },
  );

  it('keeps them when they have a value', () => {
    const result = validateTransaction(
      { ...GOOD, merchant_category: '5411', country: 'DE' },
      NOW,
      300,
    );
    expect(result.ok && result.value).toMatchObject({ merchant_category: '5411', country: 'DE' });
  });
});

/** A JSON number read with its digits kept, as the feed reader reads amounts. */
const rawJson = (digits: string): unknown =>
  (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON(digits);

describe('shownValue: how a detail shows a bad value', () => {
  it.each([
    ['a'.repeat(64), `"${'a'.repeat(64)}"`],
    ['a'.repeat(65), 'a 65-character string'],
    [12.5, '12.5'],
    [true, 'true'],
    [false, 'false'],
    [null, 'null'],
    [rawJson('12.50'), '12.50'],
    [rawJson('1'.repeat(65)), 'a long number'],
    [rawJson('1'.repeat(64)), '1'.repeat(64)],
    [[1, 2], 'an array'],
    [{ nested: 'secret' }, 'an object'],
    [undefined, 'a undefined'],
    [10n, 'a bigint'],
  ])('%p is shown as %p', (value, shown) => {
    expect(shownValue(value)).toBe(shown);
  });
});

describe('transaction rules from configuration', () => {
  const valid = {
    baseCurrency: 'USD',
    mediumValueFrom: '100',
    highValueFrom: '1000',
    alertAbove: '3000',
    maxFutureSkewSeconds: 300,
  };

  it.each(['1.5.0', '-1', '1.', '.5', 'abc1', '1e3', ' 1'])(
    'refuses the threshold %p, naming the setting and the value',
    (bad) => {
      expect(() => checkTransactionRules({ ...valid, highValueFrom: bad })).toThrow(
        new Error(
          `transaction rules: highValueFrom must be a decimal string, got ${JSON.stringify(bad)}`,
        ),
      );
    },
  );

  it('refuses a threshold that is not a string', () => {
    expect(() => checkTransactionRules({ ...valid, alertAbove: 3000 })).toThrow(
      new Error('transaction rules: alertAbove must be a decimal string, got 3000'),
    );
  });

  it.each([1.5, -1, '300'])('refuses the clock skew %p', (bad) => {
    expect(() => checkTransactionRules({ ...valid, maxFutureSkewSeconds: bad })).toThrow(
      new Error(
        `transaction rules: maxFutureSkewSeconds must be a whole number >= 0, got ${JSON.stringify(bad)}`,
      ),
    );
  });

  it('accepts whole decimal strings and a zero skew', () => {
    expect(
      checkTransactionRules({ ...valid, highValueFrom: '1000.50', maxFutureSkewSeconds: 0 }),
    ).toEqual({ ...valid, highValueFrom: '1000.50', maxFutureSkewSeconds: 0 });
  });
});

describe('enrichTransaction at the edges of the curated columns', () => {
  const tx: ValidTransaction = {
    transaction_id: 'tx-1',
    user_id: 'user-1',
    amount: '99999999999999999999',
    currency: 'EUR',
    timestamp: '2024-01-10T11:00:00.000Z',
    merchant: 'Café',
  };
  const rate = (r: string): AppliedRate => ({
    rate: r,
    numerator: new Decimal(r),
    denominator: new Decimal(1),
    asOf: '2024-01-09T15:00:00.000Z',
    provider: 'ecb',
    via: 'EUR/USD',
  });
  const enrich = (t: ValidTransaction, r: string) =>
    enrichTransaction(t, {
      rate: rate(r),
      userIdHash: 'h'.repeat(64),
      rules: RULES,
      processedAt: '2024-01-10T12:00:00.000Z',
    });

  it('refuses an amount_base with more than 20 integer digits, naming the field', () => {
    // 99999999999999999999 EUR x 10 = 999999999999999999990 USD: 21 integer digits.
    let error: unknown;
    try {
      enrich(tx, '10');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidAmountError);
    expect(error).toMatchObject({
      message: 'amount_base 999999999999999999990 USD has more than 20 integer digits',
      details: { field: 'amount_base' },
    });
  });

  it('writes no merchant_category or country key for a record without them', () => {
    const enriched = enrich({ ...tx, amount: '10.00' }, '1.1');
    expect(Object.keys(enriched)).not.toContain('merchant_category');
    expect(Object.keys(enriched)).not.toContain('country');
    expect(
      enrich({ ...tx, amount: '10.00', merchant_category: '5411', country: 'FR' }, '1.1'),
    ).toMatchObject({ merchant_category: '5411', country: 'FR' });
  });
});
