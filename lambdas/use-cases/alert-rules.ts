import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { DEFAULT_HYSTERESIS_PERCENT, thresholdProblem, type AlertStatus } from '../domain/alert-rule';
import { Decimal } from '../domain/decimal';
import { parseInstant } from '../domain/instant';
import { durationMs } from '../domain/rate-policy';
import { ulid } from '../domain/ulid';
import { AlertRuleLimitError, type AlertRuleSettings, type AlertRuleStore, type StoredAlertRule, type WatchedPairs } from '../ports/alert-rules';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../ports/conversion-store';
import { IDEMPOTENCY_REPLAYED_HEADER, type Schemas } from '../shared/api-contract';
import {
  BadRequestError,
  ConflictError,
  HttpReply,
  NotFoundError,
  UnprocessableError,
  afterIdOf,
  encodeCursor,
  type Caller,
  type HttpRequest,
  type Operations,
} from '../shared/http';
import { requireEnabledCurrency } from './currencies';
import { pageSize, type RateQueryDeps } from './rate-queries';
import { resolveRateAt } from './resolve-rates';

export const DEFAULT_ALERTS_PAGE = 20;
export const MAX_ALERTS_PAGE = 100;
/** The longest cooldown a rule may have. */
const MAX_COOLDOWN_MS = 30 * 24 * 60 * 60 * 1000;

export interface AlertRuleDeps extends RateQueryDeps {
  readonly rules: AlertRuleStore;
  readonly watched: WatchedPairs;
  /** The stage's default re-arm margin (percent). @default DEFAULT_HYSTERESIS_PERCENT */
  readonly defaultHysteresisPercent?: string;
  /** @default ulid */
  readonly newId?: (now: Date) => string;
  /** @default randomUUID */
  readonly newStateId?: () => string;
}

export type AlertRuleView = z.input<typeof Schemas.AlertRule>;
type CreateBody = NonNullable<HttpRequest<'createAlertRule'>['body']>;
type UpdateBody = NonNullable<HttpRequest<'updateAlertRule'>['body']>;

const clockOf = (deps: AlertRuleDeps) => deps.clock ?? (() => new Date());

/** The partner-facing view: the rule's settings, what it is doing now, and its last trigger. */
export function alertRuleView(rule: StoredAlertRule, now: Date): AlertRuleView {
  return {
    id: rule.id,
    base: rule.base,
    quote: rule.quote,
    condition: rule.condition,
    threshold: rule.threshold,
    email: rule.email,
    mode: rule.mode,
    hysteresisPercent: rule.hysteresisPercent,
    cooldown: rule.cooldown ?? null,
    expiresAt: rule.expiresAt ?? null,
    active: rule.active,
    status: statusOf(rule, now),
    rearmLevel: rule.state === 'waiting' ? (rule.rearmLevel ?? null) : null,
    createdAt: rule.createdAt,
    updatedAt: rule.updatedAt,
    triggerCount: rule.triggerCount,
    lastTriggered: rule.lastTriggered
      ? { at: rule.lastTriggered.at, rate: rule.lastTriggered.rate, provider: rule.lastTriggered.provider, emailed: rule.lastTriggered.emailed }
      : null,
  };
}

function statusOf(rule: StoredAlertRule, now: Date): AlertStatus {
  if (!rule.active) return 'inactive';
  if (rule.state === 'fired' || rule.state === 'expired') return rule.state;
  if (rule.expiresAt !== undefined && rule.expiresAt <= now.toISOString()) return 'expired';
  return rule.state === 'waiting' ? 'waiting' : 'armed';
}

/** Checks what needs more than the contract's schema: the pair, the threshold's digits, the cooldown, the expiry. */
function checkSettings(settings: AlertRuleSettings, now: Date): void {
  const issues: { in: 'body'; path: string; message: string }[] = [];
  const problem = (path: string, message: string) => issues.push({ in: 'body', path, message });
  if (settings.base === settings.quote) problem('quote', 'must differ from base');
  const threshold = thresholdProblem(settings.threshold);
  if (threshold) problem('threshold', threshold);
  const hysteresis = new Decimal(settings.hysteresisPercent);
  if (hysteresis.lte(0) || hysteresis.gt(50)) problem('hysteresisPercent', 'must be greater than 0 and at most 50');
  if (settings.cooldown !== undefined) {
    if (settings.mode !== 'repeat') problem('cooldown', 'applies to mode "repeat" only (a "once" rule e-mails once)');
    let ms = 0;
    try {
      ms = durationMs(settings.cooldown);
    } catch {
      // reported below
    }
    if (ms <= 0 || ms > MAX_COOLDOWN_MS) problem('cooldown', 'must be an ISO-8601 duration longer than 0 and at most P30D, such as "PT1H"');
  }
  if (settings.expiresAt !== undefined && settings.expiresAt <= now.toISOString()) problem('expiresAt', 'must be in the future');
  if (issues.length > 0) throw new BadRequestError(`Invalid body ${issues[0].path}: ${issues[0].message}`, { issues });
}

