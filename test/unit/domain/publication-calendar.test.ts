import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { freshnessOf, isTargetWorkingDay } from '../../../lambdas/domain/publication-calendar';

/** A real ECB history file (four weeks over Christmas 2024): the days ECB actually published. */
const HISTORY = readFileSync(path.join(__dirname, '..', '..', 'fixtures', 'rates', 'ecb_eurofxref-hist_2024-12-16_2025-01-10.xml'), 'utf8');
const PUBLISHED_DAYS = [...HISTORY.matchAll(/<Cube time="(\d{4}-\d{2}-\d{2})">/g)].map((m) => m[1]).sort();

const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
const at = (iso: string) => new Date(iso);

describe('TARGET working days', () => {
  it('are exactly the days ECB published in the real history file', () => {
    expect(PUBLISHED_DAYS).toHaveLength(17);
    for (let t = day(PUBLISHED_DAYS[0]).getTime(); t <= day(PUBLISHED_DAYS.at(-1)!).getTime(); t += 86_400_000) {
      const date = new Date(t);
      const iso = date.toISOString().slice(0, 10);
      expect({ iso, working: isTargetWorkingDay(date) }).toEqual({ iso, working: PUBLISHED_DAYS.includes(iso) });
    }
  });

  it('close on Good Friday and Easter Monday, and on 1 May', () => {
    // Easter Sundays: 31 March 2024, 20 April 2025, 5 April 2026.
    for (const closed of ['2024-03-29', '2024-04-01', '2025-04-18', '2025-04-21', '2026-04-03', '2026-04-06', '2025-05-01']) {
      expect({ closed, working: isTargetWorkingDay(day(closed)) }).toEqual({ closed, working: false });
    }
    for (const open of ['2024-03-28', '2024-04-02', '2025-04-17', '2025-04-22', '2026-04-02', '2026-04-07']) {
      expect({ open, working: isTargetWorkingDay(day(open)) }).toEqual({ open, working: true });
    }
  });
});

describe('freshness of the newest publication', () => {
  it('ECB: a weekend, and Christmas, are not missed publications; a working day past 16:00 Berlin is', () => {
    const friday = '2025-01-10T00:00:00.000Z';
    expect(freshnessOf('ecb', friday, at('2025-01-11T12:00:00Z')).missedPublications).toBe(0);
    expect(freshnessOf('ecb', friday, at('2025-01-13T15:00:00Z')).missedPublications).toBe(0); // 16:00 CET, within the grace
    expect(freshnessOf('ecb', friday, at('2025-01-13T15:30:00Z')).missedPublications).toBe(1);
    expect(freshnessOf('ecb', friday, at('2025-01-15T15:30:00Z')).missedPublications).toBe(3);

    const christmasEve = '2024-12-24T00:00:00.000Z';
    expect(freshnessOf('ecb', christmasEve, at('2024-12-27T12:00:00Z')).missedPublications).toBe(0);
    expect(freshnessOf('ecb', christmasEve, at('2024-12-27T15:30:00Z')).missedPublications).toBe(1);
  });

  it('ECB: every day of the real file is fresh once published and missed the next working day until the next one', () => {
    for (let i = 0; i + 1 < PUBLISHED_DAYS.length; i++) {
      const asOf = `${PUBLISHED_DAYS[i]}T00:00:00.000Z`;
      expect(freshnessOf('ecb', asOf, at(`${PUBLISHED_DAYS[i]}T23:00:00Z`)).missedPublications).toBe(0);
      expect(freshnessOf('ecb', asOf, at(`${PUBLISHED_DAYS[i + 1]}T10:00:00Z`)).missedPublications).toBe(0);
      expect(freshnessOf('ecb', asOf, at(`${PUBLISHED_DAYS[i + 1]}T15:30:00Z`)).missedPublications).toBe(1);
    }
  });

  it('ECB in summer time: due at 16:00 CEST (14:00 UTC) plus the grace', () => {
    const monday = '2025-06-30T00:00:00.000Z';
    expect(freshnessOf('ecb', monday, at('2025-07-01T14:19:00Z')).missedPublications).toBe(0);
    expect(freshnessOf('ecb', monday, at('2025-07-01T14:21:00Z')).missedPublications).toBe(1);
  });

  it('counts by the publication day whatever its clock time (16:00 Berlin as-of times)', () => {
    const fridayAfternoon = '2025-01-10T15:00:00.000Z';
    expect(freshnessOf('ecb', fridayAfternoon, at('2025-01-13T12:00:00Z'))).toEqual({ ageMinutes: 3 * 24 * 60 - 180, missedPublications: 0 });
  });

  it('continuous providers: one interval and the grace, then one missed publication per interval', () => {
    const asOf = '2026-01-01T12:00:00.000Z';
    expect(freshnessOf('simulated', asOf, at('2026-01-01T12:02:59Z'))).toEqual({ ageMinutes: 2, missedPublications: 0 });
    expect(freshnessOf('simulated', asOf, at('2026-01-01T12:03:00Z'))).toEqual({ ageMinutes: 3, missedPublications: 1 });
    expect(freshnessOf('simulated', asOf, at('2026-01-01T12:12:00Z')).missedPublications).toBe(10);
    expect(freshnessOf('oxr', asOf, at('2026-01-01T13:14:00Z')).missedPublications).toBe(0);
    expect(freshnessOf('oxr', asOf, at('2026-01-01T13:16:00Z')).missedPublications).toBe(1);
  });

  it('a publication from the future is fresh, not negative', () => {
    expect(freshnessOf('simulated', '2026-01-01T12:05:00.000Z', at('2026-01-01T12:00:00Z'))).toEqual({ ageMinutes: 0, missedPublications: 0 });
  });
});
