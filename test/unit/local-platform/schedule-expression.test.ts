import { stageConfig, type StageName } from '../../../lib/config/stage-config';
import { parseScheduleExpression } from '../../../lib/local-platform/schedule-expression';

// A Record over StageName: adding a stage without listing it here fails the type check.
const allStages: Record<StageName, true> = { dev: true, prod: true, local: true };

const configured = (Object.keys(allStages) as StageName[]).flatMap((stage) =>
  stageConfig(stage).rates.sources.map(
    (source) => [stage, source.provider, source.schedule] as const,
  ),
);

function nextIso(expression: string, after: string): string {
  return parseScheduleExpression(expression).next(new Date(after)).toISOString();
}

/** The first `count` fire times after `after`, chaining next(). */
function fireTimes(expression: string, after: string, count: number): string[] {
  const schedule = parseScheduleExpression(expression);
  const times: string[] = [];
  let at = new Date(after);
  for (let i = 0; i < count; i++) {
    at = schedule.next(at);
    times.push(at.toISOString());
  }
  return times;
}

describe('parseScheduleExpression: stage configs', () => {
  it('finds schedules in every stage', () => {
    expect(configured.length).toBeGreaterThan(0);
  });

  it.each(configured)('%s %s schedule %s parses and has a next fire time', (_s, _p, schedule) => {
    const parsed = parseScheduleExpression(schedule);
    const after = new Date('2026-11-20T16:00:00Z');

    expect(parsed.source).toBe(schedule);
    expect(parsed.next(after).getTime()).toBeGreaterThan(after.getTime());
  });
});

describe('rate()', () => {
  it.each([
    ['rate(1 minute)', 60_000],
    ['rate(5 minutes)', 5 * 60_000],
    ['rate(10 minutes)', 10 * 60_000],
    ['rate(1 hour)', 3_600_000],
    ['rate(2 hours)', 7_200_000],
    ['rate(1 day)', 86_400_000],
    ['rate(3 days)', 3 * 86_400_000],
  ])('%s fires every %i ms and on start', (expression, intervalMs) => {
    const parsed = parseScheduleExpression(expression);
    const after = new Date('2026-11-20T16:00:07.250Z');

    expect(parsed.firesOnStart).toBe(true);
    expect(parsed.next(after).getTime() - after.getTime()).toBe(intervalMs);
  });

  it('rate(1 minute) next is 60 s later', () => {
    expect(nextIso('rate(1 minute)', '2026-11-20T16:00:00Z')).toBe('2026-11-20T16:01:00.000Z');
  });

  it.each([
    ['rate(1 minutes)', /singular "minute"/],
    ['rate(1 hours)', /singular "hour"/],
    ['rate(5 minute)', /plural "minutes"/],
    ['rate(0 minutes)', /positive integer/],
    ['rate(-1 minutes)', /rate\(N unit\)/],
    ['rate(1.5 hours)', /rate\(N unit\)/],
    ['rate(2 weeks)', /unknown unit "weeks"/],
    ['rate(minutes)', /rate\(N unit\)/],
    ['rate()', /rate\(N unit\)/],
    // What AWS requires beyond croner, checked by the adapter.
    ['cron(0 0 ? * 8 *)', /day-of-week value 8 is out of range 1-7/],
    ['cron(0 0 1 * 1/2 *)', /exactly one of day-of-month and day-of-week/],
  ])('rejects %s', (expression, reason) => {
    expect(() => parseScheduleExpression(expression)).toThrow(reason);
    expect(() => parseScheduleExpression(expression)).toThrow(`"${expression}"`);
  });
});

