/**
 * EventBridge Scheduler expressions, evaluated locally: the local platform fires each rate
 * source on the same `rate(…)` or `cron(…)` schedule the CDK stacks deploy. No dependencies.
 *
 * - `rate(N unit)`: unit minute|minutes|hour|hours|day|days, singular exactly when N = 1 (as
 *   AWS requires). Fires when created and then every N units.
 * - `cron(minutes hours day-of-month month day-of-week year)`, AWS flavour, in UTC: `*`, `?`
 *   (day-of-month or day-of-week, exactly one of the two), numbers, lists `a,b`, ranges `a-b`,
 *   steps `*∕n`, `a∕n`, `a-b∕n`, month names JAN-DEC, weekday names SUN-SAT (1 = SUN … 7 = SAT),
 *   `L`, `LW` and `nW` in day-of-month, `L`, `nL` and `n#k` in day-of-week, years 1970-2199.
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

const MIN_YEAR = 1970;
const MAX_YEAR = 2199;

const MONTH_NAMES = [
  'JAN',
  'FEB',
  'MAR',
  'APR',
  'MAY',
  'JUN',
  'JUL',
  'AUG',
  'SEP',
  'OCT',
  'NOV',
  'DEC',
];
const WEEKDAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

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
  if (!(singular in UNIT_MS)) {
    return fail(`unknown unit "${unit}": use minute(s), hour(s) or day(s)`);
  }
  if (value === 1 && unit !== singular) return fail(`use the singular "${singular}" when N is 1`);
  if (value !== 1 && unit === singular) return fail(`use the plural "${singular}s" when N > 1`);
  const intervalMs = value * UNIT_MS[singular as keyof typeof UNIT_MS];
  return {
    source,
    firesOnStart: true,
    next: (after) => new Date(timeOf(source, after) + intervalMs),
  };
}

interface FieldSpec {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
  /** Numeric value of names[0]. */
  readonly namesBase?: number;
}

const FIELDS = {
  minutes: { name: 'minutes', min: 0, max: 59 },
  hours: { name: 'hours', min: 0, max: 23 },
  dayOfMonth: { name: 'day-of-month', min: 1, max: 31 },
  month: { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesBase: 1 },
  dayOfWeek: { name: 'day-of-week', min: 1, max: 7, names: WEEKDAY_NAMES, namesBase: 1 },
  year: { name: 'year', min: MIN_YEAR, max: MAX_YEAR },
} satisfies Record<string, FieldSpec>;

/** Whether a day (year, 1-based month, day) matches one day-of-month or day-of-week term. */
type DayPredicate = (year: number, month: number, day: number) => boolean;

