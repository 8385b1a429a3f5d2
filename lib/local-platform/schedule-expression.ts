import { Cron } from 'croner';

/**
 * EventBridge Scheduler expressions, evaluated locally: the local platform fires each rate
 * source on the same `rate(…)` or `cron(…)` schedule the CDK stacks deploy.
 *
 * - `rate(N unit)`: unit minute|minutes|hour|hours|day|days, singular exactly when N = 1 (as
 *   AWS requires). Fires when created and then every N units.
 * - `cron(minutes hours day-of-month month day-of-week year)`, AWS flavour, in UTC, evaluated by
 *   croner: its 7-field form with the seconds at 0, Quartz weekday numbers (1 = SUN … 7 = SAT),
 *   `a/n` steps, `L`, `W`, `#`. What AWS requires beyond croner is checked here: six fields,
 *   `?` in exactly one of day-of-month and day-of-week (and nowhere else), weekdays 1-7, years
 *   1970-2199.
 */
export interface ScheduleExpression {
  readonly source: string;
  /** Next fire time strictly after `after` (UTC). */
  next(after: Date): Date;
  /** rate() schedules also fire right when they are created, like EventBridge Scheduler. */
  readonly firesOnStart: boolean;
}

const MINUTE_MS = 60_000;
const UNIT_MS = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS } as const;
const FIELDS = ['minutes', 'hours', 'day-of-month', 'month', 'day-of-week', 'year'] as const;

/** Parses an EventBridge Scheduler `rate(…)` or `cron(…)` expression; throws on anything invalid. */
export function parseScheduleExpression(expression: string): ScheduleExpression {
  const fail = (reason: string): never => {
    throw new Error(`Invalid schedule expression "${expression}": ${reason}`);
  };
  if (typeof expression !== 'string') fail('expected a string');
  const text = expression.trim();
  const rate = /^rate\((.*)\)$/.exec(text);
  if (rate) return parseRate(expression, rate[1]!, fail);
  const cron = /^cron\((.*)\)$/.exec(text);
  if (cron) return parseCron(expression, cron[1]!, fail);
  return fail('expected rate(N unit) or cron(minutes hours day-of-month month day-of-week year)');
}

type Fail = (reason: string) => never;

function parseRate(source: string, body: string, fail: Fail): ScheduleExpression {
  const match = /^\s*(\d+)\s+([a-z]+)\s*$/.exec(body);
  if (!match) return fail('expected rate(N unit), e.g. rate(5 minutes)');
  const [, digits, unit] = match as unknown as [string, string, string];
  const value = Number(digits);
  if (!/^[1-9]\d*$/.test(digits) || !Number.isSafeInteger(value)) {
    return fail(`the rate value must be a positive integer, got "${digits}"`);
  }
  const singular = unit.endsWith('s') ? unit.slice(0, -1) : unit;
  if (!(singular in UNIT_MS)) return fail(`unknown unit "${unit}": use minute(s), hour(s) or day(s)`);
  if (value === 1 && unit !== singular) return fail(`use the singular "${singular}" when N is 1`);
  if (value !== 1 && unit === singular) return fail(`use the plural "${singular}s" when N > 1`);
  const intervalMs = value * UNIT_MS[singular as keyof typeof UNIT_MS];
  return { source, firesOnStart: true, next: (after) => new Date(timeOf(source, after) + intervalMs) };
}

function parseCron(source: string, body: string, fail: Fail): ScheduleExpression {
  const fields = body.trim() === '' ? [] : body.trim().split(/\s+/);
  if (fields.length !== 6) return fail(`cron() takes 6 fields (${FIELDS.join(' ')}), got ${fields.length}`);
  const [, , dayOfMonth, , dayOfWeek, year] = fields as [string, string, string, string, string, string];
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return fail('use "?" in exactly one of day-of-month and day-of-week');
  }
  fields.forEach((field, i) => {
    if (field.includes('?') && field !== '?') fail(`invalid ${FIELDS[i]} "${field}"`);
    if (field === '?' && i !== 2 && i !== 4) fail(`"?" is only allowed in day-of-month or day-of-week, not in ${FIELDS[i]}`);
  });
  // croner reads 8 as a Sunday; AWS numbers weekdays 1-7 only.
  for (const number of dayOfWeek.match(/(?<![#\d])\d+/g) ?? []) {
    if (Number(number) < 1 || Number(number) > 7) fail(`day-of-week value ${number} is out of range 1-7`);
  }
  for (const number of year.match(/\d+/g) ?? []) {
    if (Number(number) < 1970 || Number(number) > 2199) fail(`year value ${number} is out of range 1970-2199`);
  }
  let cron: Cron;
  try {
    cron = new Cron(`0 ${fields.join(' ')}`, {
      mode: '7-part',
      alternativeWeekdays: true,
      sloppyRanges: true,
      timezone: 'UTC',
      paused: true,
    });
  } catch (error) {
    return fail((error as Error).message.replace(/^CronPattern: /, ''));
  }
  return {
    source,
    firesOnStart: false,
    next: (after) => {
      const next = cron.nextRun(new Date(timeOf(source, after)));
      if (!next) throw new Error(`Schedule "${source}" never fires after ${after.toISOString()}`);
      return next;
    },
  };
}

function timeOf(source: string, after: Date): number {
  const time = after instanceof Date ? after.getTime() : Number.NaN;
  if (!Number.isFinite(time)) throw new Error(`Schedule "${source}": next() needs a valid Date`);
  return time;
}
