import { checkRatePolicy, durationMs, policySeries, rulesFor, staleFrom, type RatePolicy } from '../../../lambdas/domain/rate-policy';
import { deliveriesToOutwait, rateDecision, retryAfterSeconds, checkRateWait } from '../../../lambdas/domain/rate-settlement';
import type { NoRate } from '../../../lambdas/domain/rate-resolver';
import { checkRatesConfig, singleSourcePolicy, stageConfig } from '../../../lib/config/stage-config';
import { RATE_WAIT } from '../../../lib/definitions/resources';
import { localStageConfig } from '../../../lib/local-platform/platform';

describe('staleness windows', () => {
  it('reads ISO-8601 durations of days, hours, minutes and seconds', () => {
    expect(durationMs('PT3H')).toBe(3 * 3_600_000);
    expect(durationMs('P1DT12H30M15S')).toBe(((36 * 60 + 30) * 60 + 15) * 1000);
    for (const bad of ['P', 'PT', '3H', 'P1M2', 'P1Y', 'PT-1H', '', 'xPT3H', 'PT3Hx']) expect(() => durationMs(bad)).toThrow(/ISO-8601 duration/);
  });

  it('makes a publication stale at in-force + duration, or at 16:00 Berlin n TARGET business days after its date', () => {
    expect(staleFrom({ inForceFrom: '2024-01-10T11:00:00.000Z', rateDate: '2024-01-10' }, 'PT3H')).toBe('2024-01-10T14:00:00.000Z');
    // Friday 2024-03-22, two business days: Tuesday 26th (Good Friday and Easter Monday come after).
    expect(staleFrom({ inForceFrom: '2024-03-22T15:00:00.000Z', rateDate: '2024-03-22' }, { businessDays: 2 })).toBe('2024-03-26T15:00:00.000Z');
    // Thursday 2024-03-28, two business days over Easter: Wednesday 3 April, summer time.
    expect(staleFrom({ inForceFrom: '2024-03-28T15:00:00.000Z', rateDate: '2024-03-28' }, { businessDays: 2 })).toBe('2024-04-03T14:00:00.000Z');
  });
});

describe('the source policy', () => {
  const policy: RatePolicy = {
    fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }, { provider: 'oxr', staleAfter: 'PT3H' }],
    crypto: [{ provider: 'coingecko', staleAfter: 'PT30M' }],
    currencies: { KWD: [{ provider: 'oxr', staleAfter: 'PT3H' }] },
  };

  it('gives a currency its class list, or its own', () => {
    expect(rulesFor(policy, 'USD').map((r) => r.provider)).toEqual(['ecb', 'oxr']);
    expect(rulesFor(policy, 'BTC').map((r) => r.provider)).toEqual(['coingecko']);
    expect(rulesFor(policy, 'KWD').map((r) => r.provider)).toEqual(['oxr']);
    expect(policySeries(policy)).toEqual([
      { provider: 'ecb', base: 'EUR' },
      { provider: 'oxr', base: 'USD' },
      { provider: 'coingecko', base: 'USD' },
    ]);
  });

  it.each([
    [{ ...policy, fiat: [] }, 'fiat must list at least one source'],
    [{ ...policy, crypto: [{ provider: 'bitstamp', staleAfter: 'PT1H' }] }, 'unknown provider "bitstamp"'],
    [{ ...policy, crypto: [{ provider: 'coingecko' }] }, 'needs staleAfter'],
    [{ ...policy, crypto: [{ provider: 'coingecko', staleAfter: { businessDays: 1 } }] }, 'coingecko publishes continuously'],
    [{ ...policy, fiat: [{ provider: 'ecb', staleAfter: 'three days' }] }, 'ISO-8601 duration'],
    [{ ...policy, currencies: { XYZ: policy.fiat } }, 'unsupported currency "XYZ"'],
    [{ ...policy, crypto: [] }, 'rate policy: crypto must list at least one source'],
    [{ ...policy, crypto: [null] }, 'rate policy: crypto names an unknown provider undefined'],
    [{ ...policy, currencies: { GBP: [] } }, 'rate policy: currencies.GBP must list at least one source'],
    [{ ...policy, fiat: [{ provider: 'ecb', staleAfter: { businessDays: 0 } }] }, 'rate policy: fiat ecb needs staleAfter, an ISO-8601 duration or { businessDays: n >= 1 }'],
    [{ ...policy, fiat: [{ provider: 'ecb', staleAfter: { businessDays: 1.5 } }] }, 'rate policy: fiat ecb needs staleAfter'],
  ])('refuses a bad policy: %j', (bad, message) => {
    expect(() => checkRatePolicy(bad)).toThrow(message);
  });

  it('holds in every stage, names only providers the stage fetches, and never the simulated feed outside local', () => {
    for (const stage of ['dev', 'prod', 'local']) expect(() => checkRatesConfig(stageConfig(stage))).not.toThrow();
    expect(() => checkRatesConfig({ stage: 'dev', rates: { sources: [{ provider: 'ecb', schedule: 'rate(1 hour)' }], policy } })).toThrow(
      'stage dev: rates.policy names oxr, coingecko, which rates.sources does not fetch',
    );
    expect(JSON.stringify(stageConfig('dev').rates)).not.toContain('simulated');
    expect(stageConfig('local').rates.policy).toEqual(singleSourcePolicy('simulated'));
  });

  it('makes the provider the local platform was started with authoritative for everything', () => {
    const config = localStageConfig({ ratesProvider: 'ecb', ratesUrl: 'http://127.0.0.1:9/eurofxref-daily.xml', transactionsFeedUrl: 'http://127.0.0.1:9/feed' });
    expect(config.rates.sources.map((s) => [s.provider, s.baseUrl])).toEqual([['ecb', 'http://127.0.0.1:9/eurofxref-daily.xml']]);
    expect(config.rates.policy).toEqual({ fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }], crypto: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }] });
    expect(() => checkRatesConfig(config)).not.toThrow();
  });
});