function parseCron(source: string, body: string, fail: Fail): ScheduleExpression {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) {
    return fail(
      `a cron expression has 6 fields (minutes hours day-of-month month day-of-week year), got ${
        body.trim() === '' ? 0 : parts.length
      }`,
    );
  }
  const [minutesText, hoursText, domText, monthText, dowText, yearText] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const domAny = domText === '?';
  const dowAny = dowText === '?';
  if (domAny === dowAny) {
    return fail('exactly one of day-of-month and day-of-week must be "?"');
  }

  const minutes = valuesOf(parseField(minutesText, FIELDS.minutes, fail), FIELDS.minutes);
  const hours = valuesOf(parseField(hoursText, FIELDS.hours, fail), FIELDS.hours);
  const months = valuesOf(parseField(monthText, FIELDS.month, fail), FIELDS.month);
  const years = valuesOf(parseField(yearText, FIELDS.year, fail), FIELDS.year);
  const dayMatches = domAny ? parseDayOfWeek(dowText, fail) : parseDayOfMonth(domText, fail);

  return {
    source,
    firesOnStart: false,
    next: (after) => {
      // The smallest minute-aligned instant strictly after `after`.
      const start = new Date(Math.floor(timeOf(source, after) / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
      const found = search(start, { minutes, hours, months, years, dayMatches });
      if (found === undefined) {
        throw new Error(
          `Schedule expression "${source}" never fires after ${after.toISOString()} (searched up to year ${MAX_YEAR})`,
        );
      }
      return found;
    },
  };
}

interface CronFields {
  readonly minutes: readonly number[];
  readonly hours: readonly number[];
  readonly months: readonly number[];
  readonly years: readonly number[];
  readonly dayMatches: DayPredicate;
}

/**
 * Smallest matching minute at or after `start`, walking years → months → days → hours →
 * minutes over the allowed values only, so it is fast for yearly schedules and always
 * terminates: the year field never goes beyond 2199.
 */
function search(start: Date, cron: CronFields): Date | undefined {
  const sy = start.getUTCFullYear();
  const sm = start.getUTCMonth() + 1;
  const sd = start.getUTCDate();
  const sh = start.getUTCHours();
  const smin = start.getUTCMinutes();
  for (const year of cron.years) {
    if (year < sy) continue;
    const sameYear = year === sy;
    for (const month of cron.months) {
      if (sameYear && month < sm) continue;
      const sameMonth = sameYear && month === sm;
      const days = daysInMonth(year, month);
      for (let day = sameMonth ? sd : 1; day <= days; day++) {
        if (!cron.dayMatches(year, month, day)) continue;
        const sameDay = sameMonth && day === sd;
        for (const hour of cron.hours) {
          if (sameDay && hour < sh) continue;
          const sameHour = sameDay && hour === sh;
          for (const minute of cron.minutes) {
            if (sameHour && minute < smin) continue;
            return new Date(Date.UTC(year, month - 1, day, hour, minute));
          }
        }
      }
    }
  }
  return undefined;
}

/** A parsed field: the allowed values, or undefined for `*` (every value). */
function parseField(text: string, spec: FieldSpec, fail: Fail): Set<number> | undefined {
  if (text === '*') return undefined;
  if (text === '?') return fail(`"?" is only allowed in day-of-month or day-of-week`);
  const values = new Set<number>();
  for (const term of splitList(text, spec, fail)) {
    for (const value of termValues(term, spec, fail)) values.add(value);
  }
  return values;
}

function valuesOf(set: Set<number> | undefined, spec: FieldSpec): number[] {
  if (set === undefined) return range(spec.min, spec.max, 1);
  return [...set].sort((a, b) => a - b);
}

function splitList(text: string, spec: FieldSpec, fail: Fail): string[] {
  const terms = text.split(',');
  if (terms.some((term) => term === '')) return fail(`empty list item in ${spec.name} "${text}"`);
  return terms;
}

/** Values of one list term: `*`, `n`, `a-b`, with an optional `/step`. */
function termValues(term: string, spec: FieldSpec, fail: Fail): number[] {
  const slash = term.split('/');
  if (slash.length > 2) return fail(`invalid ${spec.name} "${term}"`);
  const [base, stepText] = slash as [string, string | undefined];
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d+$/.test(stepText) || Number(stepText) < 1) {
      return fail(
        `invalid step "${stepText}" in ${spec.name} "${term}": must be a positive integer`,
      );
    }
    step = Number(stepText);
  }
  if (base === '*') return range(spec.min, spec.max, step);
  const dash = base.split('-');
  if (dash.length > 2) return fail(`invalid ${spec.name} "${term}"`);
  const from = valueOf(dash[0]!, spec, fail);
  if (dash.length === 2) {
    const to = valueOf(dash[1]!, spec, fail);
    if (from > to) return fail(`range "${base}" in ${spec.name} runs backwards`);
    return range(from, to, step);
  }
  // `a/n` runs from a to the field's maximum; a bare `a` is the single value.
  return stepText === undefined ? [from] : range(from, spec.max, step);
}

function valueOf(text: string, spec: FieldSpec, fail: Fail): number {
  let value: number | undefined;
  if (/^\d+$/.test(text)) {
    value = Number(text);
  } else if (spec.names) {
    const index = spec.names.indexOf(text.toUpperCase());
    if (index >= 0) value = index + (spec.namesBase ?? 0);
  }
  if (value === undefined) {
    return fail(
      `invalid ${spec.name} value "${text}"${spec.names ? ` (use ${spec.min}-${spec.max} or ${spec.names[0]}-${spec.names.at(-1)})` : ''}`,
    );
  }
  if (value < spec.min || value > spec.max) {
    return fail(`${spec.name} value ${text} is out of range ${spec.min}-${spec.max}`);
  }
  return value;
}

