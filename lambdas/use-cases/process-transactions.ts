import { createHash } from 'node:crypto';
import { InvalidAmountError } from '../domain/errors';
import { datePartitions } from '../domain/lake-keys';
import { userIdHash } from '../domain/pii';
import {
  duplicateKeyDetail,
  QUARANTINE_CONTENT_TYPE,
  quarantineLine,
  quarantineObject,
  type QuarantineLine,
} from '../domain/quarantine';
import {
  enrichTransaction,
  validateTransaction,
  type EnrichedTransaction,
  type TransactionRejection,
  type TransactionRules,
  type ValidTransaction,
} from '../domain/transaction';
import type { MessagePublisher } from '../ports/message-publisher';
import type { ObjectStore } from '../ports/object-store';
import { cachedRateHistory, RateUnavailable, type RateHistory } from '../ports/rate-history';
import type { TransactionStore } from '../ports/transaction-store';
import { DuplicateKeyError, parseJsonStrict } from '../shared/exact-json';

export type { QuarantineLine } from '../domain/quarantine';

export interface TransactionMessage {
  readonly messageId: string;
  readonly body: string;
  readonly receiveCount: number;
  /**
   * When the queue first handed the message out (ISO UTC); the same on every redelivery. It is
   * the transaction's processed_at_utc and the "now" of the future-timestamp check, so a
   * redelivered message is judged and stored exactly as the first delivery was.
   */
  readonly firstReceivedAt: string;
}

export interface ProcessTransactionsDeps {
  /** A fresh rate reader for each batch (readers may remember what they read). */
  readonly rates: () => RateHistory;
  readonly store: TransactionStore;
  readonly lake: ObjectStore;
  readonly highValue: MessagePublisher;
  readonly rules: TransactionRules;
  readonly hmacKey: string;
  readonly curatedPrefix: string;
  readonly quarantinePrefix: string;
  /** Encodes the curated Parquet object of some transactions. */
  readonly toCurated: (transactions: readonly EnrichedTransaction[]) => Uint8Array;
}

export interface ProcessTransactionsResult {
  /** Messages to retry (no rate yet, or not written): the SQS batchItemFailures. */
  readonly failedMessageIds: readonly string[];
  /** Why each failed message failed, for the log (never a user id). */
  readonly failures: readonly { readonly messageId: string; readonly reason: string }[];
  /** Transactions written (a transaction_id sent twice in the batch counts once). */
  readonly stored: number;
  readonly quarantined: number;
  readonly quarantinedByReason: Partial<Record<TransactionRejection, number>>;
  readonly highValue: number;
  readonly objectKeys: readonly string[];
}

