import { parseDecimal } from './amount';
import { type Currency, requireCurrency } from './currency';
import { Decimal } from './decimal';
import { DomainError, InvalidAmountError } from './errors';

/** HALF_UP and UP round away from zero; DOWN truncates toward zero. */
export type RoundingMode = 'HALF_EVEN' | 'HALF_UP' | 'DOWN' | 'UP';

const DECIMAL_ROUNDING = {
  HALF_EVEN: Decimal.ROUND_HALF_EVEN,
  HALF_UP: Decimal.ROUND_HALF_UP,
  DOWN: Decimal.ROUND_DOWN,
  UP: Decimal.ROUND_UP,
} as const satisfies Record<RoundingMode, number>;

export function roundToMinorUnits(
  amount: Decimal,
  currency: Currency,
  mode: RoundingMode = 'HALF_EVEN',
): Decimal {
  const rounded = amount.toDecimalPlaces(currency.minorUnits, DECIMAL_ROUNDING[mode]);
  return rounded.isZero() ? new Decimal(0) : rounded; // no "-0.00"
}

/** Exactly `minorUnits` fraction digits: "1234.50" USD, "138" JPY, "1.000" KWD. */
export function formatAmount(
  amount: Decimal,
  currency: Currency,
  mode: RoundingMode = 'HALF_EVEN',
): string {
  return roundToMinorUnits(amount, currency, mode).toFixed(currency.minorUnits);
}

/**
 * An immutable non-negative amount in one currency, kept at full precision; rounding happens
 * only when asked (`rounded`, `format`). Zero is allowed (a fee, an empty balance).
 */
export class Money {
  private constructor(
    readonly amount: Decimal,
    readonly currency: Currency,
  ) {
    Object.freeze(this);
  }

  /** Strings are parsed strictly (see parseDecimal); throws InvalidAmountError if negative. */
  static of(amount: string | Decimal, currencyCode: string): Money {
    const currency = requireCurrency(currencyCode);
    const value = typeof amount === 'string' ? parseDecimal(amount, 'amount') : amount;
    if (!Decimal.isDecimal(value) || !value.isFinite() || value.isNegative()) {
      const shown = String(amount).slice(0, 64);
      throw new InvalidAmountError(`amount must be zero or a positive decimal; got ${shown}`, {
        field: 'amount',
        value: shown,
      });
    }
    return new Money(value.isZero() ? new Decimal(0) : value, currency);
  }

  rounded(mode: RoundingMode = 'HALF_EVEN'): Money {
    return new Money(roundToMinorUnits(this.amount, this.currency, mode), this.currency);
  }

  format(mode: RoundingMode = 'HALF_EVEN'): string {
    return formatAmount(this.amount, this.currency, mode);
  }

  plus(other: Money): Money {
    if (other.currency.code !== this.currency.code) {
      throw new DomainError(
        'CURRENCY_MISMATCH',
        `Cannot add ${other.currency.code} to ${this.currency.code}`,
        { currencies: [this.currency.code, other.currency.code] },
      );
    }
    return new Money(this.amount.plus(other.amount), this.currency);
  }

  /** Scales the amount at full precision (a fee percentage, a quantity); stays in this currency. */
  times(factor: Decimal): Money {
    return Money.of(this.amount.times(factor), this.currency.code);
  }

  /** Plain decimal notation at full precision, e.g. "12.5". */
  toString(): string {
    return this.amount.toString();
  }

  toJSON(): { amount: string; currency: string } {
    return { amount: this.amount.toString(), currency: this.currency.code };
  }
}
