import { createHash } from 'node:crypto';
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { windowOf, type DigestRow } from '../../domain/high-value-digest';
import type { DigestStore } from '../../ports/digest-store';
import { ALERTS_TABLE } from '../../shared/alerts-table';
import { conditional } from './dynamodb-alert-rules';
import { queryAll } from './query-all';

/** Rows, markers and the transaction's membership expire a week after they are written. */
const KEEP_SECONDS = 7 * 24 * 60 * 60;

const pk = ALERTS_TABLE.digestPartition;
/**
 * The `DIGEST` partition:
 * - `OPEN#<window start>`: a window with rows that was not e-mailed yet;
 * - `W#<window start>#ROW#<sha256 of the transaction id>`: a row (transaction ids can be longer
 *   than a sort key may be);
 * - `W#<window start>#SENT`: the window's e-mail: claimed (`sending`, until `claimUntil`) or `sent`.
 *   Once it exists, no row can join the window: adding a row checks it is absent, in the same
 *   transaction, so the digest read after the claim holds every row the window will ever have.
 * - `TX#<sha256 of the transaction id>`: the window that holds the transaction (it is in one only).
 */
const keys = {
  open: (window: string) => ({ pk, sk: `OPEN#${window}` }),
  row: (window: string, id: string) => ({ pk, sk: `W#${window}#ROW#${sha256(id)}` }),
  sent: (window: string) => ({ pk, sk: `W#${window}#SENT` }),
  transaction: (id: string) => ({ pk, sk: `TX#${sha256(id)}` }),
};

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const expiresAt = (now: Date) => Math.floor(now.getTime() / 1000) + KEEP_SECONDS;

/** How many later windows a row tries when the ones it falls in were closed (a clock far behind, a slow send). */
const MAX_WINDOW_HOPS = 3;

export function dynamoDigestStore(documents: DynamoDBDocumentClient, tableName: string, windowMinutes: number): DigestStore {
  return {
    async add(row, at) {
      let when = at;
      for (let hop = 0; hop <= MAX_WINDOW_HOPS; hop++) {
        const window = windowOf(when, windowMinutes);
        try {
          await documents.send(
            new TransactWriteCommand({
              TransactItems: [
                { ConditionCheck: { TableName: tableName, Key: keys.sent(window.start), ConditionExpression: 'attribute_not_exists(pk)' } },
                {
                  Put: {
                    TableName: tableName,
                    Item: { ...keys.transaction(row.transactionId), window: window.start, expiresAt: expiresAt(at) },
                    ConditionExpression: 'attribute_not_exists(pk)',
                  },
                },
                { Put: { TableName: tableName, Item: { ...keys.row(window.start, row.transactionId), ...row, expiresAt: expiresAt(at) } } },
                { Put: { TableName: tableName, Item: { ...keys.open(window.start), window: window.start, expiresAt: expiresAt(at) } } },
              ],
            }),
          );
          return 'added';
        } catch (error) {
          const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
          if (reasons[1]?.Code === 'ConditionalCheckFailed') return 'duplicate';
          if (reasons[0]?.Code !== 'ConditionalCheckFailed') throw error;
          // The window was e-mailed already: the row goes in the next one.
          when = new Date(window.end);
        }
      }
      throw new Error(`no open digest window within ${MAX_WINDOW_HOPS} after ${at.toISOString()}`);
    },

    async openWindows() {
      const items = await queryAll(documents, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :open)',
        ExpressionAttributeValues: { ':pk': pk, ':open': 'OPEN#' },
        ConsistentRead: true,
      });
      return items.map((item) => String(item.window));
    },

    async claim(window, token, untilMs, nowMs) {
      const claimed = await conditional(
        documents.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...keys.sent(window), status: 'sending', claimToken: token, claimUntil: untilMs, expiresAt: expiresAt(new Date(nowMs)) },
            ConditionExpression: 'attribute_not_exists(pk) OR (#status = :sending AND claimUntil < :now)',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':sending': 'sending', ':now': nowMs },
          }),
        ),
      );
      if (claimed) return 'claimed';
      const { Item } = await documents.send(new GetCommand({ TableName: tableName, Key: keys.sent(window), ConsistentRead: true }));
      if (Item?.status !== 'sent') return 'busy';
      // Sent by a run that stopped before it closed the window: close it now.
      await documents.send(new DeleteCommand({ TableName: tableName, Key: keys.open(window) }));
      return 'sent';
    },

    async rows(window) {
      const items = await queryAll(documents, {
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :rows)',
        ExpressionAttributeValues: { ':pk': pk, ':rows': `W#${window}#ROW#` },
        ConsistentRead: true,
      });
      return items.map(rowOf).sort((a, b) => (a.timestamp === b.timestamp ? (a.transactionId < b.transactionId ? -1 : 1) : a.timestamp < b.timestamp ? -1 : 1));
    },

    async markSent(window, token, { messageId, rows }) {
      const marked = await conditional(
        documents.send(
          new UpdateCommand({
            TableName: tableName,
            Key: keys.sent(window),
            UpdateExpression: 'SET #status = :sent, #rows = :rows, sentAt = :now' + (messageId ? ', messageId = :messageId' : '') + ' REMOVE claimToken, claimUntil',
            ConditionExpression: 'claimToken = :token',
            ExpressionAttributeNames: { '#status': 'status', '#rows': 'rows' },
            ExpressionAttributeValues: { ':sent': 'sent', ':rows': rows, ':now': new Date().toISOString(), ':token': token, ...(messageId ? { ':messageId': messageId } : {}) },
          }),
        ),
      );
      if (marked) await documents.send(new DeleteCommand({ TableName: tableName, Key: keys.open(window) }));
      return marked;
    },
  };
}

const ROW_FIELDS = ['transactionId', 'amount', 'currency', 'amountBase', 'baseCurrency', 'merchant', 'userIdHash', 'timestamp'] as const;

function rowOf(item: Record<string, unknown>): DigestRow {
  return Object.fromEntries(ROW_FIELDS.map((f) => [f, String(item[f])])) as unknown as DigestRow;
}
