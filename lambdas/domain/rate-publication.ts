import {
  berlinDay,
  berlinTimeToInstant,
  nextTargetBusinessDay,
  targetBusinessDayOnOrAfter,
} from './target-calendar';

export const RATE_PROVIDERS = ['simulated', 'ecb', 'frankfurter', 'coingecko', 'oxr'] as const;
export type RateProviderName = (typeof RATE_PROVIDERS)[number];

export function isRateProviderName(value: string): value is RateProviderName {
  return (RATE_PROVIDERS as readonly string[]).includes(value);
}

/**
 * How a provider publishes:
 * - `target-daily`: one publication per TARGET business day, in force from 16:00 Europe/Berlin
 *   on its rate date (ECB, and Frankfurter, which republishes the ECB's data);
 * - `continuous`: whenever it likes; in force from its own timestamp (OXR `timestamp`,
 *   CoinGecko `last_updated_at`, the simulated feed's tick).
 */
export type PublicationSchedule = 'target-daily' | 'continuous';

export interface ProviderProfile {
  /** The base currency the platform fetches the provider's rates in: one series per provider. */
  readonly base: string;
  readonly schedule: PublicationSchedule;
}

export const PROVIDER_PROFILES: Readonly<Record<RateProviderName, ProviderProfile>> = {
  ecb: { base: 'EUR', schedule: 'target-daily' },
  frankfurter: { base: 'EUR', schedule: 'target-daily' },
  oxr: { base: 'USD', schedule: 'continuous' },
  coingecko: { base: 'USD', schedule: 'continuous' },
  simulated: { base: 'EUR', schedule: 'continuous' },
};

/** The hour (Europe/Berlin) at which a TARGET-daily publication takes effect. */
export const TARGET_DAILY_HOUR = 16;

/** When a TARGET-daily publication for `rateDate` takes effect: 16:00 Berlin that day. */
export function targetDailyInForceFrom(rateDate: string): string {
  return berlinTimeToInstant(rateDate, TARGET_DAILY_HOUR);
}

/** The instant and the rate date of one publication. */
export interface Publication {
  /** ISO-8601 UTC with milliseconds: from when the rates are in force. */
  readonly inForceFrom: string;
  /** The provider's own date (TARGET-daily providers) or the UTC date of inForceFrom. */
  readonly rateDate: string;
}

/** What a publication of the provider with this rate date or instant looks like. */
export function publicationOf(provider: RateProviderName, dateOrInstant: string): Publication {
  if (PROVIDER_PROFILES[provider].schedule === 'target-daily') {
    const rateDate = dateOrInstant.slice(0, 10);
    return { inForceFrom: targetDailyInForceFrom(rateDate), rateDate };
  }
  return { inForceFrom: dateOrInstant, rateDate: dateOrInstant.slice(0, 10) };
}

const before = (instant: string) => new Date(Date.parse(instant) - 1).toISOString();

/**
 * The last instant whose answer from this series is final: no publication in force at or
 * before it can still arrive (a backfill aside). The latest stored publication is `latest`;
 * `checkedAt` is the newest fetch that found it still the newest.
 * - continuous providers: `checkedAt` — anything after it may yet be published;
 * - TARGET-daily providers: the instant before the next publication that may still come. That
 *   is 16:00 Berlin on the next TARGET business day after the latest rate date; once a fetch ran
 *   after Berlin midnight of such a day without finding its publication, the day is taken as
 *   not published and the next business day is the one that may still come. A fetch between
 *   16:00 and the actual publication (the ECB is often a few minutes late) does not settle
 *   instants the late publication will cover.
 */
export function settledUntil(provider: RateProviderName, latest: Publication, checkedAt: string): string {
  if (PROVIDER_PROFILES[provider].schedule === 'continuous') {
    return checkedAt > latest.inForceFrom ? checkedAt : latest.inForceFrom;
  }
  const afterLatest = nextTargetBusinessDay(latest.rateDate);
  const stillPossible = targetBusinessDayOnOrAfter(berlinDay(checkedAt));
  const next = afterLatest > stillPossible ? afterLatest : stillPossible;
  return before(targetDailyInForceFrom(next));
}

/** How fresh a provider's newest publication is: what fetch-rates reports for the stale-rate alarm. */
export interface Freshness {
  /** Whole minutes since the publication came into force (0 for one not yet in force). */
  readonly ageMinutes: number;
  /**
   * TARGET-daily providers: the publications due since (16:00 Berlin on each later TARGET
   * business day) that have not come; 0 while it is the newest there should be. Undefined for
   * continuous providers, which publish whenever they like: only their age says they are late.
   */
  readonly missedPublications?: number;
}

/** Business days counted at most (more than a year of them: plenty to say "stale"). */
const MAX_MISSED = 300;

/** How fresh the newest publication `latest` of a provider is at `now` (ISO-8601). */
export function freshnessOf(provider: RateProviderName, latest: Publication, now: string): Freshness {
  const ageMinutes = Math.max(0, Math.floor((Date.parse(now) - Date.parse(latest.inForceFrom)) / 60_000));
  if (PROVIDER_PROFILES[provider].schedule === 'continuous') return { ageMinutes };
  let missed = 0;
  for (let day = nextTargetBusinessDay(latest.rateDate); missed < MAX_MISSED && targetDailyInForceFrom(day) <= now; day = nextTargetBusinessDay(day)) {
    missed += 1;
  }
  return { ageMinutes, missedPublications: missed };
}
