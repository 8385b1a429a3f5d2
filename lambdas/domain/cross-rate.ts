import { type Currency } from './currency';
import { Decimal } from './decimal';
import { InvalidRateError, RateNotFoundError } from './errors';
import { type RoundingMode, roundToMinorUnits } from './money';

/**
 * Rates as one provider published them: `rates.get(Q)` is units of Q per 1 `base`, with the
 * provider's digits. The base itself is implicitly 1 and need not be in the map.
 */
export interface RateTable {
  readonly base: string;
  readonly rates: ReadonlyMap<string, Decimal>;
}

const ONE = new Decimal(1);

function perBase(table: RateTable, code: string): Decimal {
  if (code === table.base) return ONE;
  const rate = table.rates.get(code);
  if (rate === undefined) {
    throw new RateNotFoundError(`No ${code} rate in the ${table.base} table`, {
      currency: code,
      base: table.base,
    });
  }
  if (!rate.isFinite() || rate.lte(0)) {
    throw new InvalidRateError(`The ${code} rate per ${table.base} is not positive: ${rate}`, {
      currency: code,
      base: table.base,
      value: rate.toString(),
    });
  }
  return rate;
}

/**
 * Units of `to` per 1 `from`, computed from the published rates in one division at full
 * (60-digit) precision: (to per base) / (from per base). USD->JPY from an EUR feed is
 * (JPY per EUR) / (USD per EUR).
 */
export function crossRate(table: RateTable, from: string, to: string): Decimal {
  if (from === to) return ONE;
  return perBase(table, to).dividedBy(perBase(table, from));
}

/** Units of B per 1 Q, given units of Q per 1 B. */
export function invertRate(rate: Decimal): Decimal {
  if (!rate.isFinite() || rate.lte(0)) {
    throw new InvalidRateError(`Cannot invert a rate that is not positive: ${rate}`, {
      value: rate.toString(),
    });
  }
  return ONE.dividedBy(rate);
}

export interface Conversion {
  /** amount x rate at full precision. */
  readonly exact: Decimal;
  /** `exact` rounded once to the target's minor units. */
  readonly rounded: Decimal;
}

export function convert(
  amount: Decimal,
  rate: Decimal,
  target: Currency,
  mode: RoundingMode = 'HALF_EVEN',
): Conversion {
  const exact = amount.times(rate);
  return { exact, rounded: roundToMinorUnits(exact, target, mode) };
}