/** The body's expiry as ISO-8601 UTC with milliseconds (the contract checked its form). */
function expiryOf(text: string | null): string | undefined {
  if (text === null) return undefined;
  const parsed = parseInstant(text);
  if (!parsed.ok) throw new BadRequestError(`Invalid body expiresAt: ${parsed.problem}`, { issues: [{ in: 'body', path: 'expiresAt', message: parsed.problem }] });
  return parsed.iso;
}

/**
 * A rule is armed since the newest publication the pair's rate is made of now: it fires on later
 * publications only, never on one its owner could already see (nor on a backfill of history).
 * A pair no source of the policy connects is refused (422 RATE_NOT_FOUND).
 */
async function armedSinceNow(deps: AlertRuleDeps, settings: AlertRuleSettings, now: Date): Promise<string> {
  await Promise.all([requireEnabledCurrency(deps.currencies, settings.base), requireEnabledCurrency(deps.currencies, settings.quote)]);
  const at = now.toISOString();
  const resolved = await resolveRateAt(deps, { from: settings.base, to: settings.quote, at });
  if (resolved.kind === 'rate') return resolved.legs.reduce((newest, leg) => (leg.inForceFrom > newest ? leg.inForceFrom : newest), '');
  if (resolved.reason === 'NOT_CONNECTED') {
    throw new UnprocessableError('RATE_NOT_FOUND', resolved.message, { base: settings.base, quote: settings.quote });
  }
  return at;
}

/** The rule armed afresh with these settings (created, edited or switched on), or inactive. */
function armed(settings: AlertRuleSettings, armedSince: string, stateId: string): Pick<StoredAlertRule, 'state' | 'stateId' | 'armedSince'> {
  return settings.active ? { state: 'armed', stateId, armedSince } : { state: 'inactive', stateId };
}

export async function createAlertRule(
  deps: AlertRuleDeps,
  caller: Caller,
  idempotencyKey: string,
  body: CreateBody,
): Promise<{ readonly rule: AlertRuleView; readonly replayed: boolean }> {
  const now = clockOf(deps)();
  const settings: AlertRuleSettings = {
    base: body.base,
    quote: body.quote,
    condition: body.condition,
    threshold: body.threshold,
    email: body.email,
    mode: body.mode ?? 'once',
    hysteresisPercent: body.hysteresisPercent ?? deps.defaultHysteresisPercent ?? DEFAULT_HYSTERESIS_PERCENT,
    active: body.active ?? true,
    ...(body.cooldown !== undefined ? { cooldown: body.cooldown } : {}),
    ...(body.expiresAt !== undefined ? { expiresAt: expiryOf(body.expiresAt) } : {}),
  };
  checkSettings(settings, now);
  const create = async (): Promise<StoredAlertRule> => {
    const armedSince = await armedSinceNow(deps, settings, now);
    // Counted before it is stored: a count may run high, never low.
    await deps.watched.watch(settings.base, settings.quote);
    const at = now.toISOString();
    return {
      ...settings,
      owner: caller.clientId,
      id: (deps.newId ?? ulid)(now),
      createdAt: at,
      updatedAt: at,
      revision: 1,
      ...armed(settings, armedSince, (deps.newStateId ?? randomUUID)()),
      triggerCount: 0,
    };
  };
  const request = Object.fromEntries(Object.entries(settings).map(([k, v]) => [k, String(v)]));
  try {
    const { rule, replayed } = await deps.rules.createOnce(caller.clientId, idempotencyKey, request, create);
    return { rule: alertRuleView(rule, now), replayed };
  } catch (error) {
    if (error instanceof AlertRuleLimitError) {
      await deps.watched.unwatch(settings.base, settings.quote);
      throw new ConflictError(
        `A partner may have at most ${error.limit} alert rules; delete one first (GET /v1/alerts lists them)`,
        { limit: error.limit },
        'ALERT_RULE_LIMIT',
      );
    }
    if (error instanceof IdempotencyKeyReusedError) {
      throw new ConflictError(
        'This Idempotency-Key was used with a different request; use a new key for a new rule',
        { idempotencyKey, ...(error.firstId ? { alertId: error.firstId } : {}) },
        'IDEMPOTENCY_CONFLICT',
      );
    }
    if (error instanceof IdempotencyKeyInProgressError) {
      throw new ConflictError('Another request with this Idempotency-Key is in progress; retry it', { idempotencyKey }, 'IDEMPOTENCY_IN_PROGRESS');
    }
    throw error;
  }
}

