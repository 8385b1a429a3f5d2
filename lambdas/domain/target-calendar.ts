/**
 * The TARGET calendar (the euro area's payment system, whose closing days are the ECB's): ECB
 * reference rates are published on TARGET business days at about 16:00 Europe/Berlin. Days are
 * "YYYY-MM-DD" strings; instants are ISO-8601 UTC with milliseconds.
 */

const DAY_MS = 86_400_000;

/**
 * Answers of these pure functions already worked out: every rate lookup asks them, and stepping
 * through days or formatting through Intl is what costs. Bounded: a few years of days.
 */
const answers = new Map<string, string>();
function remembered(key: string, work: () => string): string {
  let answer = answers.get(key);
  if (answer === undefined) {
    if (answers.size >= 8_192) answers.clear();
    answer = work();
    answers.set(key, answer);
  }
  return answer;
}

const dayOf = (time: number) => new Date(time).toISOString().slice(0, 10);
const addDays = (day: string, n: number) => dayOf(Date.parse(`${day}T00:00:00.000Z`) + n * DAY_MS);

/** Easter Sunday of a Gregorian year (the anonymous Gregorian computus of Meeus/Jones/Butcher). */
export function easterSunday(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Weekends, New Year's Day, Good Friday, Easter Monday, 1 May, 25 and 26 December. */
export function isTargetClosingDay(day: string): boolean {
  const weekday = new Date(`${day}T00:00:00.000Z`).getUTCDay();
  if (weekday === 0 || weekday === 6) return true;
  const monthDay = day.slice(5);
  if (['01-01', '05-01', '12-25', '12-26'].includes(monthDay)) return true;
  const easter = easterSunday(Number(day.slice(0, 4)));
  return day === addDays(easter, -2) || day === addDays(easter, 1);
}

/** The first TARGET business day strictly after `day`. */
export function nextTargetBusinessDay(day: string): string {
  let next = addDays(day, 1);
  while (isTargetClosingDay(next)) next = addDays(next, 1);
  return next;
}

/** `day` itself when it is a business day, else the next one. */
export function targetBusinessDayOnOrAfter(day: string): string {
  return isTargetClosingDay(day) ? nextTargetBusinessDay(day) : day;
}

/** The n-th TARGET business day after `day` (n >= 0; 0 is `day` itself). */
export function addTargetBusinessDays(day: string, n: number): string {
  return remembered(`${day}+${n}`, () => {
    let result = day;
    for (let i = 0; i < n; i++) result = nextTargetBusinessDay(result);
    return result;
  });
}

const HOUR_MS = 3_600_000;

/** 00:00 UTC of the last Sunday of a month (0-based) of a year. */
function lastSunday(year: number, month: number): number {
  const lastDay = Date.UTC(year, month + 1, 0);
  return lastDay - new Date(lastDay).getUTCDay() * DAY_MS;
}

/** The year the EU's common summer-time rule took effect in Germany. */
const EU_RULE_SINCE = 1996;

let historicBerlin: Intl.DateTimeFormat | undefined;

/** Berlin's wall clock before 1996, from the runtime's time zone data. */
function historicBerlinWallClock(time: number): number {
  historicBerlin ??= new Intl.DateTimeFormat('en-US', {
    timeZone: 'Europe/Berlin',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  });
  const parts = Object.fromEntries(historicBerlin.formatToParts(new Date(time)).map((p) => [p.type, p.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/**
 * Berlin's wall-clock time at `time`, read as if it were UTC (so the difference is the offset).
 * Since 1996 the EU rule (Directive 2000/84/EC): CET (UTC+1), summer time (UTC+2) from 01:00 UTC
 * on the last Sunday of March to 01:00 UTC on the last Sunday of October. Arithmetic rather than
 * Intl: the first Intl formatter in a process costs about 13 ms of ICU start-up, in the cold start
 * of every function that resolves a rate. test/unit/domain/target-calendar.test.ts checks the rule
 * against the runtime's time zone data, every transition through 2099.
 */
function berlinWallClock(time: number): number {
  const year = new Date(time).getUTCFullYear();
  if (year < EU_RULE_SINCE) return historicBerlinWallClock(time);
  const summer = time >= lastSunday(year, 2) + HOUR_MS && time < lastSunday(year, 9) + HOUR_MS;
  return time + (summer ? 2 : 1) * HOUR_MS;
}

/** The calendar day in Berlin at an instant. */
export function berlinDay(instant: string): string {
  return dayOf(berlinWallClock(Date.parse(instant)));
}


/**
 * The instant at which Berlin's clocks show `hour`:00 on `day`, daylight saving time included
 * (see berlinWallClock for where the zone's rules come from).
 */
export function berlinTimeToInstant(day: string, hour: number): string {
  return remembered(`${day}T${hour}`, () => {
    const wall = Date.parse(`${day}T${String(hour).padStart(2, '0')}:00:00.000Z`);
    let instant = wall - (berlinWallClock(wall) - wall);
    // The offset at the guess may differ from the offset at the answer near a DST switch.
    instant = wall - (berlinWallClock(instant) - instant);
    return new Date(instant).toISOString();
  });
}
