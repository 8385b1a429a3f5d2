// ISO 8601 extended date-time with a zone: Z, ±HH:MM, ±HHMM or ±HH.
const ISO_WITH_ZONE =
  /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(Z|[+-](\d{2})(?::?(\d{2}))?)$/;
const LOCAL_ISO = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}([.,]\d+)?)?$/;

/** An instant as ISO-8601 UTC with milliseconds, or what is wrong with the text (to follow its name). */
export type ParsedInstant = { readonly ok: true; readonly iso: string } | { readonly ok: false; readonly problem: string };

/**
 * Reads an ISO 8601 date-time that names its zone ("2024-01-10T12:00:00Z",
 * "2024-01-10T13:00:00.5+01:00") as UTC with milliseconds; digits beyond milliseconds are
 * truncated. A date-time without a zone is refused: it is no instant.
 */
export function parseInstant(value: unknown): ParsedInstant {
  if (typeof value === 'string' && LOCAL_ISO.test(value)) {
    return { ok: false, problem: 'has no zone; add "Z" or an offset like "+02:00"' };
  }
  const match = typeof value === 'string' ? ISO_WITH_ZONE.exec(value) : null;
  if (!match) return { ok: false, problem: 'is not ISO 8601 with a zone, like "2024-01-10T12:00:00Z"' };
  const [, date, hh, mm, ss, fraction = '', zone, offsetHours = '00', offsetMinutes = '00'] = match;
  const millis = fraction.padEnd(3, '0').slice(0, 3);
  const local = Date.parse(`${date}T${hh}:${mm}:${ss}.${millis}Z`);
  const valid =
    Number.isFinite(local) &&
    new Date(local).toISOString().slice(0, 19) === `${date}T${hh}:${mm}:${ss}` &&
    Number(offsetHours) <= 23 &&
    Number(offsetMinutes) <= 59;
  if (!valid) return { ok: false, problem: 'is not a real date and time' };
  const sign = zone.startsWith('-') ? -1 : 1;
  const offsetMs = zone === 'Z' ? 0 : sign * (Number(offsetHours) * 60 + Number(offsetMinutes)) * 60_000;
  const iso = new Date(local - offsetMs).toISOString();
  if (!/^\d{4}-/.test(iso)) return { ok: false, problem: 'is out of range' };
  return { ok: true, iso };
}
