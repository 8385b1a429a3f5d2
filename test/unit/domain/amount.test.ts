import { parseAmount, parseDecimal, parseRate } from '../../../lambdas/domain/amount';
import { DomainError, InvalidAmountError, InvalidRateError } from '../../../lambdas/domain/errors';

function errorOf(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe('parseAmount', () => {
  it.each([
    ['12.50', '12.5'],
    ['0.01', '0.01'],
    ['007', '7'],
    ['123456789012345678901234567890.12345678', '123456789012345678901234567890.12345678'],
    ['0.00000000000000000000000000000000000001', '0.00000000000000000000000000000000000001'],
  ])('accepts the string %s exactly', (input, expected) => {
    expect(parseAmount(input).toString()).toBe(expected);
  });

  it('keeps all 38 significant digits of the largest accepted amount', () => {
    const max = '9'.repeat(38);

    expect(parseAmount(max).toString()).toBe(max);
    expect(parseAmount(`${'9'.repeat(30)}.${'9'.repeat(8)}`).toString()).toBe(
      `${'9'.repeat(30)}.${'9'.repeat(8)}`,
    );
  });

  it.each([
    [NaN, 'NaN'],
    ['NaN', '"NaN"'],
    ['', '""'],
    [' 1', '" 1"'],
    ['1 ', '"1 "'],
    ['1e5', '"1e5"'],
    ['1E5', '"1E5"'],
    [1e21, '1e+21'],
    [1e-7, '1e-7'],
    ['-5', '"-5"'],
    ['0', '"0"'],
    ['0.000', '"0.000"'],
    ['-0', '"-0"'],
    [0, '0'],
    [-5, '-5'],
    ['+1', '"+1"'],
    ['0x10', '"0x10"'],
    ['1.', '"1."'],
    ['.5', '".5"'],
    ['1,000.00', '"1,000.00"'],
    ['Infinity', '"Infinity"'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
    [null, 'null'],
    [undefined, 'undefined'],
    [true, 'true'],
    [{ amount: '1' }, '{"amount":"1"}'],
    [['1'], '["1"]'],
    [BigInt(5), '5'],
  ])('rejects %p and says what it got', (input, shown) => {
    const error = errorOf(() => parseAmount(input));

    expect(error).toBeInstanceOf(InvalidAmountError);
    expect(error.code).toBe('INVALID_AMOUNT');
    expect(error.name).toBe('InvalidAmountError');
    expect(error.message).toMatch(/^amount /);
    expect(error.message).toContain(`got ${shown}`);
    expect(error.details).toEqual({ field: 'amount', value: expect.any(String) });
  });

  it('explains the expected shape in the message', () => {
    expect(() => parseAmount('1e5')).toThrow(
      'amount must be a positive decimal string like "12.50"; got "1e5"',
    );
  });

  it('names the field it was given', () => {
    const error = errorOf(() => parseAmount('abc', 'fee'));

    expect(error.message).toBe('fee must be a positive decimal string like "12.50"; got "abc"');
    expect(error.details).toEqual({ field: 'fee', value: 'abc' });
  });

  it('truncates long values to 64 characters in details', () => {
    const junk = 'x'.repeat(500);

    const error = errorOf(() => parseAmount(junk));

    expect(error.details).toEqual({ field: 'amount', value: 'x'.repeat(64) });
    expect(error.message.length).toBeLessThan(150);
  });

  it('says exactly what is wrong, and marks a value it cut short', () => {
    const message = (input: unknown) => errorOf(() => parseAmount(input)).message;
    const shape = 'must be a positive decimal string like "12.50"';

    expect(message(true)).toBe(`amount ${shape}; got true`);
    expect(message('0')).toBe(`amount ${shape}; got "0"`);
    expect(message('x'.repeat(500))).toBe(`amount has too many digits; got "${'x'.repeat(64)}..."`);
    expect(message('x'.repeat(64))).toBe(`amount ${shape}; got "${'x'.repeat(64)}"`);
    const asString = `${shape} (a JSON number only with up to 15 significant digits and no exponent; send it as a string)`;
    expect(message(NaN)).toBe(`amount ${asString}; got NaN`);
    expect(message(Infinity)).toBe(`amount ${asString}; got Infinity`);
    expect(message(1e-7)).toBe(`amount ${asString}; got 1e-7`);
    expect(message(1e21)).toBe(`amount ${asString}; got 1e+21`);
  });

  it('takes up to 100 characters, leading zeros included', () => {
    expect(parseAmount(`${'0'.repeat(99)}1`).toString()).toBe('1');
    expect(() => parseAmount(`${'0'.repeat(100)}1`)).toThrow('too many digits');
    expect(parseAmount(`00${'9'.repeat(38)}`).toString()).toBe('9'.repeat(38));
  });

  it('rejects more than 38 significant digits', () => {
    expect(() => parseAmount('1'.repeat(39))).toThrow('more than 38 significant digits');
    expect(() => parseAmount(`1${'0'.repeat(38)}`)).toThrow('more than 38 significant digits');
    expect(() => parseAmount(`${'1'.repeat(20)}.${'1'.repeat(19)}`)).toThrow(
      'more than 38 significant digits',
    );
  });

  it('does not count leading zeros or trailing fraction zeros as significant', () => {
    expect(parseAmount(`0.000${'1'.repeat(35)}`).toString()).toBe(`0.000${'1'.repeat(35)}`);
    expect(parseAmount(`${'1'.repeat(38)}.00`).toString()).toBe('1'.repeat(38));
  });

  it('rejects more than 38 fraction digits and absurdly long input', () => {
    expect(() => parseAmount(`0.${'0'.repeat(38)}1`)).toThrow('more than 38 fraction digits');
    expect(() => parseAmount(`${'0'.repeat(200)}1`)).toThrow('too many digits');
  });

  describe('JSON numbers', () => {
    it.each([
      [12.5, '12.5'],
      [0.1, '0.1'],
      [100, '100'],
      [123456789.123456, '123456789.123456'],
      [Number.MAX_SAFE_INTEGER, '9007199254740991'],
    ])('accepts %p as exactly "%s"', (input, expected) => {
      expect(parseAmount(input).toString()).toBe(expected);
    });

    // A double holds any decimal of up to 15 significant digits exactly, so those came from the
    // sender as written. With more, digits may have been lost by JSON.parse before we saw them.
    it.each([
      [0.1 + 0.2], // prints as 0.30000000000000004
      [JSON.parse('0.12345678901234567890') as number], // prints as 0.12345678901234568
      [JSON.parse('12345678901234567890') as number], // prints as 12345678901234567000
      [Number.MAX_SAFE_INTEGER + 1],
    ])('rejects %p, which may not be the digits that were sent', (input) => {
      expect(() => parseAmount(input)).toThrow(/send it as a string/);
    });
  });
});

describe('parseDecimal', () => {
  it('does not count the minus sign as a digit', () => {
    expect(parseDecimal(`-${'9'.repeat(38)}`, 'delta').toString()).toBe(`-${'9'.repeat(38)}`);
    expect(parseDecimal(-0.123456789012345, 'delta').toString()).toBe('-0.123456789012345');
  });

  it('accepts zero and negative values in plain notation', () => {
    expect(parseDecimal('-12.75', 'delta').toString()).toBe('-12.75');
    expect(parseDecimal('0', 'delta').toString()).toBe('0');
    expect(parseDecimal('-0', 'delta').isNegative()).toBe(false);
  });

  it('still rejects exponents and signs other than "-"', () => {
    expect(() => parseDecimal('-1e3', 'delta')).toThrow(
      'delta must be a decimal string like "12.50"; got "-1e3"',
    );
    expect(() => parseDecimal('+1', 'delta')).toThrow(InvalidAmountError);
  });
});

describe('parseRate', () => {
  it('accepts a provider rate with its published digits', () => {
    expect(parseRate('138.05').toString()).toBe('138.05');
    expect(parseRate('0.000016184').toString()).toBe('0.000016184');
  });

  it.each(['0', '-1.2', '1e-3', 'abc'])('rejects %p with INVALID_RATE', (input) => {
    const error = errorOf(() => parseRate(input));

    expect(error).toBeInstanceOf(InvalidRateError);
    expect(error.code).toBe('INVALID_RATE');
    expect(error.message).toMatch(/^rate must be a positive decimal string/);
    expect(error.details).toEqual({ field: 'rate', value: input });
  });
});
