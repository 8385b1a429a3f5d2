import { type Currency } from './currency';
import { Decimal } from './decimal';
import { type RoundingMode, roundToMinorUnits } from './money';

/**
 * Products of published numbers are formed exactly (no published rate has more than 38
 * significant digits, so a few of them multiplied stay far below this precision).
 */
const Exact = Decimal.clone({ precision: 1_000 });

/**
 * A rate as one fraction of published numbers, kept exact: units of `to` per 1 `from` are
 * numerator / denominator. Dividing happens once, at the end, at 60 significant digits.
 */
export interface RateFraction {
  readonly numerator: Decimal;
  readonly denominator: Decimal;
}

/** The exact product of decimal values (strings as published, or Decimals). */
export function exactProduct(factors: readonly (string | Decimal)[]): Decimal {
  const product = factors.reduce<InstanceType<typeof Exact>>((p, f) => p.times(new Exact(f)), new Exact(1));
  return new Decimal(product);
}

/** numerator / denominator at 60 significant digits, half-even. */
export const rateOf = (f: RateFraction): Decimal => f.numerator.dividedBy(f.denominator);
export const inverseOf = (f: RateFraction): Decimal => f.denominator.dividedBy(f.numerator);

export interface Conversion {
  /** amount x numerator / denominator, divided once at 60 significant digits. */
  readonly exact: Decimal;
  /** `exact` rounded once to the target's minor units. */
  readonly rounded: Decimal;
}

/**
 * `amount` of the fraction's `from` in its `to`: (amount x numerator) / denominator, one
 * division, then one rounding to the target's minor units. Not amount x (a rounded rate): that
 * could land on the other side of a half-way point.
 */
export function convert(
  amount: Decimal | string,
  fraction: RateFraction,
  target: Currency,
  mode: RoundingMode = 'HALF_EVEN',
): Conversion {
  const exact = exactProduct([amount, fraction.numerator]).dividedBy(fraction.denominator);
  return { exact, rounded: roundToMinorUnits(exact, target, mode) };
}
