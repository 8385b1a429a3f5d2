import type { AlertCondition, AlertMode, NumberRange } from '../domain/alert-rule';

/** What a partner sets on a rule (decimal strings, ISO-8601 instants and durations). */
export interface AlertRuleSettings {
  readonly base: string;
  readonly quote: string;
  readonly condition: AlertCondition;
  readonly threshold: string;
  readonly email: string;
  readonly mode: AlertMode;
  readonly hysteresisPercent: string;
  readonly cooldown?: string;
  readonly expiresAt?: string;
  readonly active: boolean;
}

/** The crossing that last fired a rule. */
export interface AlertTrigger {
  /** In-force instant of the publication that crossed. */
  readonly at: string;
  /** The pair's rate after the move, and its providers. */
  readonly rate: string;
  readonly provider: string;
  readonly emailed: boolean;
  readonly messageId?: string;
  /** Why nothing was sent: `COOLDOWN`, or the reason SES refused the address. */
  readonly notSent?: string;
}

/**
 * A rule as stored: the partner's settings and the evaluator's state.
 * - `state` armed | waiting | fired | inactive | expired (see AlertStatus);
 * - `stateId` changes with every transition, so a conditional write on it acts on exactly the
 *   state that was read (no ABA: a rule fired, re-armed and read again is another state);
 * - `armedSince`: armed rules watch moves in force after this instant only;
 * - `waitingSince`, `rearmLevel`: a waiting rule re-arms on a move after the crossing that fired it;
 * - `claim*`: the evaluator invocation e-mailing a crossing right now (see AlertIndex.claim).
 */
export interface StoredAlertRule extends AlertRuleSettings {
  readonly owner: string;
  readonly id: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Bumped by every change its owner makes. */
  readonly revision: number;
  readonly state: 'armed' | 'waiting' | 'fired' | 'inactive' | 'expired';
  readonly stateId: string;
  readonly armedSince?: string;
  readonly waitingSince?: string;
  readonly rearmLevel?: string;
  readonly cooldownUntil?: string;
  readonly claimToken?: string;
  readonly claimUntil?: number;
  readonly claimCrossing?: string;
  readonly triggerCount: number;
  readonly lastTriggered?: AlertTrigger;
}

/** More rules than a partner may have. */
export class AlertRuleLimitError extends Error {
  override readonly name = 'AlertRuleLimitError';

  constructor(readonly limit: number) {
    super(`at most ${limit} alert rules per partner`);
  }
}

/**
 * A partner's rules (the token's client id): reached only through that partner's partition, so
 * another partner's rule is simply not there.
 */
export interface AlertRuleStore {
  /**
   * Stores the rule `create` returns once per partner and Idempotency-Key (the same key and
   * request return that rule, `replayed`), unless the partner has as many rules as the stage
   * allows already (checked in the same transaction that stores it).
   * @throws AlertRuleLimitError, IdempotencyKeyReusedError, IdempotencyKeyInProgressError
   */
  createOnce(
    partner: string,
    idempotencyKey: string,
    request: Readonly<Record<string, string>>,
    create: () => Promise<StoredAlertRule>,
  ): Promise<{ readonly rule: StoredAlertRule; readonly replayed: boolean }>;
  get(partner: string, id: string): Promise<StoredAlertRule | undefined>;
  /** Newest first, after `afterId` when given. */
  list(partner: string, options: { readonly limit: number; readonly afterId?: string }): Promise<{ readonly items: readonly StoredAlertRule[]; readonly lastId?: string }>;
  /** Writes the rule if it is still at `revision`; false when it changed meanwhile or is gone. */
  replace(rule: StoredAlertRule, revision: number): Promise<boolean>;
  /** Deletes the rule if it is still at `revision`; false when it changed meanwhile or is gone. */
  delete(rule: StoredAlertRule): Promise<boolean>;
  /** How many rules the partner has. */
  count(partner: string): Promise<number>;
}

/**
 * The pairs some rule watches, with how many rules watch each: the evaluator re-evaluates only
 * these when a series moves. Counts may run high after a failure (a pair then costs an empty
 * query per move), never low: a pair is counted before its rule is stored and uncounted after
 * its rule is gone.
 */
export interface WatchedPairs {
  watch(base: string, quote: string): Promise<void>;
  unwatch(base: string, quote: string): Promise<void>;
  list(): Promise<readonly { readonly base: string; readonly quote: string }[]>;
}

/** The evaluator's view of the rules: two sparse indexes, and conditional state transitions. */
export interface AlertIndex {
  /** Armed rules of `watchKey` (pair and condition) whose threshold is in `range`. */
  armed(watchKey: string, range: NumberRange): Promise<readonly StoredAlertRule[]>;
  /** Waiting rules of `watchKey` whose re-arm level is in `range`. */
  waiting(watchKey: string, range: NumberRange): Promise<readonly StoredAlertRule[]>;
  /**
   * Claims the rule, in the state it was read in, to notify the crossing at `crossingAt`: true
   * when no other invocation holds a live claim on it. A claim lives until `untilMs` (longer
   * than an invocation can run), so a crashed sender's claim is taken over by the redelivery.
   */
  claim(rule: StoredAlertRule, claim: { readonly token: string; readonly crossingAt: string; readonly untilMs: number }, nowMs: number): Promise<boolean>;
  /**
   * The claimed rule fired: it records `trigger` and moves on (to waiting at `rearmLevel` since
   * the crossing when one is given, which only a repeat rule has; else to fired), if `token`
   * still holds its claim.
   */
  fire(
    rule: StoredAlertRule,
    token: string,
    outcome: { readonly stateId: string; readonly trigger: AlertTrigger; readonly cooldownUntil?: string; readonly rearmLevel?: string },
  ): Promise<boolean>;
  /** The waiting rule, in the state it was read in, is armed again since `armedSince`. */
  rearm(rule: StoredAlertRule, outcome: { readonly stateId: string; readonly armedSince: string }): Promise<boolean>;
  /** The rule, in the state it was read in, is past its expiry: it leaves the indexes. */
  expire(rule: StoredAlertRule, stateId: string): Promise<boolean>;
}
