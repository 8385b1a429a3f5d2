import { CursorConflictError, type CursorStore } from '../ports/cursor-store';
import type { MessagePublisher } from '../ports/message-publisher';
import type { TransactionFeed } from '../ports/transaction-feed';

export interface FetchTransactionsDeps {
  readonly feed: TransactionFeed;
  readonly cursors: CursorStore;
  readonly transactionsQueue: MessagePublisher;
  readonly pageSize: number;
  /** Milliseconds left in this invocation (Lambda's context.getRemainingTimeInMillis). */
  readonly remainingTimeMs: () => number;
  /**
   * No page is started with less time than this left: a page's retries, its publish and the
   * cursor save must fit in it.
   * @default 45000
   */
  readonly reserveMs?: number;
  /** Called after each page is on the queue and its cursor saved. */
  readonly onPage?: (page: { readonly transactions: number; readonly cursor: string | null }) => void;
}

export type StopReason = 'caught-up' | 'time-budget' | 'superseded';

export interface FetchTransactionsResult {
  readonly feed: string;
  readonly pages: number;
  readonly transactions: number;
  /** The cursor the next run starts from. */
  readonly cursor: string | null;
  readonly stoppedBecause: StopReason;
}

export const DEFAULT_RESERVE_MS = 45_000;

/**
 * Reads the feed from its saved cursor, page by page: each page goes on the transactions queue
 * (one message per transaction, its JSON as received) and only then is the cursor moved to the
 * page's next_cursor. A failing feed or queue throws with the cursor where it was; a crash
 * between publish and save re-sends that page next run, which downstream idempotency absorbs.
 */
export async function fetchTransactions(deps: FetchTransactionsDeps): Promise<FetchTransactionsResult> {
  const { feed, cursors, pageSize } = deps;
  const reserveMs = deps.reserveMs ?? DEFAULT_RESERVE_MS;
  let cursor = await cursors.load(feed.name);
  let pages = 0;
  let transactions = 0;
  const result = (stoppedBecause: StopReason): FetchTransactionsResult => ({
    feed: feed.name,
    pages,
    transactions,
    cursor,
    stoppedBecause,
  });

  for (;;) {
    if (deps.remainingTimeMs() < reserveMs) return result('time-budget');
    const page = await feed.fetchPage(cursor, pageSize);
    if (page.transactions.length > 0) {
      await deps.transactionsQueue.publish(
        page.transactions.map((t, i) => ({ id: t.transactionId ?? `item ${i}`, body: t.json })),
      );
    }
    pages += 1;
    transactions += page.transactions.length;
    // A null next_cursor cannot be saved (null means "from the beginning"), so such a page is
    // read again next run; re-sent transactions are absorbed downstream.
    const advances = page.nextCursor !== null && page.nextCursor !== cursor;
    if (advances) {
      try {
        await cursors.save(feed.name, cursor, page.nextCursor);
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
