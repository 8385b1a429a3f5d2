import {
  decodeCursor,
  encodeCursor,
  FeedRequestError,
  SIMULATED_UNITS_PER_USD,
  simulatedFeedPage,
  type FeedSimulatorOptions,
} from '../../../lambdas/adapters/simulated/transaction-feed-simulator';
import { Decimal } from '../../../lambdas/domain/decimal';
import { validateTransaction } from '../../../lambdas/domain/transaction';
import { startTransactionFeedServer } from '../../../lib/local-platform/transaction-feed-server';

const START = new Date('2026-11-05T10:00:00.000Z');
const minutesAfterStart = (minutes: number) => new Date(START.getTime() + minutes * 60_000);
const options: FeedSimulatorOptions = { seed: 7, perMinute: 60, startAt: START };

/** Everything the feed has produced by `now`, read page by page as a client would. */
function readAll(now: Date, opts = options, limit = 1000): Record<string, unknown>[] {
  const all: Record<string, unknown>[] = [];
  for (let cursor: string | null = null; ; ) {
    const page = simulatedFeedPage(opts, cursor, limit, now);
    all.push(...page.transactions);
    if (page.next_cursor === null) return all;
    cursor = page.next_cursor;
  }
}

/** The JSON the server sends for a record. */
const wire = (t: unknown) => JSON.parse(JSON.stringify(t)) as Record<string, unknown>;

/** A day of traffic at 20 a minute (28,800 records), as received; computed once. */
const DAY_LATER = minutesAfterStart(24 * 60);
let day: Record<string, unknown>[] | undefined;
const aDayOfTraffic = () => (day ??= readAll(DAY_LATER, { ...options, perMinute: 20 }).map(wire));

