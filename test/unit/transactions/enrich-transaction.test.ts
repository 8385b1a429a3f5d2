import { Decimal } from '../../../lambdas/domain/decimal';
import { InvalidAmountError } from '../../../lambdas/domain/errors';
import { userIdHash } from '../../../lambdas/domain/pii';
import {
  categorize,
  checkTransactionRules,
  enrichTransaction,
  isHighValueAlert,
  type AppliedRate,
  type ValidTransaction,
} from '../../../lambdas/domain/transaction';
import { HMAC_KEY, RULES } from '../../support/transactions';

describe('categorize and isHighValueAlert (USD thresholds 100 / 1000 / alert above 3000)', () => {
  it.each([
    ['0.01', 'standard', false],
    ['99.99', 'standard', false],
    ['100', 'medium_value', false],
    ['100.00', 'medium_value', false],
    ['999.99', 'medium_value', false],
    ['1000', 'high_value', false],
    ['3000', 'high_value', false],
    ['3000.01', 'high_value', true],
  ])('%s USD is %s, alert %s', (amount, category, alert) => {
    expect(categorize(new Decimal(amount), RULES)).toBe(category);
    expect(isHighValueAlert(new Decimal(amount), RULES)).toBe(alert);
  });

  it('uses the configured thresholds', () => {
    const rules = { mediumValueFrom: '50', highValueFrom: '500', alertAbove: '500' };

    expect(categorize(new Decimal('49.99'), rules)).toBe('standard');
    expect(categorize(new Decimal('50'), rules)).toBe('medium_value');
    expect(categorize(new Decimal('500'), rules)).toBe('high_value');
    expect(isHighValueAlert(new Decimal('500'), rules)).toBe(false);
    expect(isHighValueAlert(new Decimal('500.01'), rules)).toBe(true);
  });
});

