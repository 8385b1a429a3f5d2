/**
 * The tests' money reference: exact fractions of BigInts and ISO 4217 half-even rounding, written
 * apart from the project's `Decimal` (decimal.js) so an expectation never repeats the code under
 * test. Only what the tests need: parse a plain decimal, multiply, divide, add, compare, round.
 */

const abs = (n: bigint): bigint => (n < 0n ? -n : n);
const gcd = (a: bigint, b: bigint): bigint => {
  let [x, y] = [abs(a), abs(b)];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
};

/** A reduced fraction `num / den` with `den > 0`. */
export class Rational {
  readonly num: bigint;
  readonly den: bigint;

  constructor(num: bigint, den: bigint = 1n) {
    if (den === 0n) throw new Error('division by zero');
    const sign = den < 0n ? -1n : 1n;
    const g = gcd(num, den) || 1n;
    this.num = (sign * num) / g;
    this.den = (sign * den) / g;
  }

  /** A decimal as text ("12.50", "-0.001", "138", "1.05e-5"); anything else throws. */
  static of(text: string | bigint | Rational): Rational {
    if (text instanceof Rational) return text;
    if (typeof text === 'bigint') return new Rational(text);
    const match = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(text);
    if (!match) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
    const [, sign, whole, fraction = '', exponent = '0'] = match;
    const shift = Number(exponent) - fraction.length;
    const digits = BigInt(`${sign}${whole}${fraction}`);
    return shift >= 0 ? new Rational(digits * 10n ** BigInt(shift)) : new Rational(digits, 10n ** BigInt(-shift));
  }

  plus(other: string | Rational): Rational {
    const o = Rational.of(other);
    return new Rational(this.num * o.den + o.num * this.den, this.den * o.den);
  }

  times(other: string | Rational): Rational {
    const o = Rational.of(other);
    return new Rational(this.num * o.num, this.den * o.den);
  }

  dividedBy(other: string | Rational): Rational {
    const o = Rational.of(other);
    return new Rational(this.num * o.den, this.den * o.num);
  }

  compare(other: string | Rational): -1 | 0 | 1 {
    const o = Rational.of(other);
    const diff = this.num * o.den - o.num * this.den;
    return diff < 0n ? -1 : diff > 0n ? 1 : 0;
  }

  equals(other: string | Rational): boolean {
    return this.compare(other) === 0;
  }

  /** Rounded half to even at `places` decimals, as fixed-point text with exactly that many decimals. */
  toFixedHalfEven(places: number): string {
    const scale = 10n ** BigInt(places);
    const scaled = abs(this.num) * scale;
    let quotient = scaled / this.den;
    const twiceRemainder = 2n * (scaled % this.den);
    if (twiceRemainder > this.den || (twiceRemainder === this.den && quotient % 2n === 1n)) quotient += 1n;
    const digits = quotient.toString().padStart(places + 1, '0');
    const text = places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
    return this.num < 0n && quotient !== 0n ? `-${text}` : text;
  }

  /** Rounded half to even at `places` decimals, trailing zeros dropped ("4.763", "135.83…"), as the API writes a rate. */
  toTrimmedHalfEven(places: number): string {
    const fixed = this.toFixedHalfEven(places);
    return fixed.includes('.') ? fixed.replace(/\.?0+$/, '') : fixed;
  }

  /** Rounded half to even at `digits` significant digits, trailing zeros dropped (how a 60-digit rate is kept). */
  toSignificantHalfEven(digits: number): string {
    if (this.num === 0n) return '0';
    // The position of the first significant digit: 10^(e) <= |value| < 10^(e+1).
    const [n, d] = [abs(this.num), this.den];
    let e = n.toString().length - d.toString().length;
    if (n * 10n ** BigInt(Math.max(0, -e)) < d * 10n ** BigInt(Math.max(0, e))) e -= 1;
    return this.toTrimmedHalfEven(Math.max(0, digits - 1 - e));
  }

  toString(): string {
    return `${this.num}/${this.den}`;
  }
}

export const rational = Rational.of;

/** Sum of decimals or fractions. */
export function sum(values: readonly (string | Rational)[]): Rational {
  return values.reduce<Rational>((total, v) => total.plus(v), new Rational(0n));
}

/**
 * ISO 4217 minor units of the currencies the tests convert into, copied from the ISO 4217 list
 * (the project reads them from `currency-codes`; these are typed in by hand on purpose).
 */
export const MINOR_UNITS: Readonly<Record<string, number>> = {
  USD: 2, EUR: 2, GBP: 2, CHF: 2, PLN: 2, SEK: 2, NOK: 2, DKK: 2, CZK: 2, HUF: 2, CAD: 2, AUD: 2,
  NZD: 2, MXN: 2, BRL: 2, INR: 2, CNY: 2, HKD: 2, SGD: 2, ZAR: 2, TRY: 2, ILS: 2, PHP: 2, THB: 2,
  MYR: 2, IDR: 2, RON: 2, BGN: 2, JPY: 0, KRW: 0, ISK: 0, KWD: 3, BHD: 3, JOD: 3, OMR: 3, TND: 3,
  BTC: 8, ETH: 8,
};

/**
 * `amount` converted by the fraction `numerator / denominator` of published rates and rounded
 * once, half-even, to the target's minor units: the documented conversion, recomputed exactly.
 */
export function convertReference(amount: string, numerator: string | Rational, denominator: string | Rational, target: string): string {
  return roundToMinorUnits(rational(amount).times(Rational.of(numerator)).dividedBy(Rational.of(denominator)), target);
}

/** An amount in `currency`, rounded half-even to its ISO 4217 minor units (the project's documented rule). */
export function roundToMinorUnits(value: Rational, currency: string): string {
  const places = MINOR_UNITS[currency];
  if (places === undefined) throw new Error(`no minor units written down for ${currency} in test/support/rational.ts`);
  return value.toFixedHalfEven(places);
}