describe('waiting for a settled rate', () => {
  const noRate = (reason: NoRate['reason'], settled: boolean): NoRate => ({ kind: 'none', reason, settled, currency: 'KWD', message: 'why', query: { from: 'KWD', to: 'USD', at: '' } });

  it('looks again after 15 s, then after as long as it waited, at most 5 minutes', () => {
    expect([0, 10_000, 15_000, 40_000, 200_000, 299_500, 900_000].map((ms) => retryAfterSeconds(ms, RATE_WAIT))).toEqual([15, 15, 15, 40, 200, 300, 300]);
    // 15, 15, 30, 60, 120, 240, 300 x 4 = 1980 s >= 30 min: 11 deliveries waiting, the 12th decides.
    expect(deliveriesToOutwait(RATE_WAIT)).toBe(12);
  });

  it('waits while not settled, then decides: no rate is quarantined, stale is retried', () => {
    expect(rateDecision(noRate('NOT_CONNECTED', false), 1000, RATE_WAIT)).toEqual({ action: 'wait', retryAfterSeconds: 15 });
    expect(rateDecision(noRate('NOT_CONNECTED', false), 1_800_000, RATE_WAIT)).toEqual({ action: 'no-rate', detail: 'why' });
    expect(rateDecision(noRate('NO_RATE_AT_TIME', true), 0, RATE_WAIT)).toEqual({ action: 'no-rate', detail: 'why' });
    expect(rateDecision(noRate('STALE', true), 0, RATE_WAIT)).toEqual({ action: 'stale', detail: 'why' });
  });

  it('refuses wait settings SQS cannot honour', () => {
    expect(checkRateWait(RATE_WAIT)).toEqual(RATE_WAIT);
    expect(() => checkRateWait({ ...RATE_WAIT, maxRetryAfterSeconds: 50_000 })).toThrow('maxRetryAfterSeconds must be a whole number of seconds from 1 to 43200');
    expect(() => checkRateWait({ ...RATE_WAIT, retryAfterSeconds: '15' })).toThrow('retryAfterSeconds');
    const bounds = { retryAfterSeconds: 1, maxRetryAfterSeconds: 43_200, maxWaitSeconds: 43_200 };
    expect(checkRateWait(bounds)).toEqual(bounds);
    expect(() => checkRateWait({ ...bounds, retryAfterSeconds: 0 })).toThrow('retryAfterSeconds must be a whole number of seconds from 1 to 43200 (SQS allows 12 hours), got 0');
    expect(() => checkRateWait({ ...bounds, maxWaitSeconds: 43_201 })).toThrow('maxWaitSeconds must be a whole number of seconds from 1 to 43200 (SQS allows 12 hours), got 43201');
  });

  it('counts the deliveries to outwait exactly: 10 s steps to 30 s are 3 waits, then the one that decides', () => {
    expect(deliveriesToOutwait({ retryAfterSeconds: 10, maxRetryAfterSeconds: 10, maxWaitSeconds: 30 })).toBe(4);
    expect(deliveriesToOutwait({ retryAfterSeconds: 10, maxRetryAfterSeconds: 10, maxWaitSeconds: 31 })).toBe(5);
  });
});
