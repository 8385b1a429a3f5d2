import DecimalJs from 'decimal.js';

/**
 * The one Decimal constructor used for money and rates everywhere.
 * 60 significant digits hold a 38-digit amount times a rate with room to spare, so a cross
 * rate or a conversion is rounded once, at the end, to the target's minor units.
 * toExpNeg/toExpPos keep `toString()` in plain notation ("0.000000001", never "1e-9").
 */
export const Decimal = DecimalJs.clone({
  precision: 60,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -60,
  toExpPos: 60,
});

export type Decimal = InstanceType<typeof Decimal>;
