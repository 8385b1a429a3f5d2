import { randomUUID } from 'node:crypto';
import * as z from 'zod/mini';
import {
  ALERT_CONDITIONS,
  crossedThresholds,
  crosses,
  crossingOutcome,
  pairOf,
  rearmedLevels,
  rearmLevel,
  rearmOutcome,
  rearmsAt,
  watchKey,
} from '../domain/alert-rule';
import { Decimal } from '../domain/decimal';
import { templateData } from '../domain/email-content';
import { durationMs, seriesId } from '../domain/rate-policy';
import type { RateChangeEvent, RateSeriesPoint } from '../domain/rate-change';
import { providerText, type ResolvedRate } from '../domain/rate-resolver';
import { isRateProviderName, type SeriesSnapshot } from '../domain/rate-snapshot';
import type { AlertIndex, AlertTrigger, StoredAlertRule } from '../ports/alert-rules';
import { EmailRejectedError, type Email, type EmailSender } from '../ports/email-sender';
import type { RateTimeline } from '../ports/rate-series';
import { resolveRates, type RateSourceDeps } from './resolve-rates';

export interface EvaluateAlertsDeps {
  /** The stage's policy over the stored series: the one resolver every rate comes from. */
  readonly rates: RateSourceDeps;
  readonly index: AlertIndex;
  readonly email: EmailSender;
  /**
   * How long a claim on a rule lives: longer than an invocation can run, so a claim past it
   * belongs to an invocation that is gone.
   */
  readonly claimMs: number;
  /** Where the e-mail tells the owner to change or delete the rule (the partner API's base URL). */
  readonly apiBaseUrl?: string;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** @default randomUUID */
  readonly newId?: () => string;
}

export interface WatchedPair {
  readonly base: string;
  readonly quote: string;
}

/** What one rate change did. `rulesRead` counts rule items read from the indexes. */
export interface EvaluationResult {
  readonly pairsMoved: number;
  readonly rulesRead: number;
  readonly fired: number;
  readonly emailed: number;
  readonly suppressed: number;
  readonly refused: number;
  readonly rearmed: number;
  readonly expired: number;
  readonly skipped: number;
}

/** Some rules crossed but could not be e-mailed now: the message is retried (their claims lapse first). */
export class AlertDeliveryError extends Error {
  override readonly name = 'AlertDeliveryError';

  constructor(readonly failures: readonly { readonly ruleId: string; readonly error: unknown }[]) {
    super(`${failures.length} alert e-mail(s) not sent: ${failures.map((f) => `${f.ruleId}: ${(f.error as Error)?.message ?? f.error}`).join('; ').slice(0, 500)}`);
  }
}

const published = z.object({ rate: z.string().check(z.regex(/^\d+(\.\d+)?$/)), orientation: z.enum(['quote-per-base', 'base-per-quote']) });
const point = z.object({
  snapshotId: z.string(),
  inForceFrom: z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)),
  rateDate: z.string(),
  rates: z.record(z.string(), published),
});
const RATE_CHANGE = z.object({
  eventId: z.string(),
  type: z.literal('rate-series-moved'),
  provider: z.string().check(z.refine(isRateProviderName, 'an unknown provider')),
  base: z.string(),
  previous: z.nullable(point),
  current: point,
});

/** The rate-changes queue's message; throws naming the first field that is wrong. */
export function parseRateChange(body: unknown): RateChangeEvent {
  const result = z.safeParse(RATE_CHANGE, body);
  if (result.success) return result.data as RateChangeEvent;
  const [issue] = result.error.issues;
  throw new Error(`not a rate change: ${issue.path.join('.') || '(root)'} ${issue.message}`);
}

const snapshotOf = (event: RateChangeEvent, p: RateSeriesPoint): SeriesSnapshot => ({
  provider: event.provider,
  base: event.base,
  snapshotId: p.snapshotId,
  inForceFrom: p.inForceFrom,
  rateDate: p.rateDate,
  rates: new Map(Object.entries(p.rates)),
});

