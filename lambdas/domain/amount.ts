import { Decimal } from './decimal';
import { InvalidAmountError, InvalidRateError } from './errors';

/**
 * Limits on what we accept, chosen so every accepted value is stored exactly everywhere:
 * DynamoDB numbers hold 38 significant digits, and the data lake's DECIMAL(38, s) columns
 * hold 38 digits in all. So: at most 38 significant digits (leading zeros and trailing
 * fraction zeros do not count) and at most 38 fraction digits as written.
 */
export const MAX_SIGNIFICANT_DIGITS = 38;
export const MAX_FRACTION_DIGITS = 38;
/** Cheap cap checked before anything else: a sign, 38 + 38 digits, a point, slack for zeros. */
const MAX_LENGTH = 100;

const PLAIN_DECIMAL = /^-?\d+(\.\d+)?$/;

/**
 * JSON numbers reach us already parsed into doubles. Any decimal written with at most 15
 * significant digits survives that parse exactly (a double's guaranteed decimal precision), so
 * String(n) gives back the digits the sender wrote. With 16-17 digits we cannot tell whether
 * the sender's digits were kept: 0.1 + 0.2 prints as "0.30000000000000004" and the JSON text
 * 0.12345678901234567890 prints as "0.12345678901234568". Those are rejected with a request to
 * send a string. Safe integers (up to 2^53 - 1, 16 digits) are always exact and accepted.
 */
const MAX_EXACT_NUMBER_DIGITS = 15;

type ErrorClass = typeof InvalidAmountError | typeof InvalidRateError;

function describe(input: unknown): string {
  if (input === null || typeof input !== 'object') return String(input);
  try {
    return JSON.stringify(input) ?? Object.prototype.toString.call(input);
  } catch {
    return Object.prototype.toString.call(input);
  }
}

function fail(ErrorType: ErrorClass, field: string, input: unknown, why: string): never {
  const full = describe(input);
  const value = full.slice(0, 64);
  const shown = value.length < full.length ? `${value}...` : value;
  const got = typeof input === 'string' ? JSON.stringify(shown) : shown;
  throw new ErrorType(`${field} ${why}; got ${got}`, { field, value });
}

function significantDigits(unsigned: string): number {
  const [integer, fraction = ''] = unsigned.split('.');
  return (integer + fraction.replace(/0+$/, '')).replace(/^0+/, '').length;
}

/** The plain-notation text of a JS number, or undefined when it might not be what was sent. */
function exactNumberText(n: number): string | undefined {
  if (Number.isSafeInteger(n)) return String(n);
  // An unsafe integer has 16+ digits, so the 15-digit check below refuses it.
  if (!Number.isFinite(n)) return undefined;
  const text = String(n);
  if (text.includes('e')) return undefined;
  return significantDigits(text.replace('-', '')) <= MAX_EXACT_NUMBER_DIGITS ? text : undefined;
}

function parse(input: unknown, field: string, ErrorType: ErrorClass, shape: string): Decimal {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (typeof input === 'number') {
    const exact = exactNumberText(input);
    if (exact === undefined) {
      fail(
        ErrorType,
        field,
        input,
        `must be ${shape} (a JSON number only with up to 15 significant digits and no exponent; send it as a string)`,
      );
    }
    text = exact;
  } else {
    fail(ErrorType, field, input, `must be ${shape}`);
  }

  if (text.length > MAX_LENGTH) {
    fail(ErrorType, field, input, `has too many digits`);
  }
  if (!PLAIN_DECIMAL.test(text)) {
    fail(ErrorType, field, input, `must be ${shape}`);
  }
  const [, fraction = ''] = text.split('.');
  if (fraction.length > MAX_FRACTION_DIGITS) {
    fail(ErrorType, field, input, `has more than ${MAX_FRACTION_DIGITS} fraction digits`);
  }
  if (significantDigits(text.replace('-', '')) > MAX_SIGNIFICANT_DIGITS) {
    fail(ErrorType, field, input, `has more than ${MAX_SIGNIFICANT_DIGITS} significant digits`);
  }
  const value = new Decimal(text);
  return value.isZero() ? new Decimal(0) : value; // "-0" is zero, not a negative amount
}

const ANY_DECIMAL = 'a decimal string like "12.50"';
const POSITIVE_DECIMAL = 'a positive decimal string like "12.50"';

/**
 * Strict decimal parsing: a string in plain notation (`-?digits[.digits]`; no exponent, sign
 * "+", whitespace, hex, Infinity or NaN), or a JS number that is provably exact (see above).
 * Throws InvalidAmountError naming the field.
 */
export function parseDecimal(input: unknown, field: string): Decimal {
  return parse(input, field, InvalidAmountError, ANY_DECIMAL);
}

/** parseDecimal, and the value must be greater than zero. */
export function parseAmount(input: unknown, field = 'amount'): Decimal {
  const value = parse(input, field, InvalidAmountError, POSITIVE_DECIMAL);
  if (value.lte(0)) {
    fail(InvalidAmountError, field, input, `must be ${POSITIVE_DECIMAL}`);
  }
  return value;
}

/** A rate: units of quote per one unit of base, greater than zero. Throws InvalidRateError. */
export function parseRate(input: unknown, field = 'rate'): Decimal {
  const value = parse(input, field, InvalidRateError, POSITIVE_DECIMAL);
  if (value.lte(0)) {
    fail(InvalidRateError, field, input, `must be ${POSITIVE_DECIMAL}`);
  }
  return value;
}
