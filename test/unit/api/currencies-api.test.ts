import { listCurrencies } from '../../../lambdas/domain/currency';
import { Schemas, SCOPES, type Scope } from '../../../lambdas/shared/api-contract';
import { withHttp } from '../../../lambdas/shared/http';
import { currencyOperations, seedCurrencies } from '../../../lambdas/use-cases/currencies';
import { rateOperations } from '../../../lambdas/use-cases/rate-queries';
import { apiEvent, bodyOf, errorOf, memoryCurrencyStore, memoryDeps, type RequestSpec } from './fakes';

function api() {
  const deps = { ...memoryDeps(), currencies: memoryCurrencyStore([]) };
  const currencies = withHttp(currencyOperations, deps);
  const rates = withHttp(rateOperations, deps);
  return {
    deps,
    send: (spec: RequestSpec) => currencies(apiEvent(spec)),
    put: (code: string, body: unknown, scopes: Scope[] = [SCOPES.currenciesAdmin]) => currencies(apiEvent({ method: 'PUT', path: `/v1/currencies/${code}`, body, scopes })),
    list: async () => bodyOf(await currencies(apiEvent({ method: 'GET', path: '/v1/currencies' }))).items as { code: string }[],
    convert: (query: string) => rates(apiEvent({ method: 'GET', path: `/v1/convert?${query}` })),
  };
}

describe('supported currencies', () => {
  it('seeds every ISO 4217 currency and supported crypto asset with its minor units', async () => {
    const { deps, list } = api();

    const result = await seedCurrencies(deps);

    expect(result.added).toHaveLength(listCurrencies().length);
    const items = Schemas.Currency.array().parse(await list());
    const byCode = Object.fromEntries(items.map((c) => [c.code, c]));
    expect(byCode.JPY).toEqual({ code: 'JPY', name: 'Yen', minorUnits: 0, kind: 'fiat', enabled: true });
    expect([byCode.USD.minorUnits, byCode.KWD.minorUnits, byCode.BTC.minorUnits]).toEqual([2, 3, 8]);
    expect(byCode.BTC.kind).toBe('crypto');
  });

  it('keeps administrator edits and deletions when seeding again', async () => {
    const { deps, put, send, list } = api();
    await seedCurrencies(deps);
    await put('JPY', { name: 'Japanese yen', minorUnits: 2, enabled: false });
    expect((await send({ method: 'DELETE', path: '/v1/currencies/SEK' })).statusCode).toBe(204);

    const again = await seedCurrencies(deps);

    expect(again.added).toEqual([]);
    const items = await list();
    expect(items.find((c) => c.code === 'JPY')).toEqual({ code: 'JPY', name: 'Japanese yen', minorUnits: 2, kind: 'fiat', enabled: false });
    expect(items.map((c) => c.code)).not.toContain('SEK');
  });

  it('disables a currency: rates and conversions with it are then 422', async () => {
    const { deps, put, convert } = api();
    await seedCurrencies(deps);

    const disabled = await put('GBP', { enabled: false });
    const quote = await convert('from=GBP&to=USD&amount=1');

    expect(bodyOf(disabled)).toMatchObject({ code: 'GBP', enabled: false });
    expect(quote.statusCode).toBe(422);
    expect(errorOf(quote)).toMatchObject({ code: 'UNSUPPORTED_CURRENCY', details: { currency: 'GBP', enabled: false } });
    expect((await put('GBP', { enabled: true })).statusCode).toBe(200);
    expect((await convert('from=GBP&to=USD&amount=1')).statusCode).toBe(200);
  });

  it('deletes with 204 and no body; a second delete and an unknown code are 404; PUT brings a deleted one back', async () => {
    const { deps, send, put, list } = api();
    await seedCurrencies(deps);

    const deleted = await send({ method: 'DELETE', path: '/v1/currencies/CHF' });
    const again = await send({ method: 'DELETE', path: '/v1/currencies/CHF' });
    const unknown = await put('ABCD', { enabled: true });
    const revived = await put('CHF', {});

    expect(deleted).toMatchObject({ statusCode: 204, body: '' });
    expect(again.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
    expect(errorOf(unknown).code).toBe('NOT_FOUND');
    expect(bodyOf(revived)).toEqual({ code: 'CHF', name: 'Swiss Franc', minorUnits: 2, kind: 'fiat', enabled: true });
    expect((await list()).map((c) => c.code)).toContain('CHF');
  });

  it('validates the update body strictly', async () => {
    const { deps, put } = api();
    await seedCurrencies(deps);
    for (const body of [{ minorUnits: 19 }, { minorUnits: 1.5 }, { enabled: 'yes' }, { name: '' }, { kind: 'crypto' }, []]) {
      const result = await put('USD', body);
      expect({ body, status: result.statusCode }).toEqual({ body, status: 400 });
    }
  });

  it('lets only currencies.admin change currencies, and rates.read list them', async () => {
    const { deps, put, send } = api();
    await seedCurrencies(deps);

    const write = await put('USD', { enabled: false }, [SCOPES.ratesRead, SCOPES.conversionsWrite]);
    const read = await send({ method: 'GET', path: '/v1/currencies', scopes: [SCOPES.ratesRead] });
    const noRead = await send({ method: 'GET', path: '/v1/currencies', scopes: [SCOPES.conversionsRead] });

    expect(write.statusCode).toBe(403);
    expect(read.statusCode).toBe(200);
    expect(noRead.statusCode).toBe(403);
  });
});