/**
 * The stored series, with the moved one as the event says it was before and after the move: the
 * moved series is always answered, so the resolver never asks to read it, and a redelivered
 * event resolves the same rates. Only the move's instant and the one just before it are asked,
 * and a series' publications are in force one after another, so `previous` is what was in
 * force just before.
 */
function timelineWithMove(timeline: RateTimeline, event: RateChangeEvent): RateTimeline {
  const moved = seriesId(event);
  const current = snapshotOf(event, event.current);
  const previous = event.previous ? snapshotOf(event, event.previous) : undefined;
  return {
    async load(requests) {
      const lookup = await timeline.load(requests);
      return (key, at) =>
        seriesId(key) === moved ? { latest: current, inForce: at >= current.inForceFrom ? current : previous } : lookup(key, at);
    },
  };
}

/** Rates are shown as the API shows them: 38 decimal places at most. */
const rateText = (rate: Decimal) => rate.toDecimalPlaces(38).toString();

/**
 * One rate change: the series `event.provider`/`event.base` moved to a new publication in force
 * from `at`. For every watched pair, the rate just before `at` (r0) and at `at` (r1) come from
 * the one resolver, by the stage's policy (a cross that values a currency through the moved
 * series moves too; a pair the policy values from another source does not). Then, per pair
 * whose rate changed:
 * - the armed rules the move crossed, read by threshold range from the sparse `armed` index
 *   (every rule read is one that fires): each is claimed, e-mailed and moved on;
 * - the waiting rules the new rate re-arms, read by re-arm level from the sparse `waiting` index.
 * Reads grow with the rules that fire or re-arm, not with the rules stored.
 */
