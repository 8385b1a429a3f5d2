import { NumberValue, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pairOf, watchKey } from '../../domain/alert-rule';
import { AlertRuleLimitError, type AlertRuleStore, type AlertTrigger, type StoredAlertRule, type WatchedPairs } from '../../ports/alert-rules';
import { ALERTS_TABLE, ALERT_SK_PREFIX, alertKeys } from '../../shared/alerts-table';
import { newestFirstPage, partnerIdempotency, type PartnerTable } from './partner-idempotency';
import { queryAll } from './query-all';

/** The sort key prefix of the Idempotency-Key records of POST /v1/alerts. */
export const ALERT_IDEMPOTENCY_PREFIX = 'IDEMPOTENCY';

export interface AlertRuleStoreOptions {
  readonly maxRulesPerPartner: number;
  /** How long an unfinished POST holds its key: the invocation's remaining time. */
  readonly remainingTimeMs?: () => number | undefined;
}

/**
 * A partner's rules in the alerts table (layout in shared/alerts-table.ts), through `tables`:
 * in AWS each partner's own credentials (partner-scoped-dynamodb.ts), which reach that
 * partner's partition only.
 */
export function dynamoAlertRuleStore(
  tables: PartnerTable | ((partner: string) => PartnerTable),
  tableName: string,
  options: AlertRuleStoreOptions,
): AlertRuleStore {
  const tableFor = typeof tables === 'function' ? tables : () => tables;
  const limit = options.maxRulesPerPartner;
  const createOnce = partnerIdempotency<StoredAlertRule>({
    tables,
    tableName,
    keyPrefix: ALERT_IDEMPOTENCY_PREFIX,
    dataAttr: 'rule',
    remainingTimeMs: options.remainingTimeMs,
    storeResult: (partner, rule, recordKey) => [
      { Put: { TableName: tableName, Item: { ...ruleItem(rule), idempotencyRecord: recordKey }, ConditionExpression: 'attribute_not_exists(pk)' } },
      {
        Update: {
          TableName: tableName,
          Key: alertKeys.ruleCount(partner),
          UpdateExpression: 'ADD #rules :one',
          ConditionExpression: 'attribute_not_exists(#rules) OR #rules < :limit',
          ExpressionAttributeNames: { '#rules': 'rules' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit },
        },
      },
    ],
    refused: (write) => (write === 1 ? new AlertRuleLimitError(limit) : new Error('a rule with this id exists already')),
  });

  return {
    async createOnce(partner, idempotencyKey, request, create) {
      const { result, replayed } = await createOnce(partner, idempotencyKey, request, create);
      return { rule: result, replayed };
    },

    async get(partner, id) {
      const { Item } = await tableFor(partner).documents.send(
        new GetCommand({ TableName: tableName, Key: alertKeys.rule(partner, id), ConsistentRead: true }),
      );
      return Item && ruleOf(Item);
    },

    list: (partner, { limit: pageLimit, afterId }) =>
      newestFirstPage(tableFor(partner), { tableName, partner, prefix: ALERT_SK_PREFIX, limit: pageLimit, afterId }, ruleOf),

    async replace(rule, revision) {
      return conditional(
        tableFor(rule.owner).documents.send(
          new PutCommand({
            TableName: tableName,
            Item: ruleItem(rule),
            ConditionExpression: '#revision = :revision',
            ExpressionAttributeNames: { '#revision': 'revision' },
            ExpressionAttributeValues: { ':revision': revision },
          }),
        ),
      );
    },

    async delete(rule) {
      return conditional(
        tableFor(rule.owner).documents.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tableName,
                  Key: alertKeys.rule(rule.owner, rule.id),
                  ConditionExpression: '#revision = :revision',
                  ExpressionAttributeNames: { '#revision': 'revision' },
                  ExpressionAttributeValues: { ':revision': rule.revision },
                },
              },
              {
                Update: {
                  TableName: tableName,
                  Key: alertKeys.ruleCount(rule.owner),
                  UpdateExpression: 'ADD #rules :minus',
                  ExpressionAttributeNames: { '#rules': 'rules' },
                  ExpressionAttributeValues: { ':minus': -1 },
                },
              },
            ],
          }),
        ),
      );
    },

    async count(partner) {
      const { Item } = await tableFor(partner).documents.send(
        new GetCommand({ TableName: tableName, Key: alertKeys.ruleCount(partner), ConsistentRead: true }),
      );
      return Number(numberText(Item?.rules) ?? 0);
    },
  };
}

