import { CursorConflictError, type CursorStore } from '../../../lambdas/ports/cursor-store';
import type { MessagePublisher, OutgoingMessage } from '../../../lambdas/ports/message-publisher';
import type { FeedPage, TransactionFeed } from '../../../lambdas/ports/transaction-feed';
import { fetchTransactions, type FetchTransactionsDeps } from '../../../lambdas/use-cases/fetch-transactions';

/** A feed of numbered transactions t0..t{total-1}; the cursor is the next index as text. */
function numberedFeed(total: number, failAt?: { cursor: string | null; error: Error }) {
  const requests: (string | null)[] = [];
  const feed: TransactionFeed = {
    name: 'acme',
    async fetchPage(cursor, limit): Promise<FeedPage> {
      requests.push(cursor);
      if (failAt && failAt.cursor === cursor) throw failAt.error;
      const from = cursor === null ? 0 : Number(cursor);
      const to = Math.min(from + limit, total);
      const transactions = [];
      for (let i = from; i < to; i++) {
        transactions.push({ transactionId: `t${i}`, json: `{"transaction_id":"t${i}","amount":${i}.50}` });
      }
      return { transactions, nextCursor: to > from ? String(to) : null };
    },
  };
  return { feed, requests };
}

/** Cursor store and queue that log every effect, in order, to one journal. */
function recorder(initial: string | null = null) {
  const journal: string[] = [];
  let stored = initial;
  const cursors: CursorStore = {
    load: async () => stored,
    async save(_feed, expected, next) {
      if (expected !== stored) throw new CursorConflictError('acme');
      stored = next;
      journal.push(`save ${next}`);
    },
  };
  const sent: OutgoingMessage[] = [];
  let failPublishAt: number | undefined;
  const queue: MessagePublisher = {
    async publish(messages) {
      if (failPublishAt !== undefined && sent.length + messages.length > failPublishAt) {
        throw new Error('SQS did not accept 1 message(s)');
      }
      sent.push(...messages);
      journal.push(`publish ${messages.map((m) => m.id).join(',')}`);
    },
  };
  return {
    cursors,
    queue,
    sent,
    journal,
    cursor: () => stored,
    failPublishAfter: (n: number) => (failPublishAt = n),
    moveCursorBehindOurBack: (cursor: string) => (stored = cursor),
  };
}

const deps = (feed: TransactionFeed, r: ReturnType<typeof recorder>, extra: Partial<FetchTransactionsDeps> = {}): FetchTransactionsDeps => ({
  feed,
  cursors: r.cursors,
  transactionsQueue: r.queue,
  pageSize: 2,
  remainingTimeMs: () => 100_000,
  ...extra,
});

describe('fetchTransactions', () => {
  it('queues every transaction as sent and moves the cursor after each page is on the queue', async () => {
    const { feed, requests } = numberedFeed(5);
    const r = recorder();

    const result = await fetchTransactions(deps(feed, r));

    expect(result).toEqual({ feed: 'acme', pages: 4, transactions: 5, cursor: '5', stoppedBecause: 'caught-up' });
    expect(r.journal).toEqual(['publish t0,t1', 'save 2', 'publish t2,t3', 'save 4', 'publish t4', 'save 5']);
    expect(r.sent.map((m) => m.body)).toEqual([0, 1, 2, 3, 4].map((i) => `{"transaction_id":"t${i}","amount":${i}.50}`));
    expect(requests).toEqual([null, '2', '4', '5']);
  });

  it('resumes from the saved cursor and sends nothing twice', async () => {
    const { feed } = numberedFeed(5);
    const r = recorder('4');

    const result = await fetchTransactions(deps(feed, r));

    expect(r.sent.map((m) => m.id)).toEqual(['t4']);
    expect(result.cursor).toBe('5');
  });

  it('stops at once when the feed has nothing new, leaving the cursor as it was', async () => {
    const { feed } = numberedFeed(5);
    const r = recorder('5');

    const result = await fetchTransactions(deps(feed, r));

    expect(result).toEqual({ feed: 'acme', pages: 1, transactions: 0, cursor: '5', stoppedBecause: 'caught-up' });
    expect(r.journal).toEqual([]);
  });

  it('leaves the cursor on the last page that reached the queue when publishing fails', async () => {
    const { feed } = numberedFeed(6);
    const r = recorder();
    r.failPublishAfter(3);

    await expect(fetchTransactions(deps(feed, r))).rejects.toThrow('SQS did not accept');

    expect(r.cursor()).toBe('2');
    expect(r.journal).toEqual(['publish t0,t1', 'save 2']);
  });

  it('leaves the cursor where it was when the feed fails, and fails loudly', async () => {
    const { feed } = numberedFeed(6, { cursor: '4', error: new Error('feed acme unavailable after 3 attempt(s): HTTP 503') });
    const r = recorder();

    await expect(fetchTransactions(deps(feed, r))).rejects.toThrow('HTTP 503');

    expect(r.cursor()).toBe('4');
    expect(r.sent).toHaveLength(4);
  });

  it('starts no page when the invocation is running out of time, with the cursor saved', async () => {
    const { feed } = numberedFeed(100);
    const r = recorder();
    let left = 100_000;
    const remainingTimeMs = () => (left -= 20_000);

    const result = await fetchTransactions(deps(feed, r, { remainingTimeMs, reserveMs: 30_000 }));

    // 80 s, 60 s and 40 s left: three pages; at 20 s no page is started.
    expect(result).toEqual({ feed: 'acme', pages: 3, transactions: 6, cursor: '6', stoppedBecause: 'time-budget' });
    expect(r.cursor()).toBe('6');
  });

  it('stops without moving the cursor when another run advanced it meanwhile', async () => {
    const { feed } = numberedFeed(10);
    const r = recorder();
    const slowQueue: MessagePublisher = {
      async publish(messages) {
        await r.queue.publish(messages);
        if (r.cursor() === null) r.moveCursorBehindOurBack('2');
      },
    };

    const result = await fetchTransactions(deps(feed, r, { transactionsQueue: slowQueue }));

    expect(result.stoppedBecause).toBe('superseded');
    expect(result.cursor).toBeNull();
    expect(r.cursor()).toBe('2');
  });

  it('queues a last page that ends with next_cursor null but cannot move past it', async () => {
    const r = recorder('c1');
    const feed: TransactionFeed = {
      name: 'acme',
      fetchPage: async () => ({ transactions: [{ transactionId: 't9', json: '{"transaction_id":"t9"}' }], nextCursor: null }),
    };

    const result = await fetchTransactions(deps(feed, r));

    expect(result).toEqual({ feed: 'acme', pages: 1, transactions: 1, cursor: 'c1', stoppedBecause: 'caught-up' });
    expect(r.sent.map((m) => m.id)).toEqual(['t9']);
  });
});
