import { findCurrency } from './currency';
import {
  isRateProviderName,
  PROVIDER_PROFILES,
  targetDailyInForceFrom,
  type Publication,
  type RateProviderName,
} from './rate-publication';
import { addTargetBusinessDays } from './target-calendar';

/**
 * How long a publication stays usable: an ISO-8601 duration counted from its in-force instant
 * ("PT3H", "P1DT12H"; days, hours, minutes and seconds), or `{ businessDays: n }`: until 16:00
 * Berlin on the n-th TARGET business day after its rate date (a TARGET-daily provider's
 * publication for Friday with n = 2 is stale from Tuesday 16:00, so one missed publication is
 * tolerated).
 */
export type StalenessWindow = string | { readonly businessDays: number };

/** One provider in a currency's ordered list of sources. */
export interface SourceRule {
  readonly provider: RateProviderName;
  readonly staleAfter: StalenessWindow;
}

/**
 * Which provider answers for which currency. A currency's source at an instant is the first
 * provider of its list whose publication in force then has the currency (as a quote or as its
 * base) and is not stale. `currencies` replaces the class list for single currencies.
 */
export interface RatePolicy {
  readonly fiat: readonly SourceRule[];
  readonly crypto: readonly SourceRule[];
  readonly currencies?: Readonly<Record<string, readonly SourceRule[]>>;
}

/** One provider's rates in its base: what is stored and resolved as a unit. */
export interface SeriesKey {
  readonly provider: RateProviderName;
  readonly base: string;
}

export const seriesId = (key: SeriesKey) => `${key.provider}#${key.base}`;
export const seriesOf = (provider: RateProviderName): SeriesKey => ({ provider, base: PROVIDER_PROFILES[provider].base });

export function rulesFor(policy: RatePolicy, code: string): readonly SourceRule[] {
  const own = policy.currencies?.[code];
  if (own) return own;
  return findCurrency(code)?.kind === 'crypto' ? policy.crypto : policy.fiat;
}

/** Every series the policy may read, each once, in policy order. */
export function policySeries(policy: RatePolicy): SeriesKey[] {
  const providers = [...policy.fiat, ...policy.crypto, ...Object.values(policy.currencies ?? {}).flat()].map((r) => r.provider);
  return [...new Set(providers)].map(seriesOf);
}

const DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

/** Milliseconds of an ISO-8601 duration with days, hours, minutes and seconds ("P1DT2H"). */
export function durationMs(text: string): number {
  const match = DURATION.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) {
    throw new Error(`staleness window ${JSON.stringify(text)} is not an ISO-8601 duration such as "PT3H" or "P2D"`);
  }
  const [days, hours, minutes, seconds] = match.slice(1).map((n) => Number(n ?? 0));
  return (((days * 24 + hours) * 60 + minutes) * 60 + seconds) * 1000;
}

/** The first instant at which the publication is stale under the window. */
export function staleFrom(publication: Publication, window: StalenessWindow): string {
  if (typeof window === 'string') return new Date(Date.parse(publication.inForceFrom) + durationMs(window)).toISOString();
  return targetDailyInForceFrom(addTargetBusinessDays(publication.rateDate, window.businessDays));
}

/**
 * When fetch-rates' freshness report says a publication is stale under the window, exactly when
 * `staleFrom` says so: a duration is reached when its whole minutes of age are (`ageMinutes`);
 * n business days when the publications of n later business days are due (`missedPublications`).
 * The stale-rate alarm reads this, so it pages at the instant the resolver stops using the source.
 */
export function staleWhen(window: StalenessWindow): { readonly measure: 'ageMinutes' | 'missedPublications'; readonly atLeast: number } {
  if (typeof window !== 'string') return { measure: 'missedPublications', atLeast: window.businessDays };
  const ms = durationMs(window);
  if (ms % 60_000 !== 0) throw new Error(`staleness window ${window} is not whole minutes: the stale-rate alarm counts minutes`);
  return { measure: 'ageMinutes', atLeast: ms / 60_000 };
}

/** The staleness window the policy gives a provider (its first rule), or `fallback` when no rule names it. */
export function stalenessWindowOf(policy: RatePolicy, provider: RateProviderName, fallback: StalenessWindow): StalenessWindow {
  const rules = [...policy.fiat, ...policy.crypto, ...Object.values(policy.currencies ?? {}).flat()];
  return rules.find((r) => r.provider === provider)?.staleAfter ?? fallback;
}

/** Checks a policy read from configuration; throws naming the first bad setting. */
export function checkRatePolicy(input: unknown): RatePolicy {
  const policy = (input ?? {}) as Record<string, unknown>;
  const checkRules = (where: string, rules: unknown): void => {
    if (!Array.isArray(rules) || rules.length === 0) throw new Error(`rate policy: ${where} must list at least one source`);
    for (const rule of rules as Record<string, unknown>[]) {
      if (typeof rule?.provider !== 'string' || !isRateProviderName(rule.provider)) {
        throw new Error(`rate policy: ${where} names an unknown provider ${JSON.stringify(rule?.provider)}`);
      }
      const window = rule.staleAfter as StalenessWindow | undefined;
      if (typeof window === 'string') durationMs(window);
      else if (!(window && Number.isInteger(window.businessDays) && window.businessDays >= 1)) {
        throw new Error(`rate policy: ${where} ${rule.provider} needs staleAfter, an ISO-8601 duration or { businessDays: n >= 1 }`);
      }
      if (typeof window !== 'string' && PROVIDER_PROFILES[rule.provider].schedule !== 'target-daily') {
        throw new Error(`rate policy: ${where} ${rule.provider} publishes continuously; give its staleAfter as a duration`);
      }
    }
  };
  checkRules('fiat', policy.fiat);
  checkRules('crypto', policy.crypto);
  for (const [code, rules] of Object.entries((policy.currencies ?? {}) as Record<string, unknown>)) {
    if (!findCurrency(code)) throw new Error(`rate policy: currencies names an unsupported currency ${JSON.stringify(code)}`);
    checkRules(`currencies.${code}`, rules);
  }
  return policy as unknown as RatePolicy;
}
