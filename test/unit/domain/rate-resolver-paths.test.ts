import type { RatePolicy } from '../../../lambdas/domain/rate-policy';
import { pathText, providerText, type RateResolution } from '../../../lambdas/domain/rate-resolver';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { resolveRateAt, resolveRates } from '../../../lambdas/use-cases/resolve-rates';
import { memoryRateSources, snapshotOf } from '../../support/rates';

/**
 * Which published numbers an answer went through, in what order, and what it says when none
 * serves. Rates by hand: BTC->JPY = 45000 USD per BTC x 160 JPY per EUR / 1.0940 USD per EUR,
 * to 38 places (Python's decimal at 60 digits, half-even).
 */
const AT = '2024-01-10T12:00:00.000Z';
const policy: RatePolicy = {
  fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }],
  crypto: [{ provider: 'coingecko', staleAfter: 'PT30M' }],
};
const ecb = snapshotOf('2024-01-09', { USD: '1.0940', JPY: '160' }); // in force 2024-01-09T15:00Z
const coingecko = snapshotOf('2024-01-10T11:50:00.000Z', [{ quote: 'BTC', rate: '45000', orientation: 'base-per-quote' }], {
  provider: 'coingecko',
  base: 'USD',
});

const resolve = (p: RatePolicy, stored: RateSnapshot[], from: string, to: string, at = AT, checkedAt?: (s: RateSnapshot) => string) =>
  resolveRateAt(memoryRateSources(p, stored, { checkedAt }), { from, to, at });

function route(r: RateResolution) {
  if (r.kind !== 'rate') throw new Error(`no rate: ${r.message}`);
  return {
    rate: r.rate.toDecimalPlaces(38).toString(),
    path: r.path,
    legs: pathText(r),
    providers: providerText(r),
    inForceFrom: r.inForceFrom,
  };
}

describe('the path of an answer', () => {
  it('BTC->JPY: CoinGecko’s BTC price in USD, then the ECB’s USD and JPY in EUR', async () => {
    expect(route(await resolve(policy, [ecb, coingecko], 'BTC', 'JPY'))).toEqual({
      rate: '6581352.83363802559414990859232175502742230347',
      path: 'pivot',
      legs: 'USD/BTC,EUR/USD,EUR/JPY',
      providers: 'coingecko+ecb',
      inForceFrom: '2024-01-09T15:00:00.000Z',
    });
  });

  it('JPY->BTC: the same legs the other way, in path order', async () => {
    expect(route(await resolve(policy, [ecb, coingecko], 'JPY', 'BTC'))).toEqual(
      expect.objectContaining({ legs: 'EUR/JPY,EUR/USD,USD/BTC', providers: 'ecb+coingecko' }),
    );
  });

  it('USD->JPY: two ECB legs through EUR; EUR->USD: one leg, read as published', async () => {
    expect(route(await resolve(policy, [ecb, coingecko], 'USD', 'JPY'))).toEqual({
      rate: '146.25228519195612431444241316270566727605',
      path: 'pivot',
      legs: 'EUR/USD,EUR/JPY',
      providers: 'ecb',
      inForceFrom: '2024-01-09T15:00:00.000Z',
    });
    expect(route(await resolve(policy, [ecb, coingecko], 'EUR', 'USD'))).toEqual(
      expect.objectContaining({ rate: '1.094', path: 'direct', legs: 'EUR/USD' }),
    );
    expect(route(await resolve(policy, [ecb, coingecko], 'USD', 'EUR'))).toEqual(
      expect.objectContaining({ path: 'inverse', legs: 'EUR/USD' }),
    );
  });

  it('a currency against itself is the identity, in force at the instant asked', async () => {
    expect(route(await resolve(policy, [ecb], 'JPY', 'JPY'))).toEqual({
      rate: '1', path: 'identity', legs: 'identity', providers: 'identity', inForceFrom: AT,
    });
  });

  it('is settled only when every series it consulted is settled at that instant', async () => {
    const checkedAt = (s: RateSnapshot) => (s.provider === 'coingecko' ? s.inForceFrom : s.fetchedAt);
    const crossed = await resolve(policy, [ecb, coingecko], 'BTC', 'JPY', AT, checkedAt);
    const fiat = await resolve(policy, [ecb, coingecko], 'USD', 'JPY', AT, checkedAt);
    expect([crossed.settled, fiat.settled]).toEqual([false, true]);
  });
});

