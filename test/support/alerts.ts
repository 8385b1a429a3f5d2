import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ruleItem } from '../../lambdas/adapters/aws/dynamodb-alert-rules';
import { pairOf, watchKey, type NumberRange } from '../../lambdas/domain/alert-rule';
import { Decimal } from '../../lambdas/domain/decimal';
import { AlertRuleLimitError, type AlertIndex, type AlertRuleStore, type StoredAlertRule, type WatchedPairs } from '../../lambdas/ports/alert-rules';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../../lambdas/ports/conversion-store';
import type { Email, EmailSender } from '../../lambdas/ports/email-sender';
import { ALERTS_TABLE } from '../../lambdas/shared/alerts-table';

/**
 * The alerts table's contract in memory, for unit tests: a partner's rules (one per key and
 * Idempotency-Key, a limit per partner), the watched pairs' counts, and the evaluator's two
 * sparse indexes with conditional transitions on `stateId` and the claim, as the DynamoDB
 * adapters do (test/integration/alerts checks those against DynamoDB Local). `itemsRead` counts
 * the rule items the index queries return.
 */
export function memoryAlertTable(options: { maxRulesPerPartner?: number } = {}) {
  const limit = options.maxRulesPerPartner ?? 100;
  const rules = new Map<string, StoredAlertRule>();
  const records = new Map<string, { readonly request: string; readonly rule?: StoredAlertRule }>();
  const watched = new Map<string, { base: string; quote: string; rules: number }>();
  const counter = { itemsRead: 0, queries: 0 };
  const keyOf = (owner: string, id: string) => `${owner}\n${id}`;
  const countOf = (partner: string) => [...rules.values()].filter((r) => r.owner === partner).length;
  const inRange = (value: string | undefined, range: NumberRange) =>
    value !== undefined && (!range.from || new Decimal(value).gte(range.from)) && (!range.to || new Decimal(value).lte(range.to));
  const keyFor = (rule: StoredAlertRule) => watchKey(pairOf(rule.base, rule.quote), rule.condition);
  const current = (rule: StoredAlertRule) => rules.get(keyOf(rule.owner, rule.id));
  const put = (rule: StoredAlertRule) => void rules.set(keyOf(rule.owner, rule.id), rule);
  const without = (rule: StoredAlertRule, ...names: (keyof StoredAlertRule)[]) =>
    Object.fromEntries(Object.entries(rule).filter(([k]) => !names.includes(k as keyof StoredAlertRule))) as unknown as StoredAlertRule;

  const store: AlertRuleStore = {
    async createOnce(partner, key, request, create) {
      const id = `${partner}\n${key}`;
      const asked = JSON.stringify(Object.entries(request).sort());
      const existing = records.get(id);
      if (existing) {
        if (existing.request !== asked) throw new IdempotencyKeyReusedError(existing.rule?.id);
        if (!existing.rule) throw new IdempotencyKeyInProgressError();
        return { rule: existing.rule, replayed: true };
      }
      records.set(id, { request: asked });
      try {
        const rule = await create();
        if (countOf(partner) >= limit) throw new AlertRuleLimitError(limit);
        put(rule);
        records.set(id, { request: asked, rule });
        return { rule, replayed: false };
      } catch (error) {
        records.delete(id);
        throw error;
      }
    },
    async get(partner, id) {
      return rules.get(keyOf(partner, id));
    },
    async list(partner, { limit: pageLimit, afterId }) {
      const mine = [...rules.values()]
        .filter((r) => r.owner === partner && (afterId === undefined || r.id < afterId))
        .sort((a, b) => (a.id < b.id ? 1 : -1));
      const items = mine.slice(0, pageLimit);
      return { items, ...(mine.length > pageLimit ? { lastId: items[items.length - 1].id } : {}) };
    },
    async replace(rule, revision) {
      if (current(rule)?.revision !== revision) return false;
      put(rule);
      return true;
    },
    async delete(rule) {
      if (current(rule)?.revision !== rule.revision) return false;
      rules.delete(keyOf(rule.owner, rule.id));
      return true;
    },
    async count(partner) {
      return countOf(partner);
    },
  };

  const pairs: WatchedPairs = {
    async watch(base, quote) {
      const entry = watched.get(pairOf(base, quote)) ?? { base, quote, rules: 0 };
      watched.set(pairOf(base, quote), { ...entry, rules: entry.rules + 1 });
    },
    async unwatch(base, quote) {
      const entry = watched.get(pairOf(base, quote)) ?? { base, quote, rules: 0 };
      watched.set(pairOf(base, quote), { ...entry, rules: entry.rules - 1 });
    },
    async list() {
      return [...watched.values()].filter((p) => p.rules > 0).map(({ base, quote }) => ({ base, quote }));
    },
  };

  const read = (found: StoredAlertRule[]) => {
    counter.queries++;
    counter.itemsRead += found.length;
    return found;
  };
  const index: AlertIndex = {
    async armed(key, range) {
      return read([...rules.values()].filter((r) => r.state === 'armed' && keyFor(r) === key && inRange(r.threshold, range)));
    },
    async waiting(key, range) {
      return read([...rules.values()].filter((r) => r.state === 'waiting' && keyFor(r) === key && inRange(r.rearmLevel, range)));
    },
    async claim(rule, { token, crossingAt, untilMs }, nowMs) {
      const now = current(rule);
      if (!now || now.stateId !== rule.stateId || (now.claimUntil !== undefined && now.claimUntil >= nowMs)) return false;
      put({ ...now, claimToken: token, claimUntil: untilMs, claimCrossing: crossingAt });
      return true;
    },
    async fire(rule, token, { stateId, trigger, cooldownUntil, rearmLevel }) {
      const now = current(rule);
      if (!now || now.claimToken !== token) return false;
      const waiting = rearmLevel !== undefined;
      put({
        ...without(now, 'claimToken', 'claimUntil', 'claimCrossing', 'armedSince'),
        state: waiting ? 'waiting' : 'fired',
        stateId,
        lastTriggered: trigger,
        triggerCount: now.triggerCount + 1,
        ...(cooldownUntil ? { cooldownUntil } : {}),
        ...(waiting ? { rearmLevel, waitingSince: trigger.at } : {}),
      });
      return true;
    },
    async rearm(rule, { stateId, armedSince }) {
      const now = current(rule);
      if (!now || now.stateId !== rule.stateId) return false;
      put({ ...without(now, 'rearmLevel', 'waitingSince'), state: 'armed', stateId, armedSince });
      return true;
    },
    async expire(rule, stateId) {
      const now = current(rule);
      if (!now || now.stateId !== rule.stateId) return false;
      put({ ...without(now, 'rearmLevel'), state: 'expired', stateId });
      return true;
    },
  };

  return {
    rules: store,
    watched: pairs,
    index,
    counter,
    /** Every rule stored, in no particular order. */
    all: () => [...rules.values()],
    /** The rule as stored now. */
    stored: (owner: string, id: string) => rules.get(keyOf(owner, id)),
    /** Stores a rule as is (test setup). */
    put,
  };
}

