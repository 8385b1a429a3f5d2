import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { staleFrom, staleWhen, stalenessWindowOf, type RatePolicy, type StalenessWindow } from '../../../lambdas/domain/rate-policy';
import { freshnessOf, targetDailyInForceFrom, type Publication, type RateProviderName } from '../../../lambdas/domain/rate-publication';
import { isTargetClosingDay } from '../../../lambdas/domain/target-calendar';

/** A real ECB history file (four weeks over Christmas 2024): the days ECB actually published. */
const HISTORY = readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'rates', 'ecb_eurofxref-hist_2024-12-16_2025-01-10.xml'), 'utf8');
const PUBLISHED_DAYS = [...HISTORY.matchAll(/<Cube time="(\d{4}-\d{2}-\d{2})">/g)].map((m) => m[1]).sort();

const ecb = (rateDate: string): Publication => ({ rateDate, inForceFrom: targetDailyInForceFrom(rateDate) });
const missed = (rateDate: string, now: string) => freshnessOf('ecb', ecb(rateDate), now).missedPublications;

describe('the TARGET calendar against a real ECB history file', () => {
  it('is open exactly on the days ECB published', () => {
    expect(PUBLISHED_DAYS).toHaveLength(17);
    const days: string[] = [];
    for (let t = Date.parse(`${PUBLISHED_DAYS[0]}T00:00:00Z`); t <= Date.parse(`${PUBLISHED_DAYS.at(-1)}T00:00:00Z`); t += 86_400_000) {
      days.push(new Date(t).toISOString().slice(0, 10));
    }
    expect(days.filter((day) => !isTargetClosingDay(day))).toEqual(PUBLISHED_DAYS);
  });
});

describe('freshness of the newest publication (what fetch-rates reports)', () => {
  it('ECB: a weekend and Christmas miss nothing; each business day’s 16:00 Berlin without a publication is one missed', () => {
    // Friday 2025-01-10, in force from 15:00Z (16:00 CET).
    expect(missed('2025-01-10', '2025-01-11T12:00:00.000Z')).toBe(0);
    expect(missed('2025-01-10', '2025-01-13T14:59:59.999Z')).toBe(0);
    expect(missed('2025-01-10', '2025-01-13T15:00:00.000Z')).toBe(1);
    expect(missed('2025-01-10', '2025-01-15T15:30:00.000Z')).toBe(3);
    // Tuesday 24 December 2024: the 25th and 26th are closing days.
    expect(missed('2024-12-24', '2024-12-27T14:59:00.000Z')).toBe(0);
    expect(missed('2024-12-24', '2024-12-27T15:00:00.000Z')).toBe(1);
  });

  it('ECB: every day of the real file is the newest there should be until the next published day’s 16:00 Berlin', () => {
    for (let i = 0; i + 1 < PUBLISHED_DAYS.length; i++) {
      const [day, next] = [PUBLISHED_DAYS[i], PUBLISHED_DAYS[i + 1]];
      expect({ day, at: 'that evening', missed: missed(day, `${day}T22:00:00.000Z`) }).toEqual({ day, at: 'that evening', missed: 0 });
      expect({ day, at: 'next morning', missed: missed(day, `${next}T10:00:00.000Z`) }).toEqual({ day, at: 'next morning', missed: 0 });
      // Winter: 16:00 Berlin is 15:00Z.
      expect({ day, at: '16:00 next', missed: missed(day, `${next}T15:00:00.000Z`) }).toEqual({ day, at: '16:00 next', missed: 1 });
    }
  });

  it('ECB in summer time: due at 16:00 CEST, 14:00Z', () => {
    expect(missed('2025-06-30', '2025-07-01T13:59:59.999Z')).toBe(0);
    expect(missed('2025-07-01', '2025-07-02T14:00:00.000Z')).toBe(1);
  });

  it('ages from the in-force instant, in whole minutes', () => {
    // 2025-01-10T15:00Z to 2025-01-13T12:00Z: 3 days less 3 hours.
    expect(freshnessOf('ecb', ecb('2025-01-10'), '2025-01-13T12:00:00.000Z')).toEqual({ ageMinutes: 3 * 24 * 60 - 180, missedPublications: 0 });
  });

  it('continuous providers publish whenever they like: only their age is reported', () => {
    const oxr = { inForceFrom: '2026-01-01T12:00:00.000Z', rateDate: '2026-01-01' };
    expect(freshnessOf('oxr', oxr, '2026-01-01T15:00:59.999Z')).toEqual({ ageMinutes: 180 });
    expect(freshnessOf('simulated', oxr, '2026-01-01T11:55:00.000Z')).toEqual({ ageMinutes: 0 });
  });
});

describe('the stale-rate alarm’s condition', () => {
  it('reads the age for a duration and the missed business days for a window in business days', () => {
    expect(staleWhen('PT3H')).toEqual({ measure: 'ageMinutes', atLeast: 180 });
    expect(staleWhen('PT30M')).toEqual({ measure: 'ageMinutes', atLeast: 30 });
    expect(staleWhen({ businessDays: 2 })).toEqual({ measure: 'missedPublications', atLeast: 2 });
    expect(() => staleWhen('PT90S')).toThrow(/whole minutes/);
  });

  it.each<[string, RateProviderName, Publication, StalenessWindow]>([
    ['ECB Friday before Easter, 2 business days', 'ecb', ecb('2024-03-28'), { businessDays: 2 }],
    ['ECB over Christmas, 1 business day', 'ecb', ecb('2024-12-24'), { businessDays: 1 }],
    ['Frankfurter, a duration', 'frankfurter', ecb('2024-07-12'), 'P3D'],
    ['OXR, 3 hours', 'oxr', { inForceFrom: '2024-01-10T11:00:00.000Z', rateDate: '2024-01-10' }, 'PT3H'],
  ])('holds exactly when the resolver calls the publication stale: %s', (_what, provider, publication, window) => {
    const { measure, atLeast } = staleWhen(window);
    const staleAt = Date.parse(staleFrom(publication, window));
    const instants = [staleAt - 1, staleAt, staleAt + 1];
    for (let t = Date.parse(publication.inForceFrom); t < staleAt + 3 * 86_400_000; t += 7 * 60_000 + 13_000) instants.push(t);
    for (const t of instants) {
      const now = new Date(t).toISOString();
      const reported = freshnessOf(provider, publication, now)[measure];
      expect({ now, alarm: reported !== undefined && reported >= atLeast }).toEqual({ now, alarm: t >= staleAt });
    }
  });

  it('uses the window of the first rule of the policy that names the provider, else the default', () => {
    const policy: RatePolicy = {
      fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }, { provider: 'oxr', staleAfter: 'PT3H' }],
      crypto: [{ provider: 'coingecko', staleAfter: 'PT30M' }],
      currencies: { KWD: [{ provider: 'oxr', staleAfter: 'PT6H' }] },
    };
    expect(stalenessWindowOf(policy, 'oxr', 'PT1H')).toBe('PT3H');
    expect(stalenessWindowOf(policy, 'coingecko', 'PT1H')).toBe('PT30M');
    expect(stalenessWindowOf(policy, 'frankfurter', { businessDays: 3 })).toEqual({ businessDays: 3 });
  });
});

describe('missed publications of a long-silent source', () => {
  it('stops counting at 300 business days', () => {
    // 2022-01-03 to 2024-06-01 holds far more than 300 TARGET business days.
    expect(missed('2022-01-03', '2024-06-01T00:00:00.000Z')).toBe(300);
  });
});
