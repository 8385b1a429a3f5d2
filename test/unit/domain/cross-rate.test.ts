import { requireCurrency } from '../../../lambdas/domain/currency';
import { convert, exactProduct, inverseOf, rateOf, type RateFraction } from '../../../lambdas/domain/cross-rate';
import { Decimal } from '../../../lambdas/domain/decimal';

const fraction = (numerator: string, denominator = '1'): RateFraction => ({
  numerator: new Decimal(numerator),
  denominator: new Decimal(denominator),
});

// ECB euro reference rates of 2022-07-08, as published: USD->JPY is (JPY/EUR) / (USD/EUR).
const usdToJpy = fraction('138.05', '1.0163');
const jpyToUsd = fraction('1.0163', '138.05');

describe('exactProduct', () => {
  it('multiplies published numbers without rounding, however many digits the product has', () => {
    const product = exactProduct(['1.23456789012345678901234567890123456789', '9.87654321098765432109876543210987654321', '3']);

    // 39 x 39 significant digits: a 78-digit product (Python's decimal at 200 digits), beyond the 60 of one division.
    expect(product.toFixed()).toBe('36.5797893411065385678555098201600365783461362596008687699967123914033337905807');
  });

  it('is 1 for no factors', () => {
    expect(exactProduct([]).toString()).toBe('1');
  });
});

describe('rateOf and inverseOf', () => {
  it('divide once at 60 significant digits, half-even', () => {
    // 138.05 / 1.0163 to 60 significant digits, half-even (Python's decimal module, prec=60).
    expect(rateOf(usdToJpy).toString()).toBe('135.83587523369083931909869133129981304732854472104693496015');
    expect(inverseOf(usdToJpy).toSignificantDigits(55).toString()).toBe(rateOf(jpyToUsd).toSignificantDigits(55).toString());
  });

  it('are exact when the quotient terminates', () => {
    expect(rateOf(fraction('1.25', '0.8')).toString()).toBe('1.5625');
    expect(inverseOf(fraction('8')).toString()).toBe('0.125');
  });
});

describe('convert', () => {
  it('converts USD to JPY through the EUR feed and rounds once to yen', () => {
    const result = convert(new Decimal(100), usdToJpy, requireCurrency('JPY'));

    expect(result.exact.toString()).toBe('13583.587523369083931909869133129981304732854472104693496015');
    expect(result.rounded.toString()).toBe('13584');
  });

  it('uses the fraction, never a rounded intermediate (a 4-digit rate would give 7400.00)', () => {
    expect(convert(new Decimal(1_000_000), jpyToUsd, requireCurrency('USD')).rounded.toString()).toBe('7361.83');
  });

  it('lands on the exact half-way point the fraction gives: 3.045 x 1/3 = 1.015 -> 1.02, not 1.01', () => {
    const result = convert(new Decimal('3.045'), fraction('1', '3'), requireCurrency('USD'));

    expect(result.exact.toString()).toBe('1.015');
    expect(result.rounded.toString()).toBe('1.02');
  });

  it('rounds exact half-cent ties half-even at the ECB rates of 2022-07-08 (BRL 5.4345 per EUR)', () => {
    const brlToEur = fraction('1', '5.4345');
    // 0.1902075 / 5.4345 = 0.035 exactly (5.4345 x 0.035 = 0.1902075): half-even up to the even 4.
    expect(convert(new Decimal('0.1902075'), brlToEur, requireCurrency('EUR')).rounded.toFixed(2)).toBe('0.04');
    // 0.1358625 / 5.4345 = 0.025 exactly: half-even down to the even 2.
    expect(convert(new Decimal('0.1358625'), brlToEur, requireCurrency('EUR')).rounded.toFixed(2)).toBe('0.02');
  });

  it('converts a 30-digit amount exactly', () => {
    // (10^30 - 1) x 1.0163 = 1016300000000000000000000000000 - 1.0163
    const amount = new Decimal('999999999999999999999999999999');
    const rate = fraction('1.0163');

    const usd = convert(amount, rate, requireCurrency('USD'));
    const jpy = convert(amount, rate, requireCurrency('JPY'));
    const kwd = convert(amount, rate, requireCurrency('KWD'), 'DOWN');

    expect(usd.exact.toString()).toBe('1016299999999999999999999999998.9837');
    expect(usd.rounded.toString()).toBe('1016299999999999999999999999998.98');
    expect(jpy.rounded.toString()).toBe('1016299999999999999999999999999');
    expect(kwd.rounded.toString()).toBe('1016299999999999999999999999998.983');
  });

  it('breaks a tie in the 30th digit half-even', () => {
    const half = fraction('0.5');
    const jpy = requireCurrency('JPY');

    const odd = convert(new Decimal('123456789012345678901234567891'), half, jpy);
    const even = convert(new Decimal('123456789012345678901234567893'), half, jpy);

    expect(odd.exact.toString()).toBe('61728394506172839450617283945.5');
    expect(odd.rounded.toString()).toBe('61728394506172839450617283946');
    expect(even.exact.toString()).toBe('61728394506172839450617283946.5');
    expect(even.rounded.toString()).toBe('61728394506172839450617283946');
    expect(convert(new Decimal('123456789012345678901234567891'), half, jpy, 'DOWN').rounded.toString()).toBe('61728394506172839450617283945');
  });

  it('converts into crypto with 8 digits', () => {
    expect(convert(new Decimal('1'), fraction('0.000046512345'), requireCurrency('BTC')).rounded.toString()).toBe('0.00004651');
  });
});