describe('enrichTransaction', () => {
  const tx: ValidTransaction = {
    transaction_id: 'tx-1',
    user_id: 'user-42',
    amount: '1234.50',
    currency: 'EUR',
    timestamp: '2024-01-10T12:00:00.000Z',
    merchant: 'Café',
    country: 'FR',
  };
  /** A published rate used as it is: numerator the rate, denominator 1. */
  const published = (rate: string, rest: Omit<AppliedRate, 'rate' | 'numerator' | 'denominator'>): AppliedRate => ({
    rate,
    numerator: new Decimal(rate),
    denominator: new Decimal(1),
    ...rest,
  });
  const ecb = published('1.0163', { asOf: '2024-01-10T15:00:00.000Z', provider: 'ecb', via: 'EUR/USD' });
  const identity = published('1', { asOf: tx.timestamp, provider: 'identity', via: 'identity' });
  const enrich = (overrides: Partial<ValidTransaction> = {}, rate: AppliedRate = ecb) =>
    enrichTransaction(
      { ...tx, ...overrides },
      {
        rate,
        userIdHash: userIdHash(HMAC_KEY, 'user-42'),
        rules: RULES,
        processedAt: '2024-01-10T12:00:05.000Z',
      },
    );

  it('converts at the given rate, rounds half-even to cents, and records the rate used', () => {
    // 1234.50 x 1.0163 = 1254.62235 -> 1254.62
    expect(enrich()).toEqual({
      transaction_id: 'tx-1',
      user_id_hash: userIdHash(HMAC_KEY, 'user-42'),
      amount: '1234.50',
      currency: 'EUR',
      amount_base: '1254.62',
      amount_base_exact: '1254.62235',
      base_currency: 'USD',
      rate: '1.0163',
      rate_as_of: '2024-01-10T15:00:00.000Z',
      rate_provider: 'ecb',
      rate_via: 'EUR/USD',
      category: 'high_value',
      high_value_alert: false,
      merchant: 'Café',
      country: 'FR',
      timestamp: '2024-01-10T12:00:00.000Z',
      processed_at_utc: '2024-01-10T12:00:05.000Z',
    });
  });

  it('never carries the raw user id', () => {
    expect(JSON.stringify(enrich())).not.toContain('user-42');
  });

  it.each([
    ['0.125', '0.12'],
    ['0.135', '0.14'],
    ['2.675', '2.68'],
  ])('rounds %s half-even to %s', (amount, expected) => {
    expect(enrich({ amount, currency: 'USD' }, identity).amount_base).toBe(expected);
  });

  it('categorizes the rounded amount_base that is stored: 99.995 USD rounds to 100.00, medium_value', () => {
    expect(enrich({ amount: '99.995', currency: 'USD' }, identity)).toMatchObject({
      amount_base: '100.00',
      amount_base_exact: '99.995',
      category: 'medium_value',
    });
  });

  it('compares in the base currency: 3000 EUR at 1.0163 raises the alert, 2951.88 EUR (3000.00 USD) does not', () => {
    expect(enrich({ amount: '3000' })).toMatchObject({
      amount_base: '3048.90',
      high_value_alert: true,
    });
    expect(enrich({ amount: '2952' })).toMatchObject({
      amount_base: '3000.12',
      high_value_alert: true,
    });
    expect(enrich({ amount: '2951.88' })).toMatchObject({
      amount_base: '3000.00',
      amount_base_exact: '2999.995644',
      category: 'high_value',
      high_value_alert: false,
    });
  });

  it.each([
    ['3000.004', '3000.00', false],
    ['3000.005', '3000.00', false],
    ['3000.006', '3000.01', true],
  ])('alerts on the rounded amount: %s USD is stored as %s, alert %s', (amount, stored, alert) => {
    expect(enrich({ amount, currency: 'USD' }, identity)).toMatchObject({
      amount_base: stored,
      high_value_alert: alert,
    });
  });

  it('converts a cross as (amount x numerator) / denominator, one division: 3.045 at 1/3 is exactly 1.015 -> 1.02', () => {
    // Multiplying by the 60-digit rate 0.333...3 would give 1.014999... and round down to 1.01.
    const third: AppliedRate = { rate: new Decimal(1).div(3).toString(), numerator: new Decimal(1), denominator: new Decimal(3), asOf: tx.timestamp, provider: 'oxr', via: 'USD/XYZ' };

    expect(enrich({ amount: '3.045' }, third)).toMatchObject({ amount_base: '1.02', amount_base_exact: '1.015' });
  });

  it('uses the base currency minor units (JPY has none)', () => {
    const result = enrichTransaction(tx, {
      rate: published('158.47', { asOf: ecb.asOf, provider: 'ecb', via: 'EUR/JPY' }),
      userIdHash: 'h',
      rules: {
        ...RULES,
        baseCurrency: 'JPY',
        mediumValueFrom: '10000',
        highValueFrom: '100000',
        alertAbove: '500000',
      },
      processedAt: tx.timestamp,
    });

    // 1234.50 x 158.47 = 195631.215 -> 195631
    expect(result).toMatchObject({
      amount_base: '195631',
      base_currency: 'JPY',
      category: 'high_value',
    });
  });

  it('refuses an amount_base the curated DECIMAL(38,18) column cannot hold', () => {
    expect(() =>
      enrich({ amount: '99999999999999999999', currency: 'BTC' }, published('43000', { asOf: ecb.asOf, provider: 'coingecko', via: 'USD/BTC' })),
    ).toThrow(InvalidAmountError);
  });
});

describe('checkTransactionRules', () => {
  it('accepts the stage defaults', () => {
    expect(checkTransactionRules(JSON.parse(JSON.stringify(RULES)))).toEqual(RULES);
  });

  it.each([
    [{ ...RULES, baseCurrency: 'usd' }, 'Unsupported currency'],
    [{ ...RULES, highValueFrom: 1000 }, 'highValueFrom must be a decimal string'],
    [{ ...RULES, maxFutureSkewSeconds: '300' }, 'maxFutureSkewSeconds'],
  ])('rejects %j', (rules, message) => {
    expect(() => checkTransactionRules(rules)).toThrow(message);
  });
});
