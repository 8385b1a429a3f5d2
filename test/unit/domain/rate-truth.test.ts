import type { RatePolicy } from '../../../lambdas/domain/rate-policy';
import { providerText, type RateResolution } from '../../../lambdas/domain/rate-resolver';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { resolveRateAt } from '../../../lambdas/use-cases/resolve-rates';
import { stageConfig } from '../../../lib/config/stage-config';
import { memoryRateSources, snapshotOf } from '../../support/rates';

/**
 * Hand-computed tables: the inputs are written here, the expected answers by hand (quotients
 * to 38 decimals from Python's decimal module at 60 digits, half-even; README "Rate truth").
 */

const answer = async (policy: RatePolicy, snapshots: RateSnapshot[], from: string, to: string, at: string, checkedAt?: (s: RateSnapshot) => string) =>
  view(await resolveRateAt(memoryRateSources(policy, snapshots, { checkedAt }), { from, to, at }));

function view(r: RateResolution) {
  return r.kind === 'rate'
    ? { rate: r.rate.toDecimalPlaces(38).toString(), provider: providerText(r), inForceFrom: r.inForceFrom, path: r.path, settled: r.settled }
    : { reason: r.reason, currency: r.currency, message: r.message, settled: r.settled };
}

const oxr = (at: string, rates: Record<string, string>) => snapshotOf(at, rates, { provider: 'oxr', base: 'USD' });
const ecb = (day: string, rates: Record<string, string>) => snapshotOf(day, rates);

describe('KWD->USD at 2024-01-10T12:00Z: the case of the issue, one answer for the API and the pipeline', () => {
  const AT = '2024-01-10T12:00:00.000Z';
  const stored = [
    ecb('2024-01-09', { USD: '1.0940' }),
    ecb('2024-01-10', { USD: '1.0950' }), // in force from 15:00Z: not yet at 12:00Z
    snapshotOf('2024-01-09', { USD: '1.0940' }, { provider: 'frankfurter' }),
    oxr('2024-01-08T11:00:00.000Z', { KWD: '0.30000' }), // 3.3333... USD per KWD, two days old
    snapshotOf('2024-01-10T11:59:00.000Z', { USD: '1.0950', KWD: '0.33700' }, { provider: 'simulated' }),
  ];
  const prod = stageConfig('prod').rates.policy;
  const local = stageConfig('local').rates.policy;

  it('prod policy (fiat: ECB, Frankfurter, OXR): only OXR publishes KWD, and it is stale: no rate, RATE_STALE', async () => {
    expect(await answer(prod, stored, 'KWD', 'USD', AT)).toMatchObject({
      reason: 'STALE',
      currency: 'KWD',
      message: 'No source of KWD is fresh at 2024-01-10T12:00:00.000Z: oxr (in force from 2024-01-08T11:00:00.000Z, stale from 2024-01-08T14:00:00.000Z)',
    });
  });

  it('prod policy with OXR’s 11:00 publication stored: 1 / 0.30745 from OXR (the simulated feed is no source in prod)', async () => {
    const fresh = [...stored, oxr('2024-01-10T11:00:00.000Z', { KWD: '0.30745' })];

    expect(await answer(prod, fresh, 'KWD', 'USD', AT)).toEqual({
      rate: '3.25256139209627581720604976418929907302',
      provider: 'oxr',
      inForceFrom: '2024-01-10T11:00:00.000Z',
      path: 'inverse',
      settled: true,
    });
  });

  it('local policy (the simulated feed for everything): its EUR table crossed, 1.0950 / 0.337', async () => {
    expect(await answer(local, stored, 'KWD', 'USD', AT)).toEqual({
      rate: '3.24925816023738872403560830860534124629',
      provider: 'simulated',
      inForceFrom: '2024-01-10T11:59:00.000Z',
      path: 'pivot',
      settled: true,
    });
  });
});