/** Day-of-month: the generic syntax plus `L` (last day), `LW` (last weekday), `nW` (weekday nearest day n). */
function parseDayOfMonth(text: string, fail: Fail): DayPredicate {
  const spec = FIELDS.dayOfMonth;
  if (text === '*') return () => true;
  const plain = new Set<number>();
  const special: DayPredicate[] = [];
  for (const term of splitList(text, spec, fail)) {
    const upper = term.toUpperCase();
    if (upper === 'L') {
      special.push((y, m, d) => d === daysInMonth(y, m));
    } else if (upper === 'LW') {
      special.push((y, m, d) => d === lastWeekday(y, m));
    } else if (/^\d+W$/.test(upper)) {
      const target = valueOf(upper.slice(0, -1), spec, fail);
      special.push((y, m, d) => d === nearestWeekday(y, m, target));
    } else {
      for (const value of termValues(term, spec, fail)) plain.add(value);
    }
  }
  return (y, m, d) => plain.has(d) || special.some((matches) => matches(y, m, d));
}

/** Day-of-week (1 = SUN … 7 = SAT): the generic syntax plus `L` (SAT), `nL` (last n-day of the month), `n#k` (k-th n-day). */
function parseDayOfWeek(text: string, fail: Fail): DayPredicate {
  const spec = FIELDS.dayOfWeek;
  if (text === '*') return () => true;
  const plain = new Set<number>();
  const special: DayPredicate[] = [];
  for (const term of splitList(text, spec, fail)) {
    const upper = term.toUpperCase();
    const nth = /^([A-Z]+|\d+)#(\d+)$/.exec(upper);
    if (upper === 'L') {
      plain.add(7);
    } else if (/^([A-Z]+|\d+)L$/.test(upper)) {
      const weekday = valueOf(upper.slice(0, -1), spec, fail);
      special.push((y, m, d) => weekdayOf(y, m, d) === weekday && d + 7 > daysInMonth(y, m));
    } else if (nth) {
      const weekday = valueOf(nth[1]!, spec, fail);
      const k = Number(nth[2]);
      if (k < 1 || k > 5) return fail(`"#${nth[2]}" in day-of-week "${term}" must be 1-5`);
      special.push((y, m, d) => weekdayOf(y, m, d) === weekday && Math.ceil(d / 7) === k);
    } else {
      for (const value of termValues(term, spec, fail)) plain.add(value);
    }
  }
  return (y, m, d) => plain.has(weekdayOf(y, m, d)) || special.some((matches) => matches(y, m, d));
}

function range(from: number, to: number, step: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value += step) values.push(value);
  return values;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** AWS numbering: 1 = SUN … 7 = SAT. */
function weekdayOf(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}

function isWeekend(year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  return weekday === 1 || weekday === 7;
}

function lastWeekday(year: number, month: number): number {
  let day = daysInMonth(year, month);
  while (isWeekend(year, month, day)) day--;
  return day;
}

/** The weekday nearest `target` within the month (Quartz/AWS `W`); none when the month is shorter. */
function nearestWeekday(year: number, month: number, target: number): number | undefined {
  const days = daysInMonth(year, month);
  if (target > days) return undefined;
  const weekday = weekdayOf(year, month, target);
  if (weekday === 7) return target === 1 ? 3 : target - 1; // Saturday → Friday, or Monday the 3rd
  if (weekday === 1) return target === days ? target - 2 : target + 1; // Sunday → Monday, or Friday
  return target;
}

function timeOf(source: string, after: Date): number {
  const time = after instanceof Date ? after.getTime() : Number.NaN;
  if (Number.isNaN(time)) {
    throw new Error(
      `Schedule expression "${source}": next() needs a valid Date, got ${String(after)}`,
    );
  }
  return time;
}
