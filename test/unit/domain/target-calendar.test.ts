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

  it('reads the Berlin calendar day of an instant', () => {
    expect(berlinDay('2024-07-15T21:59:59.999Z')).toBe('2024-07-15');
    expect(berlinDay('2024-07-15T22:00:00.000Z')).toBe('2024-07-16');
    expect(berlinDay('2024-02-15T23:00:00.000Z')).toBe('2024-02-16');
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
  });
});
