import { createHash } from 'node:crypto';
import {
  QUARANTINE_CONTENT_TYPE,
  quarantineLine,
  quarantineObject,
  type QuarantineLine,
} from '../domain/quarantine';
import { queueMessageProblem } from '../domain/record-limits';
import type { TransactionRejection } from '../domain/transaction';
import { CursorConflictError, type CursorStore } from '../ports/cursor-store';
import type { MessagePublisher, OutgoingMessage } from '../ports/message-publisher';
import type { ObjectStore } from '../ports/object-store';
import type { FeedItem, TransactionFeed } from '../ports/transaction-feed';
import { parseJsonNumbersAs, rawJSON } from '../shared/exact-json';

export interface FetchTransactionsDeps {
  readonly feed: TransactionFeed;
  readonly cursors: CursorStore;
  readonly transactionsQueue: MessagePublisher;
  /** Where a record that cannot be queued is quarantined (the data lake). */
  readonly lake: ObjectStore;
  readonly quarantinePrefix: string;
  /** The PII HMAC key, asked for only when a record has to be quarantined. */
  readonly hmacKey: () => Promise<string>;
  readonly pageSize: number;
  /** Milliseconds left in this invocation (Lambda's context.getRemainingTimeInMillis). */
  readonly remainingTimeMs: () => number;
  /**
   * No page is started with less time than this left: a page's retries, its publish and the
   * cursor save must fit in it.
   * @default 45000
   */
  readonly reserveMs?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Called after each page is on the queue and its cursor saved. */
  readonly onPage?: (page: { readonly transactions: number; readonly cursor: string | null }) => void;
}

/** A feed record quarantined instead of queued. */
interface Rejected {
  readonly messageId: string;
  readonly reason: TransactionRejection;
  readonly detail: string;
  readonly item: FeedItem;
}

export type StopReason = 'caught-up' | 'time-budget' | 'superseded';

export interface FetchTransactionsResult {
  readonly feed: string;
  readonly pages: number;
  /** Transactions put on the queue. */
  readonly transactions: number;
  /** Records quarantined instead: too large for a queue message, or a key written twice. */
  readonly quarantined: number;
  /** The cursor the next run starts from. */
  readonly cursor: string | null;
  readonly stoppedBecause: StopReason;
  /** The saved cursor belonged to another URL of this feed and was not used. */
  readonly cursorReset: boolean;
}

export const DEFAULT_RESERVE_MS = 45_000;

/**
 * Reads the feed from its saved cursor, page by page: each page's transactions go on the
 * transactions queue (one message each, its JSON as received), a record no queue message can
 * carry (over 1 MiB) or that writes a key twice goes to the quarantine with its reason, and
 * only then is the cursor moved to the page's next_cursor, so one bad record never holds the
 * feed up. A failing feed, queue or lake throws with the cursor where it was; a crash between
 * publish and save re-sends that page next run, which downstream idempotency absorbs.
 */
export async function fetchTransactions(deps: FetchTransactionsDeps): Promise<FetchTransactionsResult> {
  const { feed, cursors, pageSize } = deps;
  const reserveMs = deps.reserveMs ?? DEFAULT_RESERVE_MS;
  const loaded = await cursors.load(feed);
  let cursor = loaded.cursor;
  let pages = 0;
  let transactions = 0;
  let quarantined = 0;
  const result = (stoppedBecause: StopReason): FetchTransactionsResult => ({
    feed: feed.name,
    pages,
    transactions,
    quarantined,
    cursor,
    stoppedBecause,
    cursorReset: loaded.urlChanged,
  });

  for (;;) {
    if (deps.remainingTimeMs() < reserveMs) return result('time-budget');
    const page = await feed.fetchPage(cursor, pageSize);
    const queued: OutgoingMessage[] = [];
    const rejected: Rejected[] = [];
    page.transactions.forEach((item, index) => {
      const tooLarge = queueMessageProblem(item.json);
      if (item.problem === undefined && tooLarge === undefined) {
        queued.push({ id: item.transactionId ?? `item ${index}`, body: item.json });
        return;
      }
      const messageId = `feed:${feed.name}:${pageId(cursor)}:${index}`;
      if (item.problem !== undefined) rejected.push({ messageId, reason: 'MALFORMED', detail: item.problem, item });
      else rejected.push({ messageId, reason: 'TOO_LARGE', detail: tooLarge!, item });
    });
    if (rejected.length > 0) await quarantine(deps, rejected);
    if (queued.length > 0) await deps.transactionsQueue.publish(queued);
    pages += 1;
    transactions += queued.length;
    quarantined += rejected.length;
    // A null next_cursor cannot be saved (null means "from the beginning"), so such a page is
    // read again next run; re-sent transactions are absorbed downstream.
    const advances = page.nextCursor !== null && page.nextCursor !== cursor;
    if (advances) {
      try {
        await cursors.save(feed, cursor, page.nextCursor);
      } catch (error) {
        if (error instanceof CursorConflictError) return result('superseded');
        throw error;
      }
      cursor = page.nextCursor;
    }
    deps.onPage?.({ transactions: page.transactions.length, cursor });
    if (!advances || page.transactions.length === 0) return result('caught-up');
  }
}

/** Names a page in quarantine message ids: the same page read again gives the same ids. */
const pageId = (cursor: string | null) =>
  createHash('sha256').update(cursor ?? '').digest('hex').slice(0, 16);

async function quarantine(
  deps: FetchTransactionsDeps,
  rejected: readonly Rejected[],
): Promise<void> {
  const hmacKey = await deps.hmacKey();
  const lines: QuarantineLine[] = rejected.map(({ item, ...line }) =>
    quarantineLine({ ...line, record: parseJsonNumbersAs(item.json, rawJSON) }, hmacKey),
  );
  const day = (deps.clock ?? (() => new Date()))().toISOString().slice(0, 10);
  const { key, body } = quarantineObject(deps.quarantinePrefix, day, lines);
  await deps.lake.put(key, body, QUARANTINE_CONTENT_TYPE);
}