/** An EmailSender that keeps what it is asked to send; `fail` makes the next sends throw it. */
export function memoryEmailSender() {
  const sent: (Email & { messageId: string })[] = [];
  let failure: (() => Error) | undefined;
  const sender: EmailSender & { sent: typeof sent; failWith(make?: () => Error): void } = {
    sent,
    failWith(make) {
      failure = make;
    },
    async send(email) {
      if (failure) throw failure();
      const messageId = `msg-${sent.length + 1}`;
      sent.push({ ...email, messageId });
      return { messageId };
    },
  };
  return sender;
}

/** An armed rule as the API stores it, armed before the moves tests and benches make (2024-01-10T09:00Z). */
export function armedRule(id: string, overrides: Partial<StoredAlertRule> = {}): StoredAlertRule {
  return {
    owner: 'partner-a',
    id,
    base: 'EUR',
    quote: 'USD',
    condition: 'above',
    threshold: '1.0900',
    email: 'treasury@example.com',
    mode: 'once',
    hysteresisPercent: '0.1',
    active: true,
    createdAt: '2024-01-10T09:00:00.000Z',
    updatedAt: '2024-01-10T09:00:00.000Z',
    revision: 1,
    state: 'armed',
    stateId: `state-${id}`,
    armedSince: '2024-01-10T09:00:00.000Z',
    triggerCount: 0,
    ...overrides,
  };
}

/**
 * Counts the rule items the alert indexes return on a DynamoDB client (Query's ScannedCount:
 * every item DynamoDB read for the query, before any filter): the figure evaluations are judged by.
 */
export function countRuleItemsRead(client: DynamoDBClient): { items: number } {
  const counter = { items: 0 };
  const indexes = new Set<string>(Object.values(ALERTS_TABLE.indexes));
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const input = args.input as { IndexName?: string };
      if (context.commandName === 'QueryCommand' && input.IndexName && indexes.has(input.IndexName)) {
        counter.items += Number((result.output as { ScannedCount?: number }).ScannedCount ?? 0);
      }
      return result;
    },
    { step: 'initialize', name: 'countRuleItemsRead' },
  );
  return counter;
}

/** Stores rules as the API's adapter writes them, 25 to a BatchWriteItem, `parallel` calls at a time. */
export async function putRules(documents: DynamoDBDocumentClient, table: string, rules: readonly StoredAlertRule[], parallel = 1): Promise<void> {
  const batches: Promise<void>[] = [];
  for (let i = 0; i < rules.length; i += 25) {
    batches.push(
      (async () => {
        let requests: Record<string, unknown>[] = rules.slice(i, i + 25).map((r) => ({ PutRequest: { Item: ruleItem(r) } }));
        while (requests.length > 0) {
          const { UnprocessedItems } = await documents.send(new BatchWriteCommand({ RequestItems: { [table]: requests } }));
          requests = (UnprocessedItems?.[table] ?? []) as Record<string, unknown>[];
        }
      })(),
    );
    if (batches.length >= parallel) await Promise.all(batches.splice(0));
  }
  await Promise.all(batches);
}