interface Accepted {
  readonly tx: ValidTransaction;
  readonly record: Record<string, unknown>;
  readonly messageIds: string[];
  readonly receivedAt: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Validates, enriches and stores one SQS batch of feed transactions.
 * - An invalid record, or one DynamoDB refuses, is quarantined with its reason (contract
 *   fields only, the user id hashed) and its message succeeds.
 * - A record with no rate yet, or one DynamoDB left unprocessed, fails only its own message.
 * - Every write is keyed by content (item by transaction_id, objects by the batch's ids), so the
 *   same batch processed again leaves identical items and objects.
 * Throws when a store is unreachable: the whole batch is retried.
 */
export async function processTransactions(
  deps: ProcessTransactionsDeps,
  messages: readonly TransactionMessage[],
): Promise<ProcessTransactionsResult> {
  const quarantine: QuarantineLine[] = [];
  const accepted = new Map<string, Accepted>();
  const ordered = [...messages].sort(
    (a, b) => byText(a.firstReceivedAt, b.firstReceivedAt) || byText(a.messageId, b.messageId),
  );
  const reject = (
    messageId: string,
    reason: TransactionRejection,
    detail: string,
    record: unknown,
  ) => quarantine.push(quarantineLine({ messageId, reason, detail, record }, deps.hmacKey));
  for (const message of ordered) {
    const { record, problem } = parseBody(message.body);
    const result =
      problem !== undefined
        ? ({ ok: false, reason: 'MALFORMED', detail: problem } as const)
        : validateTransaction(
            record,
            new Date(message.firstReceivedAt),
            deps.rules.maxFutureSkewSeconds,
          );
    if (!result.ok) {
      reject(message.messageId, result.reason, result.detail, record);
      continue;
    }
    // A transaction sent twice in one batch is stored once: BatchWriteItem refuses duplicate keys.
    const same = accepted.get(result.value.transaction_id);
    if (same) same.messageIds.push(message.messageId);
    else
      accepted.set(result.value.transaction_id, {
        tx: result.value,
        record: record as Record<string, unknown>,
        messageIds: [message.messageId],
        receivedAt: message.firstReceivedAt,
      });
  }

  const failures: { messageId: string; reason: string }[] = [];
  const enriched: { readonly transaction: EnrichedTransaction; readonly messageIds: string[] }[] =
    [];
  const rates = cachedRateHistory(deps.rates());
  // One currency's lookups in time order, so each one can reuse the previous answer's span.
  const byCurrency = groupBy([...accepted.values()], (a) => a.tx.currency);
  await Promise.all(
    [...byCurrency.values()].map(async (group) => {
      for (const a of group.sort((x, y) => byText(x.tx.timestamp, y.tx.timestamp))) {
        let rate;
        try {
          rate = await rates.rateAt(a.tx.currency, deps.rules.baseCurrency, a.tx.timestamp);
        } catch (error) {
          if (!(error instanceof RateUnavailable)) throw error;
          failures.push(...a.messageIds.map((messageId) => ({ messageId, reason: error.message })));
          continue;
        }
        try {
          const transaction = enrichTransaction(a.tx, {
            rate,
            userIdHash: userIdHash(deps.hmacKey, a.tx.user_id),
            rules: deps.rules,
            processedAt: a.receivedAt,
          });
          enriched.push({ transaction, messageIds: a.messageIds });
        } catch (error) {
          if (!(error instanceof InvalidAmountError)) throw error;
          for (const messageId of a.messageIds) {
            reject(messageId, 'INVALID_AMOUNT', error.message, a.record);
          }
        }
      }
    }),
  );

  const objectKeys: string[] = [];
  const { unwritten, rejected } = await deps.store.putAll(enriched.map((e) => e.transaction));
  const refused = new Map(rejected.map((r) => [r.transaction_id, r]));
  for (const e of enriched) {
    const refusal = refused.get(e.transaction.transaction_id);
    if (!refusal) continue;
    const { record } = accepted.get(e.transaction.transaction_id)!;
    for (const messageId of e.messageIds) reject(messageId, refusal.reason, refusal.detail, record);
  }
  if (quarantine.length > 0) {
    const { key, body } = quarantineObject(
      deps.quarantinePrefix,
      firstArrivalDay(quarantine, messages),
      quarantine,
    );
    await deps.lake.put(key, body, QUARANTINE_CONTENT_TYPE);
    objectKeys.push(key);
  }

  const notWritten = new Set(unwritten);
  for (const e of enriched.filter((x) => notWritten.has(x.transaction.transaction_id))) {
    failures.push(
      ...e.messageIds.map((messageId) => ({
        messageId,
        reason: 'DynamoDB left the item unprocessed',
      })),
    );
  }
  const stored = enriched
    .map((e) => e.transaction)
    .filter((t) => !notWritten.has(t.transaction_id) && !refused.has(t.transaction_id));

  const byDay = groupBy(stored, (t) => t.timestamp.slice(0, 10));
  await Promise.all(
    [...byDay.values()].map(async (day) => {
      const ids = day.map((t) => t.transaction_id).sort(byText);
      const key = `${deps.curatedPrefix}/${datePartitions(day[0].timestamp)}/${sha256(ids.join('\n'))}.parquet`;
      await deps.lake.put(key, deps.toCurated(day), 'application/vnd.apache.parquet');
      objectKeys.push(key);
    }),
  );

  const alerts = stored
    .filter((t) => t.high_value_alert)
    .sort((a, b) => byText(a.transaction_id, b.transaction_id));
  await deps.highValue.publish(
    alerts.map((t) => ({
      id: t.transaction_id,
      body: JSON.stringify({ eventId: t.transaction_id, ...t }),
    })),
  );

  const quarantinedByReason: Partial<Record<TransactionRejection, number>> = {};
  for (const line of quarantine)
    quarantinedByReason[line.reason] = (quarantinedByReason[line.reason] ?? 0) + 1;
  return {
    failedMessageIds: failures.map((f) => f.messageId).sort(byText),
    failures,
    stored: stored.length,
    quarantined: quarantine.length,
    quarantinedByReason,
    highValue: alerts.length,
    objectKeys: objectKeys.sort(byText),
  };
}

/**
 * The body as JSON, or why it is MALFORMED: not JSON, or a key written twice (the record is
 * then kept as JSON.parse reads it, so its quarantine line still shows the contract fields).
 */
function parseBody(body: string): { readonly record: unknown; readonly problem?: string } {
  try {
    return { record: parseJsonStrict(body) };
  } catch (error) {
    if (!(error instanceof DuplicateKeyError)) return { record: null, problem: 'message body is not JSON' };
    const { path, key } = error.duplicate;
    return { record: JSON.parse(body), problem: duplicateKeyDetail(path, key) };
  }
}

/** The day the earliest quarantined message first arrived: the quarantine object's dt=. */
function firstArrivalDay(
  lines: readonly QuarantineLine[],
  messages: readonly TransactionMessage[],
): string {
  const ids = new Set(lines.map((l) => l.messageId));
  return messages
    .filter((m) => ids.has(m.messageId))
    .map((m) => m.firstReceivedAt.slice(0, 10))
    .sort(byText)[0];
}

function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
