import type { CurrencyStore, SupportedCurrency } from '../../../lambdas/ports/currency-store';
import { refusal } from '../../support/refusal';
import { checkEnabled, deleteCurrency, requireEnabledCurrency, updateCurrency } from '../../../lambdas/use-cases/currencies';

const usd: SupportedCurrency = { code: 'USD', name: 'US Dollar', minorUnits: 2, kind: 'fiat', enabled: true } as SupportedCurrency;

/** What an error says to the caller: its code, status (HTTP errors), message and details. */
const failure = (call: () => unknown) => refusal(call, ['code', 'status', 'message', 'details']);

const store = (found: SupportedCurrency | undefined): CurrencyStore =>
  ({
    get: async () => found,
    update: async () => found,
    remove: async () => found !== undefined,
  }) as unknown as CurrencyStore;

describe('currency errors say which currency and why', () => {
  it('a currency nobody stored is not supported (422)', async () => {
    expect(await failure(() => requireEnabledCurrency(store(undefined), 'XYZ'))).toEqual({
      code: 'UNSUPPORTED_CURRENCY',
      status: undefined,
      message: 'Currency XYZ is not supported; GET /v1/currencies lists the supported ones',
      details: { currency: 'XYZ' },
    });
  });

  it('a disabled currency is disabled, and says so in its details', async () => {
    expect(await failure(() => checkEnabled({ ...usd, enabled: false }, 'USD'))).toEqual({
      code: 'UNSUPPORTED_CURRENCY',
      status: undefined,
      message: 'Currency USD is disabled; GET /v1/currencies lists the supported ones',
      details: { currency: 'USD', enabled: false },
    });
    expect(checkEnabled(usd, 'USD')).toBe(usd);
  });

  it('updating or deleting a currency that is not there is a 404 naming it', async () => {
    const notFound = { code: 'NOT_FOUND', status: 404, message: 'Currency QQQ is not supported', details: { currency: 'QQQ' } };
    expect(await failure(() => updateCurrency({ currencies: store(undefined) }, 'QQQ', { enabled: false }))).toEqual(notFound);
    expect(await failure(() => deleteCurrency({ currencies: store(undefined) }, 'QQQ'))).toEqual(notFound);
    expect(await failure(() => deleteCurrency({ currencies: store(usd) }, 'USD'))).toBe('no error');
  });
});
