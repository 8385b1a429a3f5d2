import { requireCurrency } from '../../../lambdas/domain/currency';
import { Decimal } from '../../../lambdas/domain/decimal';
import { convert, crossRate, invertRate, type RateTable } from '../../../lambdas/domain/cross-rate';
import { InvalidRateError, RateNotFoundError } from '../../../lambdas/domain/errors';

const table = (base: string, rates: Record<string, string>): RateTable => ({
  base,
  rates: new Map(Object.entries(rates).map(([code, rate]) => [code, new Decimal(rate)])),
});

// ECB euro reference rates of 2022-07-08, as published.
const ecb = table('EUR', { USD: '1.0163', JPY: '138.05' });

describe('crossRate', () => {
  it('returns the published rate against the base', () => {
    expect(crossRate(ecb, 'EUR', 'JPY').toString()).toBe('138.05');
  });

  it('divides two rates with terminating quotients exactly', () => {
    const simple = table('EUR', { USD: '1.25', GBP: '0.8' });

    expect(crossRate(simple, 'USD', 'GBP').toString()).toBe('0.64');
    expect(crossRate(simple, 'GBP', 'USD').toString()).toBe('1.5625');
    expect(crossRate(simple, 'USD', 'EUR').toString()).toBe('0.8');
  });

  it('computes USD->JPY from the EUR feed as JPY/EUR / USD/EUR to 60 digits', () => {
    const rate = crossRate(ecb, 'USD', 'JPY');

    // 138.05 / 1.0163 to 60 significant digits, half-even (Python's decimal module, prec=60).
    expect(rate.toString()).toBe('135.83587523369083931909869133129981304732854472104693496015');
    // Hand check: 1.0163 x 135.8358752 = 138.04999996576.
    expect(rate.toSignificantDigits(10).toString()).toBe('135.8358752');
    expect(rate.times('1.0163').minus('138.05').abs().lt('1e-56')).toBe(true);
  });

  it('returns 1 for the same currency', () => {
    expect(crossRate(ecb, 'USD', 'USD').toString()).toBe('1');
  });

  it('names the missing currency', () => {
    const lookup = () => crossRate(ecb, 'USD', 'CHF');

    expect(lookup).toThrow(RateNotFoundError);
    expect(lookup).toThrow(
      expect.objectContaining({
        code: 'RATE_NOT_FOUND',
        message: expect.stringContaining('CHF'),
        details: { currency: 'CHF', base: 'EUR' },
      }),
    );
    expect(() => crossRate(ecb, 'CHF', 'USD')).toThrow(RateNotFoundError);
  });

  it('refuses a zero rate instead of dividing by it', () => {
    expect(() => crossRate(table('EUR', { USD: '0', JPY: '138.05' }), 'USD', 'JPY')).toThrow(
      InvalidRateError,
    );
  });
});

describe('invertRate', () => {
  it('inverts exactly when the quotient terminates', () => {
    expect(invertRate(new Decimal(8)).toString()).toBe('0.125');
    expect(invertRate(new Decimal('0.8')).toString()).toBe('1.25');
  });

  it('agrees with the cross rate the other way round', () => {
    const jpyToUsd = crossRate(ecb, 'JPY', 'USD');

    expect(invertRate(crossRate(ecb, 'USD', 'JPY')).toSignificantDigits(55)).toEqual(
      jpyToUsd.toSignificantDigits(55),
    );
  });

  it.each(['0', '-1'])('rejects %s', (rate) => {
    expect(() => invertRate(new Decimal(rate))).toThrow(InvalidRateError);
  });
});

describe('convert', () => {
  it('converts USD to JPY through the EUR feed and rounds once to yen', () => {
    const result = convert(new Decimal(100), crossRate(ecb, 'USD', 'JPY'), requireCurrency('JPY'));

    expect(result.exact.toString()).toBe(
      '13583.587523369083931909869133129981304732854472104693496015',
    );
    expect(result.rounded.toString()).toBe('13584');
  });

  it('uses the unrounded cross rate (a 4-digit intermediate would give 7400.00)', () => {
    const jpyToUsd = crossRate(ecb, 'JPY', 'USD'); // 0.0073618254...

    const result = convert(new Decimal(1_000_000), jpyToUsd, requireCurrency('USD'));

    expect(result.rounded.toString()).toBe('7361.83');
  });

  it('converts a 30-digit amount exactly', () => {
    // (10^30 - 1) x 1.0163 = 1016300000000000000000000000000 - 1.0163
    const amount = new Decimal('999999999999999999999999999999');
    const rate = new Decimal('1.0163');

    const usd = convert(amount, rate, requireCurrency('USD'));
    const jpy = convert(amount, rate, requireCurrency('JPY'));
    const kwd = convert(amount, rate, requireCurrency('KWD'), 'DOWN');

    expect(usd.exact.toString()).toBe('1016299999999999999999999999998.9837');
    expect(usd.rounded.toString()).toBe('1016299999999999999999999999998.98');
    expect(jpy.rounded.toString()).toBe('1016299999999999999999999999999');
    expect(kwd.rounded.toString()).toBe('1016299999999999999999999999998.983');
  });

  it('breaks a tie in the 30th digit half-even', () => {
    const half = new Decimal('0.5');
    const jpy = requireCurrency('JPY');

    const odd = convert(new Decimal('123456789012345678901234567891'), half, jpy);
    const even = convert(new Decimal('123456789012345678901234567893'), half, jpy);

    expect(odd.exact.toString()).toBe('61728394506172839450617283945.5');
    expect(odd.rounded.toString()).toBe('61728394506172839450617283946');
    expect(even.exact.toString()).toBe('61728394506172839450617283946.5');
    expect(even.rounded.toString()).toBe('61728394506172839450617283946');
    expect(
      convert(new Decimal('123456789012345678901234567891'), half, jpy, 'DOWN').rounded.toString(),
    ).toBe('61728394506172839450617283945');
  });

  it('converts into crypto with 8 digits', () => {
    const result = convert(new Decimal('1'), new Decimal('0.000046512345'), requireCurrency('BTC'));

    expect(result.rounded.toString()).toBe('0.00004651');
  });
});
