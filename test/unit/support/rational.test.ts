import { convertReference, rational, roundToMinorUnits, sum } from '../../support/rational';

// The tests' reference must itself be right: every expected value here is worked out by hand.
describe('the BigInt-rational reference of test/support', () => {
  it('parses plain and exponent decimals exactly and reduces fractions', () => {
    expect(rational('12.50').toString()).toBe('25/2');
    expect(rational('-0.001').toString()).toBe('-1/1000');
    expect(rational('1.05e-5').toString()).toBe('21/2000000');
    expect(rational('3E2').toString()).toBe('300/1');
    expect(() => rational('1,5')).toThrow(/not a decimal/);
    expect(() => rational('1').dividedBy('0')).toThrow(/division by zero/);
  });

  it('rounds half to even at a number of decimals', () => {
    expect(['0.125', '0.135', '0.1251', '2.5', '3.5', '-2.5', '-0.005'].map((v) => rational(v).toFixedHalfEven(2))).toEqual([
      '0.12', '0.14', '0.13', '2.50', '3.50', '-2.50', '0.00',
    ]);
    expect(['2.5', '3.5', '-3.5', '0.5'].map((v) => rational(v).toFixedHalfEven(0))).toEqual(['2', '4', '-4', '0']);
    expect(rational('4.7630').dividedBy('1').toTrimmedHalfEven(38)).toBe('4.763');
  });

  it('rounds at significant digits wherever the first digit is', () => {
    expect(rational('1').dividedBy('3').toSignificantHalfEven(5)).toBe('0.33333');
    expect(rational('200').dividedBy('3').toSignificantHalfEven(5)).toBe('66.667');
    expect(rational('0.0012345').toSignificantHalfEven(4)).toBe('0.001234');
    expect(rational('1000').toSignificantHalfEven(2)).toBe('1000');
    expect(rational('0.1').toSignificantHalfEven(3)).toBe('0.1');
  });

  it('converts once, half-even, to the target minor units', () => {
    // 1000 USD to JPY at 138.05 / 1.0163 = 135836.07…: 0 decimals.
    expect(convertReference('1000', '138.05', '1.0163', 'JPY')).toBe('135836');
    // 0.125 USD is half-way between cents: even.
    expect(convertReference('0.125', '1', '1', 'USD')).toBe('0.12');
    expect(roundToMinorUnits(rational('1.0005'), 'KWD')).toBe('1.000');
    expect(() => roundToMinorUnits(rational('1'), 'XXX')).toThrow(/no minor units/);
    expect(sum(['0.10', '0.20']).equals('0.3')).toBe(true);
    expect(rational('0.30').compare('0.3')).toBe(0);
  });
});
