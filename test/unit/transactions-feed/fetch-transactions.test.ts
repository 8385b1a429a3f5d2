import { createHash } from 'node:crypto';
import { userIdHash } from '../../../lambdas/domain/pii';
import type { QuarantineLine } from '../../../lambdas/domain/quarantine';
import { CursorConflictError, type CursorStore } from '../../../lambdas/ports/cursor-store';
import type { MessagePublisher, OutgoingMessage } from '../../../lambdas/ports/message-publisher';
import type { FeedPage, TransactionFeed } from '../../../lambdas/ports/transaction-feed';
import { fetchTransactions, type FetchTransactionsDeps } from '../../../lambdas/use-cases/fetch-transactions';
import { feedTransaction, HMAC_KEY } from '../../support/transactions';

const FEED_URL = 'https://feeds.acme.example/v1/transactions';

/** A feed of numbered transactions t0..t{total-1}; the cursor is the next index as text. */
function numberedFeed(total: number, failAt?: { cursor: string | null; error: Error }) {
  const requests: (string | null)[] = [];
  const feed: TransactionFeed = {
    name: 'acme',
    url: FEED_URL,
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
function recorder(initial: string | null = null, options: { urlChanged?: boolean } = {}) {
  const journal: string[] = [];
  let stored = initial;
  const cursors: CursorStore = {
    load: async () => ({ cursor: options.urlChanged ? null : stored, urlChanged: options.urlChanged ?? false }),
    async save(_feed, expected, next) {
      // Like the real store: a cursor of another URL may be replaced by a run that started from null.
      const otherUrls = options.urlChanged && expected === null;
      if (expected !== stored && !otherUrls) throw new CursorConflictError('acme');
      stored = next;
      journal.push(`save ${next}`);
    },
  };
  const sent: OutgoingMessage[] = [];
  const objects = new Map<string, string>();
  let lakeDown = false;
  const lake = {
    async put(key: string, body: string | Uint8Array) {
      if (lakeDown) throw new Error('S3 unavailable');
      objects.set(key, String(body));
      journal.push(`quarantine ${key}`);
    },
  };
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
    lake,
    objects,
    takeLakeDown: () => (lakeDown = true),
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
  lake: r.lake,
  quarantinePrefix: 'quarantine/transactions',
  hmacKey: async () => HMAC_KEY,
  clock: () => new Date('2024-01-10T12:00:00Z'),
  pageSize: 2,
  remainingTimeMs: () => 100_000,
  ...extra,
});

describe('fetchTransactions', () => {
  it('queues every transaction as sent and moves the cursor after each page is on the queue', async () => {
    const { feed, requests } = numberedFeed(5);
    const r = recorder();

    const result = await fetchTransactions(deps(feed, r));

    expect(result).toEqual({ feed: 'acme', pages: 4, transactions: 5, cursor: '5', stoppedBecause: 'caught-up', quarantined: 0, cursorReset: false });
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

    expect(result).toEqual({ feed: 'acme', pages: 1, transactions: 0, cursor: '5', stoppedBecause: 'caught-up', quarantined: 0, cursorReset: false });
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
    expect(result).toEqual({ feed: 'acme', pages: 3, transactions: 6, cursor: '6', stoppedBecause: 'time-budget', quarantined: 0, cursorReset: false });
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
      url: FEED_URL,
      fetchPage: async () => ({ transactions: [{ transactionId: 't9', json: '{"transaction_id":"t9"}' }], nextCursor: null }),
    };

    const result = await fetchTransactions(deps(feed, r));

    expect(result).toEqual({ feed: 'acme', pages: 1, transactions: 1, cursor: 'c1', stoppedBecause: 'caught-up', quarantined: 0, cursorReset: false });
    expect(r.sent.map((m) => m.id)).toEqual(['t9']);
  });

  it('still starts a page with exactly the reserve left', async () => {
    const { feed } = numberedFeed(1);
    const r = recorder();

    const result = await fetchTransactions(deps(feed, r, { remainingTimeMs: () => 30_000, reserveMs: 30_000 }));

    expect(result).toMatchObject({ pages: 2, transactions: 1, stoppedBecause: 'caught-up' });
  });

  it('stops without saving when a page names the cursor it was read at as the next one', async () => {
    const r = recorder('c1');
    const feed: TransactionFeed = {
      name: 'acme',
      url: FEED_URL,
      fetchPage: async () => ({ transactions: [{ transactionId: 't9', json: '{"transaction_id":"t9"}' }], nextCursor: 'c1' }),
    };

    const result = await fetchTransactions(deps(feed, r));

    expect(result).toEqual({ feed: 'acme', pages: 1, transactions: 1, cursor: 'c1', stoppedBecause: 'caught-up', quarantined: 0, cursorReset: false });
    expect(r.journal).toEqual(['publish t9']);
  });

  it('stops at an empty page that names a next cursor, having saved it', async () => {
    const r = recorder();
    const requests: (string | null)[] = [];
    const feed: TransactionFeed = {
      name: 'acme',
      url: FEED_URL,
      async fetchPage(cursor) {
        requests.push(cursor);
        return cursor === null ? { transactions: [], nextCursor: 'p1' } : { transactions: [{ transactionId: 't1', json: '{}' }], nextCursor: 'p2' };
      },
    };

    const result = await fetchTransactions(deps(feed, r));

    expect(result).toMatchObject({ pages: 1, transactions: 0, cursor: 'p1', stoppedBecause: 'caught-up' });
    expect(requests).toEqual([null]);
  });

  it('fails loudly when the cursor cannot be saved for a reason other than a newer cursor', async () => {
    const { feed } = numberedFeed(4);
    const r = recorder();
    const broken: CursorStore = { load: r.cursors.load, save: async () => Promise.reject(new Error('DynamoDB unavailable')) };

    await expect(fetchTransactions(deps(feed, r, { cursors: broken }))).rejects.toThrow('DynamoDB unavailable');
  });

  it('names a queued record without a transaction_id by its place on the page', async () => {
    const r = recorder();
    const feed: TransactionFeed = {
      name: 'acme',
      url: FEED_URL,
      fetchPage: async (cursor) => (cursor === null ? { transactions: [{ transactionId: 't0', json: '{}' }, { json: '{"amount":"1"}' }], nextCursor: 'p1' } : { transactions: [], nextCursor: null }),
    };

    await fetchTransactions(deps(feed, r));

    expect(r.sent.map((m) => [m.id, m.body])).toEqual([['t0', '{}'], ['item 1', '{"amount":"1"}']]);
  });

  describe('a record that cannot go on the queue', () => {
    /** One page: two good records around a bad one, then the end of the feed. */
    const pageWith = (bad: { json: string; problem?: string }) => {
      const requests: (string | null)[] = [];
      const good = (id: string) => ({ transactionId: id, json: JSON.stringify(feedTransaction({ transaction_id: id })) });
      const feed: TransactionFeed = {
        name: 'acme',
        url: FEED_URL,
        async fetchPage(cursor) {
          requests.push(cursor);
          return cursor === null
            ? { transactions: [good('t0'), { transactionId: 'bad', ...bad }, good('t2')], nextCursor: 'p2' }
            : { transactions: [], nextCursor: null };
        },
      };
      return { feed, requests };
    };
    const linesOf = (objects: Map<string, string>) =>
      [...objects.values()].flatMap((body) => body.trim().split('\n')).map((l) => JSON.parse(l) as QuarantineLine);

    it('queues the page’s valid records, quarantines a 1.1 MB one with its reason, and moves the cursor on', async () => {
      const huge = feedTransaction({ transaction_id: 'bad', card_number: '4111111111111111', notes: 'n'.repeat(1_100_000) });
      const { feed, requests } = pageWith({ json: JSON.stringify(huge) });
      const r = recorder();

      const result = await fetchTransactions(deps(feed, r));

      expect(result).toMatchObject({ pages: 2, transactions: 2, quarantined: 1, cursor: 'p2', stoppedBecause: 'caught-up' });
      expect(r.sent.map((m) => m.id)).toEqual(['t0', 't2']);
      expect(r.journal).toEqual([expect.stringMatching(/^quarantine quarantine\/transactions\/dt=2024-01-10\/[0-9a-f]{64}\.jsonl$/), 'publish t0,t2', 'save p2']);
      expect(requests).toEqual([null, 'p2']);
      expect(linesOf(r.objects)).toEqual([
        {
          // The page read from the start (no cursor) is named by the sha256 of the empty string.
          messageId: `feed:acme:${createHash('sha256').update('').digest('hex').slice(0, 16)}:1`,
          reason: 'TOO_LARGE',
          detail: `the record is ${Buffer.byteLength(JSON.stringify(huge))} bytes of JSON; a queue message holds at most 1048576`,
          record: { ...feedTransaction({ transaction_id: 'bad', user_id: undefined }), user_id_hash: userIdHash(HMAC_KEY, 'user-42') },
        },
      ]);
    });

    it('quarantines a record that writes a key twice as MALFORMED', async () => {
      const { feed } = pageWith({ json: JSON.stringify(feedTransaction({ transaction_id: 'bad' })), problem: 'the record has the key "amount" more than once' });
      const r = recorder();

      const result = await fetchTransactions(deps(feed, r));

      expect(result).toMatchObject({ transactions: 2, quarantined: 1, cursor: 'p2' });
      expect(linesOf(r.objects).map((l) => [l.reason, l.detail])).toEqual([['MALFORMED', 'the record has the key "amount" more than once']]);
    });

    it('asks for the HMAC key only when something is quarantined', async () => {
      const { feed } = numberedFeed(3);
      const r = recorder();
      const hmacKey = jest.fn(async () => HMAC_KEY);

      await fetchTransactions(deps(feed, r, { hmacKey }));

      expect(hmacKey).not.toHaveBeenCalled();
    });

    it('leaves the cursor where it was, queueing nothing, when the quarantine cannot be written', async () => {
      const { feed } = pageWith({ json: JSON.stringify(feedTransaction({ transaction_id: 'bad', notes: 'n'.repeat(1_100_000) })) });
      const r = recorder();
      r.takeLakeDown();

      await expect(fetchTransactions(deps(feed, r))).rejects.toThrow('S3 unavailable');

      expect(r.cursor()).toBeNull();
      expect(r.sent).toEqual([]);
    });
  });

  it('starts a feed whose saved cursor belongs to another URL from its beginning, and says so', async () => {
    const { feed, requests } = numberedFeed(3);
    const r = recorder('2', { urlChanged: true });

    const result = await fetchTransactions(deps(feed, r));

    expect(requests[0]).toBeNull();
    expect(result).toMatchObject({ cursorReset: true, transactions: 3, cursor: '3' });
  });
});
