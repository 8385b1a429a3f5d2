import type { Currency } from '../domain/currency';

/** A currency as the API serves it: the ISO 4217 data with an administrator's edits. */
export interface SupportedCurrency extends Currency {
  readonly enabled: boolean;
}

export interface CurrencyChanges {
  readonly enabled?: boolean;
  readonly name?: string;
  readonly minorUnits?: number;
}

export interface CurrencyStore {
  /** Every supported currency, enabled or not, sorted by code; deleted ones are left out. */
  list(): Promise<readonly SupportedCurrency[]>;
  get(code: string): Promise<SupportedCurrency | undefined>;
  /**
   * Stores each currency that has never been stored, enabled. One already there, edited or
   * deleted by an administrator, is left as it is. Returns the codes added.
   */
  addMissing(currencies: readonly Currency[]): Promise<readonly string[]>;
  /**
   * Applies the changes. A currency that is missing or deleted is (re)created from `defaults` when
   * given; without defaults it is not found (undefined).
   */
  update(code: string, changes: CurrencyChanges, defaults?: Currency): Promise<SupportedCurrency | undefined>;
  /** Marks the currency deleted, so seeding does not bring it back; false if there was none. */
  remove(code: string): Promise<boolean>;
}
