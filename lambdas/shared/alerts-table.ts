import { partnerPartition } from './api-table-keys';

/**
 * Layout of the alerts table, shared by its adapters (which write it) and IAM (which limits each
 * function to what it needs):
 * - `PARTNER#<client id>`, `ALERT#<id>`: a partner's rule (settings and state);
 *   `PARTNER#<client id>`, `ALERTS`: how many rules the partner has (the limit is checked in
 *   the same transaction that stores a rule); `PARTNER#<client id>`, `IDEMPOTENCY#<md5>`: the
 *   Idempotency-Key records of POST /v1/alerts. Reached only with partner-scoped credentials.
 * - `WATCHED`, `<BASE>/<QUOTE>`: the pairs some rule watches and how many rules do.
 * - `DIGEST`, …: the high-value digest's windows (see dynamodb-digest-store.ts).
 * - index `armed` (`armedKey` = `EUR/USD#above`, `armedThreshold` number): only armed rules;
 *   index `waiting` (`waitingKey`, `rearmLevel` number): only fired repeat rules waiting to re-arm.
 *   Both are sparse: a rule is in at most one of them, and only while it is in that state.
 */
export const ALERTS_TABLE = {
  watchedPartition: 'WATCHED',
  digestPartition: 'DIGEST',
  indexes: { armed: 'armed', waiting: 'waiting' },
} as const;

export const alertKeys = {
  rule: (partner: string, id: string) => ({ pk: partnerPartition(partner), sk: `ALERT#${id}` }),
  ruleCount: (partner: string) => ({ pk: partnerPartition(partner), sk: 'ALERTS' }),
  watched: (pair: string) => ({ pk: ALERTS_TABLE.watchedPartition, sk: pair }),
};

/** The sort key prefix of a partner's rules. */
export const ALERT_SK_PREFIX = 'ALERT#';

/**
 * Every attribute evaluate-alerts may write (IAM `dynamodb:Attributes` on its UpdateItem): the
 * rule's state and its index keys. Never the owner's settings (threshold, e-mail, pair), so a
 * bug in the evaluator cannot redirect or rewrite a partner's rule.
 */
export const EVALUATOR_ATTRIBUTES = [
  'pk',
  'sk',
  'state',
  'stateId',
  'armedSince',
  'armedKey',
  'armedThreshold',
  'waitingKey',
  'rearmLevel',
  'waitingSince',
  'claimToken',
  'claimUntil',
  'claimCrossing',
  'cooldownUntil',
  'lastTriggered',
  'triggerCount',
] as const;
