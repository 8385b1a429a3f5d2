import { requireCurrency } from '../../../lambdas/domain/currency';
import { Decimal } from '../../../lambdas/domain/decimal';
import {
  DomainError,
  InvalidAmountError,
  UnsupportedCurrencyError,
} from '../../../lambdas/domain/errors';
import {
  formatAmount,
  Money,
  type RoundingMode,
  roundToMinorUnits,
} from '../../../lambdas/domain/money';

const round = (amount: string, code: string, mode?: RoundingMode) =>
  roundToMinorUnits(new Decimal(amount), requireCurrency(code), mode).toString();

describe('roundToMinorUnits', () => {
  it.each([
    ['2.345', 'USD', '2.34'],
    ['2.355', 'USD', '2.36'],
    ['2.3450000001', 'USD', '2.35'],
    ['0.5', 'JPY', '0'],
    ['1.5', 'JPY', '2'],
    ['2.5', 'JPY', '2'],
    ['1.2345', 'KWD', '1.234'],
    ['1.2355', 'KWD', '1.236'],
    ['0.123456785', 'BTC', '0.12345678'],
    ['0.123456795', 'BTC', '0.1234568'],
    ['-2.345', 'USD', '-2.34'],
  ])('rounds %s %s half-even to %s', (amount, code, expected) => {
    expect(round(amount, code)).toBe(expected);
  });

  it.each([
    ['2.345', 'HALF_UP', '2.35'],
    ['-2.345', 'HALF_UP', '-2.35'],
    ['2.349', 'DOWN', '2.34'],
    ['-2.349', 'DOWN', '-2.34'],
    ['2.341', 'UP', '2.35'],
    ['-2.341', 'UP', '-2.35'],
    ['2.34', 'UP', '2.34'],
  ] as const)('rounds %s USD %s to %s', (amount, mode, expected) => {
    expect(round(amount, 'USD', mode)).toBe(expected);
  });

  it('never produces a negative zero', () => {
    const rounded = roundToMinorUnits(new Decimal('-0.001'), requireCurrency('USD'));

    expect(rounded.isNegative()).toBe(false);
    expect(formatAmount(new Decimal('-0.001'), requireCurrency('USD'))).toBe('0.00');
  });
});

describe('formatAmount', () => {
  it.each([
    ['1234.5', 'USD', '1234.50'],
    ['138.05', 'JPY', '138'],
    ['138.5', 'JPY', '138'],
    ['1', 'KWD', '1.000'],
    ['0.5', 'BTC', '0.50000000'],
    ['0.000000001', 'BTC', '0.00000000'],
    ['123456789012345678901234567890.125', 'USD', '123456789012345678901234567890.12'],
    ['123456789012345678901234567890.135', 'USD', '123456789012345678901234567890.14'],
  ])('formats %s %s as %s', (amount, code, expected) => {
    expect(formatAmount(new Decimal(amount), requireCurrency(code))).toBe(expected);
  });
});

describe('Money', () => {
  it('keeps the full-precision amount and serializes it as a string', () => {
    const money = Money.of('12.505', 'USD');

    expect(money.amount.toString()).toBe('12.505');
    expect(money.currency.code).toBe('USD');
    expect(money.toString()).toBe('12.505');
    expect(JSON.stringify({ total: money })).toBe('{"total":{"amount":"12.505","currency":"USD"}}');
  });

  it('rounds to the currency only when asked', () => {
    expect(Money.of('12.505', 'USD').rounded().toJSON()).toEqual({
      amount: '12.5',
      currency: 'USD',
    });
    expect(Money.of('12.505', 'USD').rounded('HALF_UP').toString()).toBe('12.51');
    expect(Money.of('12.505', 'USD').format()).toBe('12.50');
    expect(Money.of('1999.5', 'JPY').format()).toBe('2000');
  });

  it('accepts zero and a Decimal', () => {
    expect(Money.of('0', 'EUR').toJSON()).toEqual({ amount: '0', currency: 'EUR' });
    expect(Money.of(new Decimal('0.1'), 'BTC').toString()).toBe('0.1');
  });

  it.each([['-1'], ['1e5'], [' 1'], ['abc']])('rejects the amount %p', (amount) => {
    expect(() => Money.of(amount, 'USD')).toThrow(InvalidAmountError);
  });

  it('rejects negative and non-finite Decimals', () => {
    expect(() => Money.of(new Decimal('-0.01'), 'USD')).toThrow(InvalidAmountError);
    expect(() => Money.of(new Decimal(NaN), 'USD')).toThrow(InvalidAmountError);
    expect(() => Money.of(new Decimal(Infinity), 'USD')).toThrow(InvalidAmountError);
  });

  it('names the field and shows the value in the error a client sees', () => {
    expect(() => Money.of('abc', 'USD')).toThrow(
      expect.objectContaining({
        code: 'INVALID_AMOUNT',
        message: 'amount must be a decimal string like "12.50"; got "abc"',
        details: { field: 'amount', value: 'abc' },
      }),
    );
    // 112 characters: the message and details show the first 64 only.
    const long = `-0.${'0'.repeat(49)}${'1'.repeat(60)}`;
    const shown = `-0.${'0'.repeat(49)}${'1'.repeat(12)}`;
    expect(() => Money.of(new Decimal(long), 'USD')).toThrow(
      expect.objectContaining({
        message: `amount must be zero or a positive decimal; got ${shown}`,
        details: { field: 'amount', value: shown },
      }),
    );
  });

  it('rejects an unsupported currency', () => {
    expect(() => Money.of('1', 'XAU')).toThrow(UnsupportedCurrencyError);
  });

  it('is immutable', () => {
    const money = Money.of('1', 'USD');

    expect(Object.isFrozen(money)).toBe(true);
    expect(() => {
      (money as unknown as { amount: unknown }).amount = new Decimal(2);
    }).toThrow(TypeError);
  });

  it('adds amounts in the same currency exactly', () => {
    const total = Money.of('0.1', 'USD').plus(Money.of('0.2', 'USD'));

    expect(total.toString()).toBe('0.3');
  });

  it('refuses to add different currencies', () => {
    const add = () => Money.of('1', 'USD').plus(Money.of('1', 'EUR'));

    expect(add).toThrow(DomainError);
    expect(add).toThrow(
      expect.objectContaining({
        code: 'CURRENCY_MISMATCH',
        message: 'Cannot add EUR to USD',
        details: { currencies: ['USD', 'EUR'] },
      }),
    );
  });

  it('multiplies at full precision', () => {
    expect(Money.of('19.99', 'USD').times(new Decimal('0.015')).toString()).toBe('0.29985');
    expect(() => Money.of('1', 'USD').times(new Decimal(-1))).toThrow(InvalidAmountError);
  });
});