async function requireRule(deps: AlertRuleDeps, caller: Caller, id: string): Promise<StoredAlertRule> {
  // Keys include the partner, so another partner's rule is simply not there.
  const rule = await deps.rules.get(caller.clientId, id);
  if (!rule) throw new NotFoundError(`No alert rule ${id}`, { id });
  return rule;
}

export async function getAlertRule(deps: AlertRuleDeps, caller: Caller, id: string): Promise<AlertRuleView> {
  return alertRuleView(await requireRule(deps, caller, id), clockOf(deps)());
}

export async function listAlertRules(
  deps: AlertRuleDeps,
  caller: Caller,
  query: HttpRequest<'listAlertRules'>['query'],
): Promise<{ items: AlertRuleView[]; nextCursor: string | null }> {
  const limit = pageSize(query.limit, DEFAULT_ALERTS_PAGE, MAX_ALERTS_PAGE);
  const page = await deps.rules.list(caller.clientId, { limit, afterId: afterIdOf(query.cursor) });
  const now = clockOf(deps)();
  return { items: page.items.map((r) => alertRuleView(r, now)), nextCursor: page.lastId ? encodeCursor({ after: page.lastId }) : null };
}

/**
 * Changes any of a rule's settings. The changed rule is armed afresh (or inactive): it watches
 * moves from now on, whatever it had fired before (its trigger count and cooldown stay).
 */
export async function updateAlertRule(deps: AlertRuleDeps, caller: Caller, id: string, body: UpdateBody): Promise<AlertRuleView> {
  if (Object.keys(body).length === 0) throw new BadRequestError('Give at least one field to change', { issues: [{ in: 'body', path: '', message: 'empty' }] });
  const now = clockOf(deps)();
  const rule = await requireRule(deps, caller, id);
  const { cooldown, expiresAt, ...given } = body;
  const settings: AlertRuleSettings = {
    ...settingsOf(rule),
    ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    cooldown: cooldown === undefined ? rule.cooldown : (cooldown ?? undefined),
    expiresAt: expiresAt === undefined ? rule.expiresAt : expiryOf(expiresAt),
  };
  checkSettings(settings, now);
  const armedSince = await armedSinceNow(deps, settings, now);
  const movedPair = settings.base !== rule.base || settings.quote !== rule.quote;
  if (movedPair) await deps.watched.watch(settings.base, settings.quote);
  const changed: StoredAlertRule = {
    ...settings,
    owner: rule.owner,
    id: rule.id,
    createdAt: rule.createdAt,
    updatedAt: now.toISOString(),
    revision: rule.revision + 1,
    ...armed(settings, armedSince, (deps.newStateId ?? randomUUID)()),
    ...(rule.cooldownUntil !== undefined ? { cooldownUntil: rule.cooldownUntil } : {}),
    triggerCount: rule.triggerCount,
    ...(rule.lastTriggered ? { lastTriggered: rule.lastTriggered } : {}),
  };
  if (!(await deps.rules.replace(changed, rule.revision))) {
    if (movedPair) await deps.watched.unwatch(settings.base, settings.quote);
    throw new ConflictError('The rule was changed or deleted by another request meanwhile; read it again and retry', { id }, 'ALERT_RULE_CHANGED');
  }
  if (movedPair) await deps.watched.unwatch(rule.base, rule.quote);
  return alertRuleView(changed, now);
}

export async function deleteAlertRule(deps: AlertRuleDeps, caller: Caller, id: string): Promise<void> {
  const rule = await requireRule(deps, caller, id);
  if (!(await deps.rules.delete(rule))) {
    throw new ConflictError('The rule was changed or deleted by another request meanwhile; read it again and retry', { id }, 'ALERT_RULE_CHANGED');
  }
  // Uncounted after it is gone: a count may run high, never low.
  await deps.watched.unwatch(rule.base, rule.quote);
}

function settingsOf(rule: StoredAlertRule): AlertRuleSettings {
  const { base, quote, condition, threshold, email, mode, hysteresisPercent, cooldown, expiresAt, active } = rule;
  return { base, quote, condition, threshold, email, mode, hysteresisPercent, cooldown, expiresAt, active };
}

export const alertRuleOperations = {
  createAlertRule: async ({ caller, headers, body }, deps) => {
    const { rule, replayed } = await createAlertRule(deps, caller, headers['idempotency-key'], body);
    return new HttpReply(rule, { headers: { [IDEMPOTENCY_REPLAYED_HEADER]: String(replayed) } });
  },
  listAlertRules: ({ caller, query }, deps) => listAlertRules(deps, caller, query),
  getAlertRule: ({ caller, params }, deps) => getAlertRule(deps, caller, params.id),
  updateAlertRule: ({ caller, params, body }, deps) => updateAlertRule(deps, caller, params.id, body),
  deleteAlertRule: ({ caller, params }, deps) => deleteAlertRule(deps, caller, params.id),
} satisfies Operations<AlertRuleDeps>;