describe('why there is no rate', () => {
  const hourly: RatePolicy = {
    fiat: [
      { provider: 'ecb', staleAfter: 'PT1H' },
      { provider: 'frankfurter', staleAfter: 'PT1H' },
    ],
    crypto: [],
  };
  const frankfurter = snapshotOf('2024-01-09', { USD: '1.0941', GBP: '0.86' }, { provider: 'frankfurter' });
  const ecbGbp = snapshotOf('2024-01-09', { USD: '1.0940', GBP: '0.86' });

  it('names every stale source with its in-force and stale instants', async () => {
    expect(await resolve(hourly, [ecbGbp, frankfurter], 'GBP', 'USD')).toEqual(
      expect.objectContaining({
        kind: 'none',
        reason: 'STALE',
        currency: 'GBP',
        message:
          'No source of GBP is fresh at 2024-01-10T12:00:00.000Z: ecb (in force from 2024-01-09T15:00:00.000Z, stale from 2024-01-09T16:00:00.000Z); ' +
          'frankfurter (in force from 2024-01-09T15:00:00.000Z, stale from 2024-01-09T16:00:00.000Z)',
      }),
    );
  });

  it('names every source whose first publication of the currency is later', async () => {
    expect(await resolve(hourly, [ecbGbp, frankfurter], 'GBP', 'USD', '2024-01-09T12:00:00.000Z')).toEqual(
      expect.objectContaining({
        reason: 'NO_RATE_AT_TIME',
        currency: 'GBP',
        message: 'No rate for GBP was in force at 2024-01-09T12:00:00.000Z: the first publication of ecb, frankfurter with GBP is later',
      }),
    );
  });

  it('says when two currencies are each their own source’s base and nothing links them', async () => {
    const split: RatePolicy = { ...policy, currencies: { USD: [{ provider: 'oxr', staleAfter: 'PT3H' }] } };
    const oxr = snapshotOf('2024-01-10T11:00:00.000Z', { JPY: '145' }, { provider: 'oxr', base: 'USD' });
    expect(await resolve(split, [ecb, oxr], 'EUR', 'USD')).toEqual(
      expect.objectContaining({ reason: 'NOT_CONNECTED', currency: 'EUR', message: 'No rate connects EUR and USD at 2024-01-10T12:00:00.000Z' }),
    );
  });
});

describe('resolveRates', () => {
  it('answers each query in its own place', async () => {
    const sources = memoryRateSources(policy, [ecb, coingecko]);
    const answers = await resolveRates(sources, [
      { from: 'BTC', to: 'JPY', at: AT },
      { from: 'USD', to: 'EUR', at: AT },
      { from: 'EUR', to: 'EUR', at: AT },
    ]);
    expect(answers.map((a) => (a.kind === 'rate' ? pathText(a) : a.kind))).toEqual(['USD/BTC,EUR/USD,EUR/JPY', 'EUR/USD', 'identity']);
  });

  it('gives up after 12 passes over a timeline that never loads what it is asked for, naming what it lacked', async () => {
    let loads = 0;
    const forgetful = { policy, timeline: { load: async () => (loads++, () => undefined) } };
    await expect(resolveRates(forgetful, [{ from: 'USD', to: 'JPY', at: AT }])).rejects.toThrow(/^rates unresolved after 12 passes: \[\{"key":/);
    expect(loads).toBe(12);
    const many = ['USD', 'JPY', 'GBP', 'CHF'].map((to) => ({ from: 'EUR', to, at: AT }));
    const error = await resolveRates(forgetful, many).catch((e: Error) => e);
    expect(JSON.parse((error as Error).message.replace(/^rates unresolved after 12 passes: /, ''))).toHaveLength(3);
  });
});