export async function evaluateRateChange(
  deps: EvaluateAlertsDeps,
  event: RateChangeEvent,
  pairs: readonly WatchedPair[],
): Promise<EvaluationResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const newId = deps.newId ?? randomUUID;
  const at = event.current.inForceFrom;
  const before = new Date(Date.parse(at) - 1).toISOString();
  const sources: RateSourceDeps = { policy: deps.rates.policy, timeline: timelineWithMove(deps.rates.timeline, event) };
  const resolved = await resolveRates(
    sources,
    pairs.flatMap((p) => [
      { from: p.base, to: p.quote, at: before },
      { from: p.base, to: p.quote, at },
    ]),
  );

  const count = { pairsMoved: 0, rulesRead: 0, fired: 0, emailed: 0, suppressed: 0, refused: 0, rearmed: 0, expired: 0, skipped: 0 };
  const failures: { ruleId: string; error: unknown }[] = [];

  const onCrossing = async (rule: StoredAlertRule, r0: ResolvedRate, r1: ResolvedRate) => {
    count.rulesRead++;
    const threshold = new Decimal(rule.threshold);
    // The index range holds exactly the crossed thresholds; this guards against a stale entry.
    if (!crosses(rule.condition, threshold, r0.rate, r1.rate)) return void count.skipped++;
    const outcome = crossingOutcome(rule, at, now);
    if (outcome === 'expire') return void (await expire(rule));
    if (outcome === 'skip') return void count.skipped++;
    const token = newId();
    if (!(await deps.index.claim(rule, { token, crossingAt: at, untilMs: now.getTime() + deps.claimMs }, now.getTime()))) {
      // Fired by another invocation, being e-mailed by one, or changed by its owner meanwhile.
      return void count.skipped++;
    }
    let trigger: AlertTrigger = { at, rate: rateText(r1.rate), provider: providerText(r1), emailed: false };
    if (outcome === 'suppress') {
      trigger = { ...trigger, notSent: 'COOLDOWN' };
      count.suppressed++;
    } else {
      try {
        const { messageId } = await deps.email.send(alertEmail(rule, r0, r1, at, deps.apiBaseUrl));
        trigger = { ...trigger, emailed: true, messageId };
        count.emailed++;
      } catch (error) {
        // A refused address will never take it: recorded on the rule. Anything else: retried
        // with the message, once this claim lapses.
        if (!(error instanceof EmailRejectedError)) return void failures.push({ ruleId: rule.id, error });
        trigger = { ...trigger, notSent: error.reason };
        count.refused++;
      }
    }
    const cooldownUntil = trigger.emailed && rule.cooldown ? new Date(now.getTime() + durationMs(rule.cooldown)).toISOString() : undefined;
    const level = rule.mode === 'repeat' ? rearmLevel(rule.condition, threshold, new Decimal(rule.hysteresisPercent)).toFixed() : undefined;
    // False only if this invocation outlived its claim (it cannot: the claim outlasts the timeout).
    if (await deps.index.fire(rule, token, { stateId: newId(), trigger, cooldownUntil, rearmLevel: level })) count.fired++;
    else count.skipped++;
  };

  const onRearm = async (rule: StoredAlertRule, r1: ResolvedRate) => {
    count.rulesRead++;
    if (rule.rearmLevel === undefined || !rearmsAt(rule.condition, new Decimal(rule.rearmLevel), r1.rate)) return void count.skipped++;
    const outcome = rearmOutcome(rule, at, now);
    if (outcome === 'expire') return void (await expire(rule));
    if (outcome === 'skip') return void count.skipped++;
    if (await deps.index.rearm(rule, { stateId: newId(), armedSince: at })) count.rearmed++;
    else count.skipped++;
  };

  const expire = async (rule: StoredAlertRule) => {
    if (await deps.index.expire(rule, newId())) count.expired++;
    else count.skipped++;
  };

  for (const [i, pair] of pairs.entries()) {
    const [r0, r1] = [resolved[2 * i], resolved[2 * i + 1]];
    if (r1.kind !== 'rate' || (r0.kind === 'rate' && r0.rate.eq(r1.rate))) continue;
    count.pairsMoved++;
    const key = pairOf(pair.base, pair.quote);
    for (const condition of ALERT_CONDITIONS) {
      const crossed = r0.kind === 'rate' ? crossedThresholds(condition, r0.rate, r1.rate) : undefined;
      if (crossed) {
        for (const rule of await deps.index.armed(watchKey(key, condition), crossed)) await onCrossing(rule, r0 as ResolvedRate, r1);
      }
      for (const rule of await deps.index.waiting(watchKey(key, condition), rearmedLevels(condition, r1.rate))) await onRearm(rule, r1);
    }
  }
  if (failures.length > 0) throw new AlertDeliveryError(failures);
  return count;
}

/** The rate alert e-mail (template `rateAlert`): what crossed, at which rate, and how to change the rule. */
export function alertEmail(rule: StoredAlertRule, r0: ResolvedRate, r1: ResolvedRate, at: string, apiBaseUrl = ''): Email {
  const pair = pairOf(rule.base, rule.quote);
  const above = rule.condition === 'above';
  const level = rule.mode === 'repeat' ? rearmLevel(rule.condition, new Decimal(rule.threshold), new Decimal(rule.hysteresisPercent)).toFixed() : undefined;
  return {
    to: [rule.email],
    template: 'rateAlert',
    data: templateData({
      ruleId: rule.id,
      pair,
      base: rule.base,
      quote: rule.quote,
      condition: rule.condition,
      movement: above ? 'rose above' : 'fell below',
      threshold: rule.threshold,
      rate: rateText(r1.rate),
      previousRate: rateText(r0.rate),
      provider: providerText(r1),
      inForceFrom: at,
      next: level
        ? `The rule re-arms once the rate is back ${above ? 'at or below' : 'at or above'} ${level}${rule.cooldown ? `, and e-mails at most once every ${rule.cooldown}` : ''}.`
        : 'The rule has fired and watches no more (mode "once"); PATCH it to arm it again.',
      ruleUrl: `${apiBaseUrl}/v1/alerts/${rule.id}`,
    }),
  };
}
