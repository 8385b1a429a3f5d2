import { Decimal } from './decimal';

/**
 * Numbers a store keeps with at most 38 significant digits (DynamoDB's numbers) form a grid:
 * a rate computed with 60 digits usually falls between two of them. These helpers give the
 * grid values that bound a rate exactly, so a key condition on a numeric sort key selects
 * precisely the stored values on the wanted side of the rate (strictly or not), never one more.
 * Positive values only: thresholds and rates are positive.
 */
export const GRID_DIGITS = 38;

/** True when the value is on the grid (no more than 38 significant digits). */
export const onGrid = (x: Decimal): boolean => x.sd() <= GRID_DIGITS;

/** The largest grid value <= x. */
export const gridFloor = (x: Decimal): Decimal => x.toSignificantDigits(GRID_DIGITS, Decimal.ROUND_DOWN);

/** The smallest grid value >= x. */
export const gridCeil = (x: Decimal): Decimal => x.toSignificantDigits(GRID_DIGITS, Decimal.ROUND_UP);

/** The spacing of grid values in the decade of x (x on the grid, not a power of ten from below). */
const step = (x: Decimal, digits = GRID_DIGITS): Decimal => new Decimal(10).pow(x.e - (digits - 1));

const isPowerOfTen = (x: Decimal): boolean => x.eq(new Decimal(10).pow(x.e));

/** The largest grid value < x. Below a power of ten the grid is ten times finer. */
export function gridBelow(x: Decimal): Decimal {
  if (!onGrid(x)) return gridFloor(x);
  return isPowerOfTen(x) ? x.minus(step(x, GRID_DIGITS + 1)) : x.minus(step(x));
}

/** The smallest grid value > x. */
export function gridAbove(x: Decimal): Decimal {
  return onGrid(x) ? x.plus(step(x)) : gridCeil(x);
}