describe('cron()', () => {
  const ecb = 'cron(30 15 ? * MON-FRI *)';

  it('does not fire on start', () => {
    expect(parseScheduleExpression(ecb).firesOnStart).toBe(false);
  });

  it('skips the weekend: Friday 16:00 → Monday 15:30', () => {
    expect(new Date('2026-11-20T16:00:00Z').getUTCDay()).toBe(5); // Friday
    expect(nextIso(ecb, '2026-11-20T16:00:00Z')).toBe('2026-11-23T15:30:00.000Z');
  });

  it('fires later the same day: Monday 15:29 → Monday 15:30', () => {
    expect(nextIso(ecb, '2026-11-23T15:29:00Z')).toBe('2026-11-23T15:30:00.000Z');
    expect(nextIso(ecb, '2026-11-23T15:29:59.999Z')).toBe('2026-11-23T15:30:00.000Z');
  });

  it('is strictly after: exactly at a fire time gives the next one', () => {
    expect(nextIso(ecb, '2026-11-23T15:30:00Z')).toBe('2026-11-24T15:30:00.000Z');
    expect(nextIso(ecb, '2026-11-23T15:30:00.001Z')).toBe('2026-11-24T15:30:00.000Z');
  });

  it('runs a working week', () => {
    expect(fireTimes('cron(0 16 ? * MON-FRI *)', '2026-11-20T16:00:00Z', 6)).toEqual([
      '2026-11-23T16:00:00.000Z',
      '2026-11-24T16:00:00.000Z',
      '2026-11-25T16:00:00.000Z',
      '2026-11-26T16:00:00.000Z',
      '2026-11-27T16:00:00.000Z',
      '2026-11-30T16:00:00.000Z',
    ]);
  });

  it.each(['cron(0/15 * * * ? *)', 'cron(*/15 * * * ? *)', 'cron(0,15,30,45 * * * ? *)'])(
    '%s steps every 15 minutes across the hour',
    (expression) => {
      expect(fireTimes(expression, '2026-11-20T10:07:00Z', 5)).toEqual([
        '2026-11-20T10:15:00.000Z',
        '2026-11-20T10:30:00.000Z',
        '2026-11-20T10:45:00.000Z',
        '2026-11-20T11:00:00.000Z',
        '2026-11-20T11:15:00.000Z',
      ]);
    },
  );

  it('supports a-b/n and a/n steps', () => {
    expect(fireTimes('cron(5-50/20 9 * * ? *)', '2026-01-01T00:00:00Z', 4)).toEqual([
      '2026-01-01T09:05:00.000Z',
      '2026-01-01T09:25:00.000Z',
      '2026-01-01T09:45:00.000Z',
      '2026-01-02T09:05:00.000Z',
    ]);
    expect(fireTimes('cron(0 20/2 * * ? *)', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2026-01-01T20:00:00.000Z',
      '2026-01-01T22:00:00.000Z',
      '2026-01-02T20:00:00.000Z',
    ]);
  });

  it('supports month names, lists and the year rollover', () => {
    expect(fireTimes('cron(0 12 1 JAN,jul ? *)', '2026-02-01T00:00:00Z', 3)).toEqual([
      '2026-07-01T12:00:00.000Z',
      '2027-01-01T12:00:00.000Z',
      '2027-07-01T12:00:00.000Z',
    ]);
    expect(nextIso('cron(0 0 1 DEC ? *)', '2026-12-01T00:00:00Z')).toBe('2027-12-01T00:00:00.000Z');
    expect(nextIso('cron(0 0 1 MAR-MAY ? *)', '2026-06-01T00:00:00Z')).toBe(
      '2027-03-01T00:00:00.000Z',
    );
  });

  it('numbers weekdays 1 = SUN … 7 = SAT', () => {
    // 2026-11-22 is a Sunday.
    expect(nextIso('cron(0 9 ? * 1 *)', '2026-11-20T00:00:00Z')).toBe('2026-11-22T09:00:00.000Z');
    expect(nextIso('cron(0 9 ? * 7 *)', '2026-11-20T00:00:00Z')).toBe('2026-11-21T09:00:00.000Z');
    expect(nextIso('cron(0 9 ? * 2-6 *)', '2026-11-21T00:00:00Z')).toBe('2026-11-23T09:00:00.000Z');
  });

  it('honours the year field and jumps straight to it', () => {
    expect(nextIso('cron(0 0 1 1 ? 2030)', '2026-11-20T00:00:00Z')).toBe(
      '2030-01-01T00:00:00.000Z',
    );
    expect(nextIso('cron(0 0 1 1 ? 2027-2029)', '2027-06-01T00:00:00Z')).toBe(
      '2028-01-01T00:00:00.000Z',
    );
  });

  it('finds leap days', () => {
    expect(nextIso('cron(0 0 29 FEB ? *)', '2026-03-01T00:00:00Z')).toBe(
      '2028-02-29T00:00:00.000Z',
    );
  });

  it('supports L (last day of the month) in day-of-month', () => {
    expect(fireTimes('cron(0 23 L * ? *)', '2028-01-31T23:00:00Z', 3)).toEqual([
      '2028-02-29T23:00:00.000Z',
      '2028-03-31T23:00:00.000Z',
      '2028-04-30T23:00:00.000Z',
    ]);
  });

  it('supports W, LW, # and nL', () => {
    // 2026-11-15 is a Sunday → Monday 16th; 2026-11-30 is a Monday.
    expect(nextIso('cron(0 8 15W * ? *)', '2026-11-01T00:00:00Z')).toBe('2026-11-16T08:00:00.000Z');
    // 2026-08-31 is a Monday, 2026-10-31 a Saturday → Friday 30th.
    expect(nextIso('cron(0 8 LW * ? *)', '2026-10-01T00:00:00Z')).toBe('2026-10-30T08:00:00.000Z');
    // Third Friday of November 2026 is the 20th; last Friday is the 27th.
    expect(nextIso('cron(0 8 ? * FRI#3 *)', '2026-11-01T00:00:00Z')).toBe(
      '2026-11-20T08:00:00.000Z',
    );
    expect(nextIso('cron(0 8 ? * 6L *)', '2026-11-01T00:00:00Z')).toBe('2026-11-27T08:00:00.000Z');
  });

  it('throws, rather than looping, when the schedule never fires again', () => {
    expect(() => nextIso('cron(0 0 30 FEB ? *)', '2026-01-01T00:00:00Z')).toThrow(
      /"cron\(0 0 30 FEB \? \*\)" never fires/,
    );
    expect(() => nextIso('cron(0 0 1 1 ? 2026)', '2026-06-01T00:00:00Z')).toThrow(/never fires/);
  });

  it('rejects an invalid Date', () => {
    expect(() => parseScheduleExpression(ecb).next(new Date('nope'))).toThrow(/valid Date/);
  });

  it.each([
    ['cron(30 15 ? * MON-FRI)', /6 fields.*got 5/],
    ['cron(30 15 ? * MON-FRI * *)', /6 fields.*got 7/],
    ['cron()', /6 fields.*got 0/],
    ['cron(30 15 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(30 15 * * MON-FRI *)', /exactly one of day-of-month and day-of-week/],
    ['cron(30 15 1 * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(60 15 ? * MON-FRI *)', /Invalid value for minute: 60/],
    ['cron(30 24 ? * MON-FRI *)', /Invalid value for hour: 24/],
    ['cron(0 0 32 * ? *)', /Invalid value for day/],
    ['cron(0 0 0 * ? *)', /Invalid value for day/],
    ['cron(0 0 1 13 ? *)', /Invalid value for month/],
    ['cron(0 0 ? * 8 *)', /day-of-week value 8 is out of range 1-7/],
    ['cron(0 0 ? * 0 *)', /day-of-week value 0 is out of range 1-7/],
    ['cron(0 0 1 * ? 2200)', /year value 2200 is out of range 1970-2199/],
    ['cron(0 0 ? * MON-FRY *)', /FRY\) contains illegal characters/],
    ['cron(0 0 1 JANUARY ? *)', /month or day name has to stand alone \('JANUARY'\)/],
    ['cron(? 0 1 * ? *)', /"\?" is only allowed/],
    ['cron(0 0 ? * FRI-MON *)', /From value is larger than to value/],
    ['cron(0/0 * * * ? *)', /illegal stepping: 0/],
    ['cron(0/x * * * ? *)', /\(0\/x\) contains illegal characters/],
    ['cron(1,,2 * * * ? *)', /is empty/],
    ['cron(1-2-3 * * * ? *)', /illegal range: '1-2-3'/],
    ['cron(a * * * ? *)', /\(a\) contains illegal characters/],
    ['cron(0 0 ? * MON#6 *)', /should be 1-5/],
    ['cron 0 0 * * ? *', /expected rate/],
    ['at(2026-11-20T16:00:00)', /expected rate/],
    ['', /expected rate/],
    // What AWS requires beyond croner, checked by the adapter.
    ['cron(0 0 1 * 1/2 *)', /exactly one of day-of-month and day-of-week/],
  ])('rejects %s', (expression, reason) => {
    expect(() => parseScheduleExpression(expression)).toThrow(reason);
    expect(() => parseScheduleExpression(expression)).toThrow(
      `Invalid schedule expression "${expression}"`,
    );
  });
});