describe('simulatedFeedPage', () => {
  it('is a pure function of seed, cursor and limit: the same page every time, however it is paged', () => {
    const now = minutesAfterStart(10);
    const first = simulatedFeedPage(options, null, 50, now);
    const again = simulatedFeedPage(options, null, 50, minutesAfterStart(60));
    const inSmallPages = [
      ...simulatedFeedPage(options, null, 20, now).transactions,
      ...simulatedFeedPage(options, encodeCursor(decodeCursor(first.next_cursor!) - 30), 30, now).transactions,
    ];

    expect(JSON.stringify(again.transactions)).toBe(JSON.stringify(first.transactions));
    expect(JSON.stringify(inSmallPages)).toBe(JSON.stringify(first.transactions));
    expect(JSON.stringify(simulatedFeedPage({ ...options, seed: 8 }, null, 50, now))).not.toBe(JSON.stringify(first));
  });

  it('produces perMinute new transactions a minute and says so with next_cursor null when caught up', () => {
    expect(readAll(START)).toHaveLength(0);
    expect(simulatedFeedPage(options, null, 10, START)).toEqual({ transactions: [], next_cursor: null });

    const afterFive = readAll(minutesAfterStart(5));
    expect(afterFive).toHaveLength(300);
    const ids = afterFive.map((t) => t.transaction_id);
    expect(new Set(ids).size).toBe(300);

    // Ten seconds later, a reader at the head gets exactly the ten new ones.
    const head = simulatedFeedPage(options, null, 1000, minutesAfterStart(5)).next_cursor;
    const tenSecondsLater = new Date(minutesAfterStart(5).getTime() + 10_000);
    const next = simulatedFeedPage(options, head, 1000, tenSecondsLater);
    expect(next.transactions).toHaveLength(10);
    expect(simulatedFeedPage(options, next.next_cursor, 1000, tenSecondsLater)).toEqual({ transactions: [], next_cursor: null });
  });

  it('stamps good records near now, never in the future', () => {
    const now = minutesAfterStart(30);
    const records = readAll(now).map(wire);
    const good = records.map((t) => validateTransaction(t, now, 0)).filter((r) => r.ok);
    const times = good.map((r) => Date.parse(r.value.timestamp));

    expect(Math.max(...times)).toBeLessThanOrEqual(now.getTime());
    expect(Math.max(...times)).toBeGreaterThan(now.getTime() - 2_000);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(START.getTime());
  });

  it('looks like card traffic: known merchants and categories in JPY, GBP, EUR, USD and crypto', () => {
    const records = readAll(minutesAfterStart(60)).map(wire);
    const currencies = new Set(records.map((t) => t.currency));
    for (const code of ['JPY', 'GBP', 'EUR', 'USD', 'BTC', 'ETH']) expect(currencies).toContain(code);
    expect(new Set(records.map((t) => t.merchant)).size).toBeGreaterThanOrEqual(15);
    expect(new Set(records.map((t) => t.merchant_category))).toEqual(
      new Set(['groceries', 'restaurants', 'transport', 'online_retail', 'home', 'apparel', 'travel', 'fuel', 'electronics', 'entertainment', 'crypto_exchange']),
    );
    expect(records.find((t) => t.merchant === 'Lawson')).toMatchObject({ currency: 'JPY', country: 'JP', merchant_category: 'groceries' });
  });

  it('has about 3% deliberately bad records of each promised kind, rejected by validation', () => {
    const records = aDayOfTraffic();
    const rejected = records.map((t) => validateTransaction(t, DAY_LATER, 300)).filter((r) => !r.ok);

    expect(records.length).toBe(28_800);
    expect(rejected.length / records.length).toBeGreaterThan(0.02);
    expect(rejected.length / records.length).toBeLessThan(0.04);
    const reasons = new Set(rejected.map((r) => (r.ok ? '' : r.reason)));
    expect([...reasons].sort()).toEqual(['FUTURE_TIMESTAMP', 'INVALID_AMOUNT', 'INVALID_TIMESTAMP', 'MISSING_FIELD', 'UNSUPPORTED_CURRENCY']);
    const amounts = new Set(records.map((t) => t.amount));
    expect(amounts).toContain('-5');
    expect(amounts).toContain('1e5');
    expect(records.some((t) => t.currency === 'XYZ')).toBe(true);
  });

  it('has mostly small amounts with a long tail above 3,000 USD', () => {
    const usd = aDayOfTraffic()
      .map((t) => validateTransaction(t, DAY_LATER, 300))
      .flatMap((r) => (r.ok ? [new Decimal(r.value.amount).dividedBy(SIMULATED_UNITS_PER_USD[r.value.currency])] : []))
      .sort((a, b) => a.comparedTo(b));

    const median = usd[Math.floor(usd.length / 2)];
    const above3000 = usd.filter((a) => a.gt(3000)).length;
    expect(median.lt(50)).toBe(true);
    expect(above3000 / usd.length).toBeGreaterThan(0.002);
    expect(above3000 / usd.length).toBeLessThan(0.03);
    expect(usd[usd.length - 1].gt(20_000)).toBe(true);
  });

  it('sends some amounts as JSON numbers whose digits survive the wire (12.50, not 12.5)', () => {
    const text = JSON.stringify(simulatedFeedPage(options, null, 1000, minutesAfterStart(60)));
    expect(text).toMatch(/"amount":\d+\.\d0,/);
    expect(text).toMatch(/"amount":"\d+(\.\d+)?",/);
  });

  it('refuses cursors it did not issue and limits outside 1..1000', () => {
    const now = minutesAfterStart(1);
    const refuse = (cursor: string | null, limit: number) => {
      try {
        simulatedFeedPage(options, cursor, limit, now);
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(FeedRequestError);
        return (error as FeedRequestError).code;
      }
    };
    expect(refuse('not-a-cursor', 10)).toBe('INVALID_CURSOR');
    expect(refuse(Buffer.from('v1:-5').toString('base64url'), 10)).toBe('INVALID_CURSOR');
    expect(refuse(`${encodeCursor(5)}=`, 10)).toBe('INVALID_CURSOR');
    expect(refuse(null, 0)).toBe('INVALID_LIMIT');
    expect(refuse(null, 1001)).toBe('INVALID_LIMIT');
    expect(refuse(null, 2.5)).toBe('INVALID_LIMIT');
    expect(refuse(encodeCursor(5), 1000)).toBeUndefined();
  });
});

describe('startTransactionFeedServer', () => {
  it('serves the feed contract on 127.0.0.1 with 400 JSON errors for a bad cursor or limit', async () => {
    let now = START;
    const server = await startTransactionFeedServer({ seed: 7, clock: () => now, perMinute: 60 });
    try {
      now = minutesAfterStart(1);
      expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/transactions$/);

      const response = await fetch(`${server.url}?limit=25`);
      const page = (await response.json()) as { transactions: unknown[]; next_cursor: string };
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('application/json');
      expect(page.transactions).toHaveLength(25);
      expect(page).toEqual(wire(simulatedFeedPage({ ...options, startAt: START }, null, 25, now)));

      const rest = (await (await fetch(`${server.url}?cursor=${page.next_cursor}&limit=100`)).json()) as { transactions: unknown[] };
      expect(rest.transactions).toHaveLength(35);

      for (const query of ['cursor=bogus&limit=10', 'limit=0', 'limit=ten', 'limit=5000']) {
        const bad = await fetch(`${server.url}?${query}`);
        expect(bad.status).toBe(400);
        expect(await bad.json()).toEqual({ error: { code: expect.stringMatching(/^INVALID_(CURSOR|LIMIT)$/), message: expect.any(String) } });
      }
      expect((await fetch(server.url.replace('/transactions', '/other'))).status).toBe(404);
    } finally {
      await server.stop();
    }
  });

  it('asks for the bearer token when it has one', async () => {
    const server = await startTransactionFeedServer({ token: 's3cret' });
    try {
      expect((await fetch(server.url)).status).toBe(401);
      expect((await fetch(server.url, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    } finally {
      await server.stop();
    }
  });
});
