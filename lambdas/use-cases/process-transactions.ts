import { InvalidAmountError } from '../domain/errors';
import { pathText, providerText, type ResolvedRate } from '../domain/rate-resolver';
import { rateDecision, type RateWait } from '../domain/rate-settlement';
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
import type { TransactionStore } from '../ports/transaction-store';
import { DuplicateKeyError, parseJsonStrict } from '../shared/exact-json';

export type { QuarantineLine } from '../domain/quarantine';
import { resolveRates, type RateSourceDeps } from './resolve-rates';

/** The SQS message attribute that marks a record re-queued from the quarantine by `npm run replay`. */
export const REPLAYED_ATTRIBUTE = 'fx-replayed';

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
  /**
   * Re-queued from the quarantine by `npm run replay` (a message attribute): the record holds
   * `user_id_hash` (64 hex digits) instead of `user_id`, which is accepted on this path only.
   */
  readonly replayed?: boolean;
}

export interface ProcessTransactionsDeps {
  /** The stage's rate policy over the stored series: the API's lookup. */
  readonly rates: RateSourceDeps;
  /** How long a transaction waits for the rate at its timestamp to settle. */
  readonly rateWait: RateWait;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  readonly store: TransactionStore;
  readonly lake: ObjectStore;
  readonly highValue: MessagePublisher;
  readonly rules: TransactionRules;
  readonly hmacKey: string;
  readonly quarantinePrefix: string;
}

export interface ProcessTransactionsResult {
  /** Messages to retry (rate not settled or stale, or not written): the SQS batchItemFailures. */
  readonly failedMessageIds: readonly string[];
  /** Failed messages waiting for a settled rate: look again after this many seconds, not the queue's visibility timeout. */
  readonly deferred: readonly { readonly messageId: string; readonly retryAfterSeconds: number }[];
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
  /** The user_id_hash a replayed record carries instead of user_id. */
  readonly userIdHash?: string;
}

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Validates, enriches and stores one SQS batch of feed transactions.
 * - An invalid record, or one DynamoDB refuses, is quarantined with its reason (contract
 *   fields only, the user id hashed) and its message succeeds.
 * - A record with no rate yet, or one DynamoDB left unprocessed, fails only its own message.
 * - Every write is keyed by content (item by transaction_id, the quarantine object by its
 *   lines), so the same batch processed again leaves identical items and objects. The curated
 *   lake is written from the table's stream (export-transactions).
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
    const replayedHash = message.replayed ? replayedUserIdHash(record) : undefined;
    const result =
      problem !== undefined
        ? ({ ok: false, reason: 'MALFORMED', detail: problem } as const)
        : validateTransaction(
            replayedHash ? { ...(record as object), user_id: replayedHash } : record,
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
        userIdHash: replayedHash,
      });
  }

  const failures: { messageId: string; reason: string }[] = [];
  const deferred: { messageId: string; retryAfterSeconds: number }[] = [];
  const enriched: { readonly transaction: EnrichedTransaction; readonly messageIds: string[] }[] =
    [];
  const now = (deps.clock ?? (() => new Date()))().getTime();
  const waiting = [...accepted.values()];
  const resolutions = await resolveRates(
    deps.rates,
    waiting.map((a) => ({ from: a.tx.currency, to: deps.rules.baseCurrency, at: a.tx.timestamp })),
  );
  waiting.forEach((a, i) => {
    const decision = rateDecision(resolutions[i], now - Date.parse(a.receivedAt), deps.rateWait);
    if (decision.action === 'wait') {
      for (const messageId of a.messageIds) {
        failures.push({ messageId, reason: `RATE_NOT_SETTLED: the rate at ${a.tx.timestamp} may still be published` });
        deferred.push({ messageId, retryAfterSeconds: decision.retryAfterSeconds });
      }
    } else if (decision.action === 'stale') {
      failures.push(...a.messageIds.map((messageId) => ({ messageId, reason: `RATE_STALE: ${decision.detail}` })));
    } else if (decision.action === 'no-rate') {
      for (const messageId of a.messageIds) reject(messageId, 'NO_RATE_AT_TIME', decision.detail, a.record);
    } else {
      try {
        const transaction = enrichTransaction(a.tx, {
          rate: appliedRate(decision.rate),
          userIdHash: a.userIdHash ?? userIdHash(deps.hmacKey, a.tx.user_id),
          rules: deps.rules,
          processedAt: a.receivedAt,
        });
        enriched.push({ transaction, messageIds: a.messageIds });
      } catch (error) {
        if (!(error instanceof InvalidAmountError)) throw error;
        for (const messageId of a.messageIds) reject(messageId, 'INVALID_AMOUNT', error.message, a.record);
      }
    }
  });

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
    deferred,
    failures,
    stored: stored.length,
    quarantined: quarantine.length,
    quarantinedByReason,
    highValue: alerts.length,
    objectKeys: objectKeys.sort(byText),
  };
}

const appliedRate = (r: ResolvedRate) => ({
  rate: r.rate.toString(),
  numerator: r.numerator,
  denominator: r.denominator,
  asOf: r.inForceFrom,
  provider: providerText(r),
  via: pathText(r),
});

/** The user_id_hash of a replayed quarantine record: 64 hex digits, and no user_id beside it. */
function replayedUserIdHash(record: unknown): string | undefined {
  const { user_id: userId, user_id_hash: hash } = (record ?? {}) as Record<string, unknown>;
  return userId === undefined && typeof hash === 'string' && /^[0-9a-f]{64}$/.test(hash) ? hash : undefined;
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
