import { NumberValue, UpdateCommand, type DynamoDBDocumentClient, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { pairOf, watchKey, type NumberRange } from '../../domain/alert-rule';
import type { AlertIndex, StoredAlertRule } from '../../ports/alert-rules';
import { ALERTS_TABLE, alertKeys } from '../../shared/alerts-table';
import { conditional, ruleOf } from './dynamodb-alert-rules';
import { queryAll } from './query-all';

/**
 * evaluate-alerts' access to the rules: a Query on one of the two sparse indexes (every rule it
 * returns is one the move acts on), and conditional UpdateItems of the state attributes only
 * (EVALUATOR_ATTRIBUTES; IAM allows no other). Each update is conditioned on the `stateId`
 * read from the index (or on the evaluator's own claim), so it acts on exactly the state read:
 * a rule changed meanwhile (fired by another invocation, edited by its owner) is left alone.
 */
export function dynamoAlertIndex(documents: DynamoDBDocumentClient, tableName: string): AlertIndex {
  const query = async (indexName: string, keyName: string, sortName: string, key: string, range: NumberRange) => {
    const sort =
      range.from && range.to
        ? '#sort BETWEEN :from AND :to'
        : range.from
          ? '#sort >= :from'
          : range.to
            ? '#sort <= :to'
            : undefined;
    const items = await queryAll(documents, {
      TableName: tableName,
      IndexName: indexName,
      KeyConditionExpression: `#key = :key${sort ? ` AND ${sort}` : ''}`,
      ExpressionAttributeNames: { '#key': keyName, ...(sort ? { '#sort': sortName } : {}) },
      ExpressionAttributeValues: {
        ':key': key,
        // Thresholds and levels are 38-digit numbers: the bounds go to DynamoDB digit for digit.
        ...(range.from ? { ':from': NumberValue.from(range.from.toFixed()) } : {}),
        ...(range.to ? { ':to': NumberValue.from(range.to.toFixed()) } : {}),
      },
    });
    return items.map(ruleOf);
  };

  const update = (rule: StoredAlertRule, input: Omit<UpdateCommandInput, 'TableName' | 'Key'>) =>
    conditional(documents.send(new UpdateCommand({ TableName: tableName, Key: alertKeys.rule(rule.owner, rule.id), ...input })));

  return {
    armed: (key, range) => query(ALERTS_TABLE.indexes.armed, 'armedKey', 'armedThreshold', key, range),
    waiting: (key, range) => query(ALERTS_TABLE.indexes.waiting, 'waitingKey', 'rearmLevel', key, range),

    claim: (rule, { token, crossingAt, untilMs }, nowMs) =>
      update(rule, {
        UpdateExpression: 'SET claimToken = :token, claimUntil = :until, claimCrossing = :crossing',
        ConditionExpression: 'stateId = :stateId AND (attribute_not_exists(claimUntil) OR claimUntil < :now)',
        ExpressionAttributeValues: { ':token': token, ':until': untilMs, ':crossing': crossingAt, ':stateId': rule.stateId, ':now': nowMs },
      }),

    fire: (rule, token, { stateId, trigger, cooldownUntil, rearmLevel }) => {
      const waiting = rearmLevel !== undefined;
      const set = [
        '#state = :state',
        'stateId = :stateId',
        'lastTriggered = :trigger',
        'triggerCount = if_not_exists(triggerCount, :zero) + :one',
        ...(cooldownUntil ? ['cooldownUntil = :cooldownUntil'] : []),
        ...(waiting ? ['waitingKey = :key', 'rearmLevel = :level', 'waitingSince = :since'] : []),
      ];
      return update(rule, {
        UpdateExpression: `SET ${set.join(', ')} REMOVE armedKey, armedThreshold, armedSince, claimToken, claimUntil, claimCrossing`,
        ConditionExpression: 'claimToken = :token',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':state': waiting ? 'waiting' : 'fired',
          ':stateId': stateId,
          ':trigger': trigger,
          ':zero': 0,
          ':one': 1,
          ':token': token,
          ...(cooldownUntil ? { ':cooldownUntil': cooldownUntil } : {}),
          ...(waiting ? { ':key': watchKey(pairOf(rule.base, rule.quote), rule.condition), ':level': NumberValue.from(rearmLevel), ':since': trigger.at } : {}),
        },
      });
    },

    rearm: (rule, { stateId, armedSince }) =>
      update(rule, {
        UpdateExpression: 'SET #state = :armed, stateId = :new, armedSince = :since, armedKey = :key, armedThreshold = :threshold REMOVE waitingKey, rearmLevel, waitingSince',
        ConditionExpression: 'stateId = :stateId',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':armed': 'armed',
          ':new': stateId,
          ':since': armedSince,
          ':key': watchKey(pairOf(rule.base, rule.quote), rule.condition),
          ':threshold': NumberValue.from(rule.threshold),
          ':stateId': rule.stateId,
        },
      }),

    expire: (rule, stateId) =>
      update(rule, {
        UpdateExpression: 'SET #state = :expired, stateId = :new REMOVE armedKey, armedThreshold, waitingKey, rearmLevel',
        ConditionExpression: 'stateId = :stateId',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':expired': 'expired', ':new': stateId, ':stateId': rule.stateId },
      }),
  };
}
