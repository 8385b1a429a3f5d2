import { Decimal } from './decimal';
import { GRID_DIGITS, gridAbove, gridBelow, gridCeil, gridFloor } from './number-grid';

/**
 * Rate alert rules: when the rate of a pair crosses a threshold, e-mail once.
 *
 * - `above T` holds while the rate is strictly greater than T; `below T` while it is strictly
 *   less. A rate exactly at T holds neither.
 * - A rule **fires** on a crossing: a move of the pair's rate from r0 to r1 after which the
 *   condition holds and before which it did not (above: r0 <= T < r1; below: r1 < T <= r0).
 *   A move that lands exactly on T does not fire; the move that then leaves T upwards (above) does.
 * - `once`: a fired rule is done. `repeat`: it waits until the rate is back past its re-arm level
 *   (above: at or below T x (1 - h); below: at or above T x (1 + h); h the hysteresis), then it
 *   is armed again, so a rate hovering around T cannot fire it over and over.
 * - `cooldown`: after an e-mail, a crossing within the cooldown moves the rule on (waiting) but
 *   sends nothing.
 */

export type AlertCondition = 'above' | 'below';
export type AlertMode = 'once' | 'repeat';
export const ALERT_CONDITIONS: readonly AlertCondition[] = ['above', 'below'];

/**
 * - armed: watching for a crossing;
 * - waiting: repeat mode, fired, re-arms at `rearmLevel`;
 * - fired: once mode, done;
 * - inactive: switched off by its owner; expired: past `expiresAt` (both watch nothing).
 */
export type AlertStatus = 'armed' | 'waiting' | 'fired' | 'inactive' | 'expired';

/** Default re-arm margin of a repeat rule, in percent of its threshold. */
export const DEFAULT_HYSTERESIS_PERCENT = '0.1';
/** A threshold is stored as a number: at most 38 significant digits. */
export const THRESHOLD_DIGITS = GRID_DIGITS;

export const pairOf = (base: string, quote: string): string => `${base}/${quote}`;

/** The index partition of the rules of one pair and condition: `EUR/USD#above`. */
export const watchKey = (pair: string, condition: AlertCondition): string => `${pair}#${condition}`;

/** Whether the condition holds at rate r. */
export function holds(condition: AlertCondition, threshold: Decimal, rate: Decimal): boolean {
  return condition === 'above' ? rate.gt(threshold) : rate.lt(threshold);
}

/** Whether the move r0 -> r1 crosses the threshold into the condition. */
export function crosses(condition: AlertCondition, threshold: Decimal, r0: Decimal, r1: Decimal): boolean {
  return holds(condition, threshold, r1) && !holds(condition, threshold, r0);
}

/** Whether a waiting rule re-arms at rate r. */
export function rearmsAt(condition: AlertCondition, level: Decimal, rate: Decimal): boolean {
  return condition === 'above' ? rate.lte(level) : rate.gte(level);
}

/**
 * Where a fired repeat rule re-arms: T x (1 - h/100) for `above`, T x (1 + h/100) for `below`,
 * rounded away from the threshold to 38 significant digits (the stored number), so the stored
 * level never asks for less than the hysteresis.
 */
export function rearmLevel(condition: AlertCondition, threshold: Decimal, hysteresisPercent: Decimal): Decimal {
  const margin = hysteresisPercent.div(100);
  return condition === 'above'
    ? gridFloor(threshold.times(new Decimal(1).minus(margin)))
    : gridCeil(threshold.times(new Decimal(1).plus(margin)));
}

/** An inclusive range of stored numbers; an open end is unbounded. */
export interface NumberRange {
  readonly from?: Decimal;
  readonly to?: Decimal;
}

/**
 * The stored thresholds a move r0 -> r1 crosses for `condition`, as an inclusive range of
 * 38-digit numbers holding exactly those thresholds (above: r0 <= T < r1; below: r1 < T <= r0),
 * or undefined when the move crosses none (wrong direction, no move, or no stored number fits).
 */
export function crossedThresholds(condition: AlertCondition, r0: Decimal, r1: Decimal): NumberRange | undefined {
  const range =
    condition === 'above'
      ? r1.gt(r0) && { from: gridCeil(r0), to: gridBelow(r1) }
      : r1.lt(r0) && { from: gridAbove(r1), to: gridFloor(r0) };
  return range && range.from.lte(range.to) ? range : undefined;
}

/** The stored re-arm levels at which waiting rules of `condition` re-arm at rate r. */
export function rearmedLevels(condition: AlertCondition, rate: Decimal): NumberRange {
  return condition === 'above' ? { from: gridCeil(rate) } : { to: gridFloor(rate) };
}

/** A positive decimal of at most 38 significant digits, or why it is not one. */
export function thresholdProblem(text: string): string | undefined {
  const value = new Decimal(text);
  if (!value.isFinite() || value.lte(0)) return 'must be greater than 0';
  if (value.sd() > THRESHOLD_DIGITS) return `has more than ${THRESHOLD_DIGITS} significant digits`;
  return undefined;
}

/** What the evaluator knows of an indexed rule when a move reaches it. */
export interface RuleTiming {
  /** The in-force instant of the newest publication known when the rule was (re-)armed. */
  readonly armedSince?: string;
  /** The in-force instant of the crossing that fired it (waiting rules). */
  readonly waitingSince?: string;
  readonly expiresAt?: string;
  /** No e-mail before this instant (the last e-mail plus the rule's cooldown). */
  readonly cooldownUntil?: string;
}

/**
 * What a crossing at `at` (the in-force instant of the move) does to an armed rule, at `now`:
 * - expire: the rule is past its expiry;
 * - skip: the rule was armed at or after the move (it watches later moves only);
 * - suppress: the rule fires, but within its cooldown: no e-mail;
 * - send: the rule fires and e-mails.
 */
export function crossingOutcome(rule: RuleTiming, at: string, now: Date): 'expire' | 'skip' | 'suppress' | 'send' {
  const nowIso = now.toISOString();
  if (rule.expiresAt !== undefined && rule.expiresAt <= nowIso) return 'expire';
  if (rule.armedSince !== undefined && rule.armedSince >= at) return 'skip';
  if (rule.cooldownUntil !== undefined && rule.cooldownUntil > nowIso) return 'suppress';
  return 'send';
}

/** What a move at `at` past its re-arm level does to a waiting rule. */
export function rearmOutcome(rule: RuleTiming, at: string, now: Date): 'expire' | 'skip' | 'rearm' {
  if (rule.expiresAt !== undefined && rule.expiresAt <= now.toISOString()) return 'expire';
  if (rule.waitingSince !== undefined && rule.waitingSince >= at) return 'skip';
  return 'rearm';
}
