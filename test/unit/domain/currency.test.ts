import { readFileSync } from 'node:fs';
import {
  cryptoByCoingeckoId,
  findCurrency,
  FUND_CODES,
  listCurrencies,
  NO_MINOR_UNIT_CODES,
  requireCurrency,
} from '../../../lambdas/domain/currency';
import { UnsupportedCurrencyError } from '../../../lambdas/domain/errors';

describe('currencies', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['GBP', 2],
    ['CHF', 2],
    ['JPY', 0],
    ['KRW', 0],
    ['KWD', 3],
    ['BHD', 3],
    ['CLP', 0],
  ])('has fiat %s with %i minor units', (code, minorUnits) => {
    expect(findCurrency(code)).toMatchObject({ code, minorUnits, kind: 'fiat' });
  });

  it.each([
    ['BTC', 'bitcoin'],
    ['ETH', 'ethereum'],
    ['SOL', 'solana'],
    ['USDT', 'tether'],
    ['USDC', 'usd-coin'],
  ])('has crypto %s with 8 digits and CoinGecko id %s', (code, coingeckoId) => {
    const currency = findCurrency(code);

    expect(currency).toMatchObject({ code, minorUnits: 8, kind: 'crypto', coingeckoId });
    expect(cryptoByCoingeckoId(coingeckoId)).toBe(currency);
  });

  it('gives fiat currencies their ISO names', () => {
    expect(findCurrency('USD')?.name).toBe('US Dollar');
    expect(findCurrency('KMF')?.name).toBe('Comorian Franc');
    expect(findCurrency('USD')?.coingeckoId).toBeUndefined();
  });

  it.each([...NO_MINOR_UNIT_CODES, ...FUND_CODES])('excludes %s', (code) => {
    expect(findCurrency(code)).toBeUndefined();
    expect(listCurrencies().map((c) => c.code)).not.toContain(code);
  });

  it('lists every currency once, sorted by code', () => {
    const codes = listCurrencies().map((c) => c.code);

    expect(codes).toEqual([...codes].sort());
    expect(new Set(codes).size).toBe(codes.length);
    expect(codes).toEqual(expect.arrayContaining(['USD', 'EUR', 'JPY', 'KWD', 'BTC', 'USDC']));
    expect(codes.length).toBeGreaterThan(150);
  });

  it('cannot be modified by a caller', () => {
    const list = listCurrencies() as unknown as { code: string }[];

    expect(() => list.push({ code: 'ZZZ' })).toThrow(TypeError);
    expect(() => {
      list[0].code = 'ZZZ';
    }).toThrow(TypeError);
  });

  it.each(['usd', 'Usd', 'US', 'USDUSD', ' USD', 'XAU', 'ABC', '', 'bitcoin'])(
    'does not find %p',
    (code) => {
      expect(findCurrency(code)).toBeUndefined();
    },
  );

  it('requireCurrency names the unsupported code', () => {
    expect(requireCurrency('JPY').minorUnits).toBe(0);

    expect(() => requireCurrency('XAU')).toThrow(UnsupportedCurrencyError);
    try {
      requireCurrency('usd');
    } catch (error) {
      expect(error).toMatchObject({
        code: 'UNSUPPORTED_CURRENCY',
        name: 'UnsupportedCurrencyError',
        details: { currency: 'usd' },
      });
      expect((error as Error).message).toContain('"usd"');
    }
    expect.assertions(4);
  });

  it('names the crypto assets', () => {
    const names = Object.fromEntries(
      listCurrencies()
        .filter((c) => c.kind === 'crypto')
        .map((c) => [c.code, c.name]),
    );
    expect(names).toEqual({ BTC: 'Bitcoin', ETH: 'Ether', SOL: 'Solana', USDT: 'Tether', USDC: 'USD Coin' });
  });

  it('requireCurrency shows at most 64 characters of what it got', () => {
    const code = 'Q'.repeat(100);
    expect(() => requireCurrency(code)).toThrow(
      expect.objectContaining({
        message: `Unsupported currency "${'Q'.repeat(64)}"; use an ISO 4217 code like "USD" or a supported crypto asset like "BTC"`,
        details: { currency: 'Q'.repeat(64) },
      }),
    );
  });

  it('returns undefined for an unknown CoinGecko id', () => {
    expect(cryptoByCoingeckoId('dogecoin')).toBeUndefined();
  });
});

// currency-codes reports "N.A." minor units as 0, so the exclusions are kept by hand; this keeps
// them in step with the ISO list the package ships.
describe('exclusions match the ISO 4217 list shipped with currency-codes', () => {
  const xml = readFileSync(require.resolve('currency-codes/iso-4217-list-one.xml'), 'utf8');
  const entries = [...xml.matchAll(/<CcyNtry>([\s\S]*?)<\/CcyNtry>/g)].map((m) => m[1]);
  const codesWhere = (test: RegExp) =>
    [...new Set(entries.filter((e) => test.test(e)).map((e) => /<Ccy>(\w+)<\/Ccy>/.exec(e)?.[1]))]
      .filter((code): code is string => code !== undefined)
      .sort();

  it('excludes exactly the codes whose minor units are N.A.', () => {
    expect([...NO_MINOR_UNIT_CODES].sort()).toEqual(codesWhere(/<CcyMnrUnts>N\.A\.</));
  });

  it('excludes exactly the funds codes', () => {
    expect([...FUND_CODES].sort()).toEqual(codesWhere(/IsFund="true"/));
  });

  it('carries every other ISO code with its ISO minor units', () => {
    for (const entry of entries) {
      const code = /<Ccy>(\w+)<\/Ccy>/.exec(entry)?.[1];
      const units = /<CcyMnrUnts>(\d+)</.exec(entry)?.[1];
      if (!code || !units || FUND_CODES.includes(code)) continue;
      expect({ code, minorUnits: findCurrency(code)?.minorUnits }).toEqual({
        code,
        minorUnits: Number(units),
      });
    }
  });
});
