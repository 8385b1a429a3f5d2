import {
  addTargetBusinessDays,
  berlinDay,
  berlinTimeToInstant,
  easterSunday,
  isTargetClosingDay,
  nextTargetBusinessDay,
} from '../../../lambdas/domain/target-calendar';
import { settledUntil, targetDailyInForceFrom } from '../../../lambdas/domain/rate-publication';

describe('easterSunday (Gregorian computus)', () => {
  it.each([
    [2016, '2016-03-27'],
    [2019, '2019-04-21'],
    [2024, '2024-03-31'],
    [2025, '2025-04-20'],
    // The extremes of the Gregorian cycle.
    [2285, '2285-03-22'],
    [2038, '2038-04-25'],
    // Golden number 1 (year % 19 === 0), where the epact term is smallest.
    [2014, '2014-04-20'],
    [1999, '1999-04-04'],
    [2000, '2000-04-23'],
    [2008, '2008-03-23'],
    // The years Gauss's rule moves a week earlier (the Meeus "m" term is 1).
    [1954, '1954-04-18'],
    [1981, '1981-04-19'],
    [2049, '2049-04-18'],
    [2076, '2076-04-19'],
  ])('%i: %s', (year, day) => {
    expect(easterSunday(year)).toBe(day);
  });
});

describe('TARGET closing days', () => {
  it.each([
    ['2016-12-24', 'Saturday'],
    ['2016-12-25', 'Christmas, a Sunday'],
    ['2016-12-26', 'St Stephen’s Day, a Monday'],
    ['2024-01-01', 'New Year’s Day'],
    ['2024-03-29', 'Good Friday'],
    ['2024-04-01', 'Easter Monday'],
    ['2024-05-01', 'Labour Day'],
  ])('%s is closed (%s)', (day) => {
    expect(isTargetClosingDay(day)).toBe(true);
  });

  it.each(['2016-12-23', '2016-12-27', '2024-03-28', '2024-04-02', '2024-05-02', '2024-12-24', '2024-12-31'])('%s is open', (day) => {
    expect(isTargetClosingDay(day)).toBe(false);
  });

  it('steps over weekends and holidays', () => {
    expect(nextTargetBusinessDay('2016-12-23')).toBe('2016-12-27');
    expect(nextTargetBusinessDay('2024-03-28')).toBe('2024-04-02');
    expect(addTargetBusinessDays('2024-03-04', 2)).toBe('2024-03-06');
    expect(addTargetBusinessDays('2024-03-27', 2)).toBe('2024-04-02');
  });
});

describe('16:00 Berlin as an instant', () => {
  it.each([
    ['2024-02-15', '2024-02-15T15:00:00.000Z', 'winter (CET, UTC+1)'],
    ['2024-07-15', '2024-07-15T14:00:00.000Z', 'summer (CEST, UTC+2)'],
    ['2024-03-30', '2024-03-30T15:00:00.000Z', 'the day before the switch to summer time'],
    ['2024-03-31', '2024-03-31T14:00:00.000Z', 'the day of the switch to summer time'],
    ['2024-10-27', '2024-10-27T15:00:00.000Z', 'the day of the switch back'],
    ['2016-12-27', '2016-12-27T15:00:00.000Z', 'a winter day in 2016'],
  ])('%s -> %s, %s', (day, instant) => {
    expect(berlinTimeToInstant(day, 16)).toBe(instant);
    expect(targetDailyInForceFrom(day)).toBe(instant);
  });

  it('takes any hour of the day, morning hours included', () => {
    expect(berlinTimeToInstant('2024-01-10', 9)).toBe('2024-01-10T08:00:00.000Z');
    expect(berlinTimeToInstant('2024-07-10', 0)).toBe('2024-07-09T22:00:00.000Z');
  });

  it('reads the Berlin calendar day of an instant', () => {
    expect(berlinDay('2024-07-15T21:59:59.999Z')).toBe('2024-07-15');
    expect(berlinDay('2024-07-15T22:00:00.000Z')).toBe('2024-07-16');
    expect(berlinDay('2024-02-15T23:00:00.000Z')).toBe('2024-02-16');
  });
});