describe('the ECB is in force from 16:00 Berlin on its date', () => {
  const policy: RatePolicy = { fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }], crypto: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }] };
  const winter = [ecb('2024-02-14', { USD: '1.0713' }), ecb('2024-02-15', { USD: '1.0723' }), ecb('2024-02-16', { USD: '1.0776' })];
  const summer = [ecb('2024-07-12', { USD: '1.0890' }), ecb('2024-07-15', { USD: '1.0900' })];

  it.each([
    ['winter, 01:00Z: the day’s rate does not exist yet (the issue’s JPY case)', winter, '2024-02-15T01:00:00.000Z', '1.0713', '2024-02-14T15:00:00.000Z'],
    ['winter, a millisecond before 16:00 CET', winter, '2024-02-15T14:59:59.999Z', '1.0713', '2024-02-14T15:00:00.000Z'],
    ['winter, 16:00 CET = 15:00Z', winter, '2024-02-15T15:00:00.000Z', '1.0723', '2024-02-15T15:00:00.000Z'],
    ['Saturday: Friday’s publication carries forward', winter, '2024-02-17T12:00:00.000Z', '1.0776', '2024-02-16T15:00:00.000Z'],
    ['Sunday night', winter, '2024-02-18T23:59:59.999Z', '1.0776', '2024-02-16T15:00:00.000Z'],
    ['summer, Monday a millisecond before 16:00 CEST: Friday’s', summer, '2024-07-15T13:59:59.999Z', '1.089', '2024-07-12T14:00:00.000Z'],
    ['summer, 16:00 CEST = 14:00Z', summer, '2024-07-15T14:00:00.000Z', '1.09', '2024-07-15T14:00:00.000Z'],
  ])('%s', async (_case, stored, at, rate, inForceFrom) => {
    expect(await answer(policy, stored, 'EUR', 'USD', at)).toMatchObject({ rate, inForceFrom, provider: 'ecb', path: 'direct' });
  });

  it('TARGET holiday 2016-12-26: the 23rd’s publication until 16:00 on the 27th, settled through the holiday', async () => {
    const christmas = [ecb('2016-12-23', { USD: '1.0441', JPY: '122.53' }), ecb('2016-12-27', { USD: '1.0405', JPY: '122.68' })];
    // As stored on the evening of the 23rd: the 27th's publication is not there yet.
    const onThe23rd = [christmas[0]];
    const checked = () => '2016-12-23T15:30:00.000Z';

    expect(await answer(policy, onThe23rd, 'USD', 'JPY', '2016-12-26T12:00:00.000Z', checked)).toEqual({
      rate: '117.35465951537209079590077578775979312326',
      provider: 'ecb',
      inForceFrom: '2016-12-23T15:00:00.000Z',
      path: 'pivot',
      settled: true,
    });
    expect(await answer(policy, onThe23rd, 'USD', 'JPY', '2016-12-27T14:59:59.999Z', checked)).toMatchObject({ settled: true, inForceFrom: '2016-12-23T15:00:00.000Z' });
    // From 16:00 on the 27th the answer waits for the 27th's publication.
    expect(await answer(policy, onThe23rd, 'USD', 'JPY', '2016-12-27T15:00:00.000Z', checked)).toMatchObject({ settled: false, inForceFrom: '2016-12-23T15:00:00.000Z' });
    expect(await answer(policy, christmas, 'USD', 'JPY', '2016-12-27T15:00:00.000Z')).toMatchObject({
      rate: '117.9048534358481499279192695819317635752',
      inForceFrom: '2016-12-27T15:00:00.000Z',
    });
  });
});

describe('a stale authoritative source falls back, and comes back', () => {
  // The ECB publishes on Monday 4 March, misses Tuesday and Wednesday, publishes again on Thursday.
  const policy: RatePolicy = {
    fiat: [
      { provider: 'ecb', staleAfter: { businessDays: 2 } },
      { provider: 'oxr', staleAfter: 'PT3H' },
    ],
    crypto: [{ provider: 'oxr', staleAfter: 'PT3H' }],
  };
  const hourly = Array.from({ length: 29 }, (_, h) => new Date(Date.parse('2024-03-06T10:00:00.000Z') + h * 3_600_000).toISOString());
  const stored = [
    ecb('2024-03-04', { USD: '1.0850' }),
    ecb('2024-03-07', { USD: '1.0900' }),
    ...hourly.map((at) => oxr(at, { EUR: at < '2024-03-07T14:00:00.000Z' ? '0.92000' : '0.91800' })),
  ];

  it.each([
    ['Wednesday 15:59:59.999 Berlin: Monday’s ECB is still fresh', '2024-03-06T14:59:59.999Z', { rate: '1.085', provider: 'ecb', inForceFrom: '2024-03-04T15:00:00.000Z' }],
    ['Wednesday 16:00 Berlin: the ECB is stale, OXR answers (1 / 0.92)', '2024-03-06T15:00:00.000Z', { rate: '1.08695652173913043478260869565217391304', provider: 'oxr', inForceFrom: '2024-03-06T15:00:00.000Z' }],
    ['Thursday 15:59:59.999 Berlin: still OXR, its newest hour (1 / 0.918)', '2024-03-07T14:59:59.999Z', { rate: '1.08932461873638344226579520697167755991', provider: 'oxr', inForceFrom: '2024-03-07T14:00:00.000Z' }],
    ['Thursday 16:00 Berlin: the ECB publishes and is authoritative again', '2024-03-07T15:00:00.000Z', { rate: '1.09', provider: 'ecb', inForceFrom: '2024-03-07T15:00:00.000Z' }],
  ])('%s', async (_case, at, expected) => {
    expect(await answer(policy, stored, 'EUR', 'USD', at)).toMatchObject(expected);
  });
});
