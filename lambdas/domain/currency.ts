import { data as iso4217 } from 'currency-codes';
import { UnsupportedCurrencyError } from './errors';

export interface Currency {
  /** ISO 4217 alphabetic code, or the ticker of a supported crypto asset. */
  readonly code: string;
  readonly name: string;
  /** Fraction digits that amounts are rounded to (JPY 0, USD 2, KWD 3, crypto 8). */
  readonly minorUnits: number;
  readonly kind: 'fiat' | 'crypto';
  /** CoinGecko asset id; crypto only. */
  readonly coingeckoId?: string;
}

/**
 * ISO 4217 codes we do not treat as currencies.
 * - Minor units "N.A." in the ISO list (currency-codes reports them as 0 digits, so they are
 *   listed here by hand): precious metals (XAU, XAG, XPT, XPD), the SDR (XDR), bond-market
 *   units (XBA..XBD), the testing and "no currency" codes (XTS, XXX) and the Sucre and ADB
 *   units of account (XSU, XUA). Nobody holds a payable amount in them and they have no
 *   rounding rule.
 * - Funds codes (IsFund="true" in the ISO list): indexed units of account and settlement
 *   variants (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI) that partners do not transact in.
 * test/unit/domain/currency.test.ts checks this list against the ISO XML that ships with the
 * package, so a data update that adds such a code fails the build instead of slipping in.
 */
export const NO_MINOR_UNIT_CODES: readonly string[] =
  'XAG XAU XBA XBB XBC XBD XDR XPD XPT XSU XTS XUA XXX'.split(' ');
export const FUND_CODES: readonly string[] = 'BOV CHE CHW CLF COU MXV USN UYI'.split(' ');
const EXCLUDED_ISO_CODES: ReadonlySet<string> = new Set([...NO_MINOR_UNIT_CODES, ...FUND_CODES]);

const CRYPTO_MINOR_UNITS = 8;

const CRYPTO: readonly Currency[] = [
  { code: 'BTC', name: 'Bitcoin', coingeckoId: 'bitcoin' },
  { code: 'ETH', name: 'Ether', coingeckoId: 'ethereum' },
  { code: 'SOL', name: 'Solana', coingeckoId: 'solana' },
  { code: 'USDT', name: 'Tether', coingeckoId: 'tether' },
  { code: 'USDC', name: 'USD Coin', coingeckoId: 'usd-coin' },
].map((c) => ({ ...c, kind: 'crypto' as const, minorUnits: CRYPTO_MINOR_UNITS }));

const FIAT: readonly Currency[] = iso4217
  .filter((record) => !EXCLUDED_ISO_CODES.has(record.code))
  .map((record) => ({
    code: record.code,
    name: record.currency.trim(),
    minorUnits: record.digits,
    kind: 'fiat' as const,
  }));

const ALL: readonly Currency[] = Object.freeze(
  [...FIAT, ...CRYPTO]
    .map((c) => Object.freeze(c))
    .sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0)),
);

const BY_CODE = new Map(ALL.map((c) => [c.code, c]));
const BY_COINGECKO_ID = new Map(CRYPTO.map((c) => [c.coingeckoId, BY_CODE.get(c.code)!]));

if (BY_CODE.size !== ALL.length) {
  throw new Error('A crypto ticker collides with an ISO 4217 code');
}

/** Case-sensitive: "usd" is not a code. Anything that is not a key (a number, "") finds nothing. */
export function findCurrency(code: string): Currency | undefined {
  return BY_CODE.get(code);
}

export function requireCurrency(code: string): Currency {
  const currency = findCurrency(code);
  if (!currency) {
    const shown = String(code).slice(0, 64);
    throw new UnsupportedCurrencyError(
      `Unsupported currency "${shown}"; use an ISO 4217 code like "USD" or a supported crypto asset like "BTC"`,
      { currency: shown },
    );
  }
  return currency;
}

/** Every supported currency, sorted by code. */
export function listCurrencies(): readonly Currency[] {
  return ALL;
}

export function cryptoByCoingeckoId(id: string): Currency | undefined {
  return BY_COINGECKO_ID.get(id);
}
