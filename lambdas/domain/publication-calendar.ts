import type { RateProviderName } from './rate-snapshot';

/**
 * When a provider publishes, so "stale" means "a publication that should exist is missing", not
 * "old": ECB publishes nothing at weekends and on TARGET holidays, and that must not page anyone.
 */
export type PublicationCalendar =
  | {
      /** One publication per TARGET working day at `at` (local time of `timeZone`). */
      readonly kind: 'target-days';
      readonly at: { readonly hour: number; readonly minute: number };
      readonly timeZone: string;
      /** How late a publication may be before it counts as missed. */
      readonly graceMinutes: number;
    }
  | {
      /** A publication at least every `everyMinutes`, around the clock. */
      readonly kind: 'continuous';
      readonly everyMinutes: number;
      readonly graceMinutes: number;
    };

const ECB_REFERENCE_RATES = { kind: 'target-days', at: { hour: 16, minute: 0 }, timeZone: 'Europe/Berlin' } as const;

export const PUBLICATION_CALENDARS: Readonly<Record<RateProviderName, PublicationCalendar>> = {
  // "Usually updated at around 16:00 CET on every working day, except on TARGET closing days."
  ecb: { ...ECB_REFERENCE_RATES, graceMinutes: 20 },
  // Frankfurter republishes the ECB reference rates a little after ECB.
  frankfurter: { ...ECB_REFERENCE_RATES, graceMinutes: 45 },
  // Prices of actively traded coins are refreshed every minute or so.
  coingecko: { kind: 'continuous', everyMinutes: 5, graceMinutes: 10 },
  // Hourly on the plans without minute updates.
  oxr: { kind: 'continuous', everyMinutes: 60, graceMinutes: 15 },
  simulated: { kind: 'continuous', everyMinutes: 1, graceMinutes: 2 },
};

export interface Freshness {
  /** Minutes since the newest publication's as-of time (floored). */
  readonly ageMinutes: number;
  /** Publications the provider should have made since then, by its calendar: 0 when fresh. */
  readonly missedPublications: number;
}

/** Days looked back at most (a year of history is plenty to say "stale"). */
const MAX_DAYS = 400;
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** How fresh the newest publication `asOf` of a provider is at `now`, by its calendar. */
export function freshnessOf(provider: RateProviderName, asOf: string, now: Date): Freshness {
  const published = Date.parse(asOf);
  if (Number.isNaN(published)) throw new Error(`not an instant: ${asOf}`);
  const ageMinutes = Math.max(0, Math.floor((now.getTime() - published) / MINUTE_MS));
  const calendar = PUBLICATION_CALENDARS[provider];
  if (calendar.kind === 'continuous') {
    // The newest publication may be one interval (and the grace) old; each further interval is one missed.
    const overdue = now.getTime() - published - calendar.graceMinutes * MINUTE_MS;
    return { ageMinutes, missedPublications: Math.max(0, Math.floor(overdue / (calendar.everyMinutes * MINUTE_MS))) };
  }
  // Days count by the publication's date (the as-of time is that day, whatever its clock time).
  const newestDay = Date.parse(`${asOf.slice(0, 10)}T00:00:00Z`);
  let missed = 0;
  for (let day = newestDay + DAY_MS, n = 0; day <= now.getTime() && n < MAX_DAYS; day += DAY_MS, n++) {
    const date = new Date(day);
    if (!isTargetWorkingDay(date)) continue;
    const due = zonedInstant(date, calendar.at, calendar.timeZone) + calendar.graceMinutes * MINUTE_MS;
    if (due <= now.getTime()) missed += 1;
  }
  return { ageMinutes, missedPublications: missed };
}

/** TARGET2 closing days: weekends, 1 January, Good Friday, Easter Monday, 1 May, 25 and 26 December. */
export function isTargetWorkingDay(date: Date): boolean {
  const weekday = date.getUTCDay();
  if (weekday === 0 || weekday === 6) return false;
  const month = date.getUTCMonth() + 1;
  const day = date.getUTCDate();
  if ((month === 1 && day === 1) || (month === 5 && day === 1) || (month === 12 && (day === 25 || day === 26))) return false;
  const easter = easterSunday(date.getUTCFullYear());
  const offset = Math.round((Date.UTC(date.getUTCFullYear(), month - 1, day) - easter) / DAY_MS);
  return offset !== -2 && offset !== 1;
}

/** Western (Gregorian) Easter Sunday at 00:00 UTC: the anonymous Gregorian algorithm (Meeus). */
function easterSunday(year: number): number {
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
  return Date.UTC(year, month - 1, day);
}

/** The UTC instant of a wall-clock time on a (UTC) date in a time zone, e.g. 16:00 Europe/Berlin. */
function zonedInstant(date: Date, at: { hour: number; minute: number }, timeZone: string): number {
  const wallAsUtc = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate(), at.hour, at.minute);
  const offsetName = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
    .formatToParts(new Date(wallAsUtc))
    .find((part) => part.type === 'timeZoneName')?.value;
  const match = /GMT([+-])(\d{2}):(\d{2})/.exec(offsetName ?? '');
  const offsetMinutes = match ? (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 60 + Number(match[3])) : 0;
  return wallAsUtc - offsetMinutes * MINUTE_MS;
}