describe('Berlin time agrees with the runtime\'s time zone data (tzdata via Intl)', () => {
  const HOUR = 3_600_000;
  const tzdata = new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Berlin',
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
  });
  const wall = (time: number) => {
    const p = Object.fromEntries(tzdata.formatToParts(new Date(time)).map((part) => [part.type, part.value]));
    return { day: `${p.year}-${p.month}-${p.day}`, hour: Number(p.hour) };
  };
  const offset = (t: number) => {
    const w = wall(t);
    return Date.parse(`${w.day}T${String(w.hour).padStart(2, '0')}:00:00.000Z`) - t;
  };
  /** Every instant where Berlin's UTC offset changes in a year: day by day, then the hour. */
  const transitions = (year: number) => {
    const found: number[] = [];
    for (let day = Date.UTC(year, 0, 1); day < Date.UTC(year + 1, 0, 1); day += 24 * HOUR) {
      if (offset(day) === offset(day + 24 * HOUR)) continue;
      let t = day + HOUR;
      while (offset(t) === offset(day)) t += HOUR;
      found.push(t);
    }
    return found;
  };
  const years = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

  it.each(years(1990, 2099))('%i: the Berlin day of every hour around each switch', (year) => {
    const switches = transitions(year);
    expect(switches).toHaveLength(2);
    for (const t of switches.flatMap((s) => [-26, -25, -24, -23, -2, -1, 0, 1, 2, 22, 23, 24, 25].map((h) => s + h * HOUR))) {
      const instant = new Date(t).toISOString();
      expect({ instant, day: berlinDay(instant) }).toEqual({ instant, day: wall(t).day });
    }
  });

  it.each(years(1990, 2099))('%i: 16:00 Berlin on the days around each switch', (year) => {
    for (const s of transitions(year)) {
      for (let d = -2; d <= 2; d++) {
        const day = new Date(s + d * 24 * HOUR).toISOString().slice(0, 10);
        const instant = berlinTimeToInstant(day, 16);
        expect({ day, wall: wall(Date.parse(instant)) }).toEqual({ day, wall: { day, hour: 16 } });
      }
    }
  });
});

describe('settledUntil', () => {
  const ecb = (rateDate: string) => ({ rateDate, inForceFrom: targetDailyInForceFrom(rateDate) });

  it('settles an ECB series up to the instant before the next business day’s 16:00, over a holiday weekend', () => {
    // Friday 2016-12-23 was fetched that evening; 24-26 December are closing days.
    expect(settledUntil('ecb', ecb('2016-12-23'), '2016-12-23T15:30:00.000Z')).toBe('2016-12-27T14:59:59.999Z');
  });

  it('does not let a fetch that ran before a late publication settle the instants it will cover', () => {
    // Monday 16:05 Berlin, the ECB has not published yet: instants from 16:00 stay open.
    expect(settledUntil('ecb', ecb('2024-02-16'), '2024-02-19T15:05:00.000Z')).toBe('2024-02-19T14:59:59.999Z');
    // The next morning, no Monday publication arrived: Monday is taken as not published.
    expect(settledUntil('ecb', ecb('2024-02-16'), '2024-02-20T08:00:00.000Z')).toBe('2024-02-20T14:59:59.999Z');
  });

  it('settles a continuous provider only up to its last check', () => {
    const oxr = { inForceFrom: '2024-01-10T11:00:00.000Z', rateDate: '2024-01-10' };
    expect(settledUntil('oxr', oxr, '2024-01-10T11:20:00.000Z')).toBe('2024-01-10T11:20:00.000Z');
    expect(settledUntil('simulated', oxr, '2024-01-10T11:00:00.000Z')).toBe('2024-01-10T11:00:00.000Z');
    // A check stamped before the publication it found (clock skew) settles up to the publication.
    expect(settledUntil('oxr', oxr, '2024-01-10T10:59:00.000Z')).toBe('2024-01-10T11:00:00.000Z');
  });
});