/**
 * The pairs rules watch (`WATCHED` partition), through the function's own credentials. A count
 * is raised before a rule is stored and lowered after it is gone, so it may run high after a
 * failure (an extra empty query per move), never low (a missed alert).
 */
export function dynamoWatchedPairs(documents: DynamoDBDocumentClient, tableName: string): WatchedPairs {
  const add = (base: string, quote: string, by: number) =>
    documents.send(
      new UpdateCommand({
        TableName: tableName,
        Key: alertKeys.watched(pairOf(base, quote)),
        UpdateExpression: 'ADD #rules :by SET #base = :base, #quote = :quote',
        ExpressionAttributeNames: { '#rules': 'rules', '#base': 'base', '#quote': 'quote' },
        ExpressionAttributeValues: { ':by': by, ':base': base, ':quote': quote },
      }),
    );
  return {
    watch: async (base, quote) => void (await add(base, quote, 1)),
    unwatch: async (base, quote) => void (await add(base, quote, -1)),
    async list() {
      const items = await queryAll(documents, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': ALERTS_TABLE.watchedPartition },
      });
      return items.filter((item) => Number(numberText(item.rules) ?? 0) > 0).map((item) => ({ base: String(item.base), quote: String(item.quote) }));
    },
  };
}

/** A rule as its item: the partner's settings, the state, and the key of the one index its state puts it in. */
export function ruleItem(rule: StoredAlertRule): Record<string, unknown> {
  const key = watchKey(pairOf(rule.base, rule.quote), rule.condition);
  const { owner, id, rearmLevel, ...rest } = rule;
  return {
    ...alertKeys.rule(owner, id),
    owner,
    id,
    ...rest,
    ...(rule.state === 'armed' ? { armedKey: key, armedThreshold: NumberValue.from(rule.threshold) } : {}),
    ...(rule.state === 'waiting' && rearmLevel !== undefined ? { waitingKey: key, rearmLevel: NumberValue.from(rearmLevel) } : {}),
  };
}

const RULE_TEXT_FIELDS = [
  'owner', 'id', 'base', 'quote', 'condition', 'threshold', 'email', 'mode', 'hysteresisPercent', 'cooldown', 'expiresAt',
  'createdAt', 'updatedAt', 'state', 'stateId', 'armedSince', 'waitingSince', 'cooldownUntil', 'claimToken', 'claimCrossing',
] as const;

/** The rule of an item (numbers read as NumberValue: `wrapNumbers`). */
export function ruleOf(item: Record<string, unknown>): StoredAlertRule {
  const text = Object.fromEntries(RULE_TEXT_FIELDS.filter((f) => typeof item[f] === 'string').map((f) => [f, item[f] as string]));
  const trigger = item.lastTriggered as Record<string, unknown> | undefined;
  return {
    ...(text as unknown as StoredAlertRule),
    active: item.active === true,
    revision: Number(numberText(item.revision) ?? 0),
    triggerCount: Number(numberText(item.triggerCount) ?? 0),
    ...(item.rearmLevel !== undefined ? { rearmLevel: numberText(item.rearmLevel) } : {}),
    ...(item.claimUntil !== undefined ? { claimUntil: Number(numberText(item.claimUntil)) } : {}),
    ...(trigger ? { lastTriggered: triggerOf(trigger) } : {}),
  };
}

function triggerOf(item: Record<string, unknown>): AlertTrigger {
  return {
    at: String(item.at),
    rate: String(item.rate),
    provider: String(item.provider),
    emailed: item.emailed === true,
    ...(typeof item.messageId === 'string' ? { messageId: item.messageId } : {}),
    ...(typeof item.notSent === 'string' ? { notSent: item.notSent } : {}),
  };
}

/** The digits of a number read with `wrapNumbers` (or written as a JS number). */
export const numberText = (value: unknown): string | undefined =>
  value instanceof NumberValue ? value.value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined;

/** Resolves true, or false when a condition refused the write. */
export async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    const name = (error as { name?: string }).name;
    const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons;
    if (name === 'ConditionalCheckFailedException') return false;
    if (name === 'TransactionCanceledException' && reasons?.some((r) => r.Code === 'ConditionalCheckFailed')) return false;
    throw error;
  }
}
