import { createHash } from 'node:crypto';
import { userIdHash } from '../../../lambdas/domain/pii';
import type { EnrichedTransaction } from '../../../lambdas/domain/transaction';
import type { OutgoingMessage } from '../../../lambdas/ports/message-publisher';
import type { RatePolicy } from '../../../lambdas/domain/rate-policy';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import {
  processTransactions,
  type ProcessTransactionsDeps,
  type QuarantineLine,
  type TransactionMessage,
} from '../../../lambdas/use-cases/process-transactions';
import { memoryRateSources, snapshotOf } from '../../support/rates';
import { feedTransaction, HMAC_KEY, RULES, transactionMessage } from '../../support/transactions';

/** USD per unit (base-per-quote), published on New Year's Day and confirmed since; nobody publishes KWD. */
const USD_PER: RateSnapshot[] = [
  snapshotOf('2024-01-01T00:00:00.000Z', [{ quote: 'EUR', rate: '1.0163', orientation: 'base-per-quote' }, { quote: 'JPY', rate: '0.0072', orientation: 'base-per-quote' }], { provider: 'oxr', base: 'USD' }),
  snapshotOf('2024-01-01T00:00:00.000Z', [{ quote: 'BTC', rate: '43000', orientation: 'base-per-quote' }], { provider: 'coingecko', base: 'USD' }),
];
const POLICY: RatePolicy = { fiat: [{ provider: 'oxr', staleAfter: 'P30D' }], crypto: [{ provider: 'coingecko', staleAfter: 'P30D' }] };
const WAIT = { retryAfterSeconds: 15, maxRetryAfterSeconds: 300, maxWaitSeconds: 1800 };

function stubs(options: { snapshots?: RateSnapshot[]; checkedAt?: (latest: RateSnapshot) => string; now?: string } = {}) {
  const objects = new Map<string, string | Uint8Array>();
  const contentTypes = new Map<string, string>();
  const items = new Map<string, EnrichedTransaction>();
  const events: OutgoingMessage[] = [];
  const unwritable = new Set<string>();
  /** transaction_id → the ValidationException message DynamoDB answers for its item. */
  const refusedByStore = new Map<string, string>();
  const clock = () => new Date(options.now ?? '2024-01-10T12:00:06.000Z');
  const deps: ProcessTransactionsDeps = {
    rates: memoryRateSources(POLICY, options.snapshots ?? USD_PER, { clock, checkedAt: options.checkedAt }),
    rateWait: WAIT,
    clock,
    store: {
      async putAll(transactions) {
        const unwritten = transactions
          .filter((t) => unwritable.has(t.transaction_id))
          .map((t) => t.transaction_id);
        const rejected = transactions
          .filter((t) => refusedByStore.has(t.transaction_id))
          .map((t) => ({ transaction_id: t.transaction_id, reason: 'STORE_REJECTED' as const, detail: refusedByStore.get(t.transaction_id)! }));
        for (const t of transactions)
          if (!unwritable.has(t.transaction_id) && !refusedByStore.has(t.transaction_id)) items.set(t.transaction_id, t);
        return { unwritten, rejected };
      },
    },
    lake: {
      async put(key, body, contentType) {
        objects.set(key, body);
        contentTypes.set(key, contentType);
      },
    },
    highValue: {
      async publish(messages) {
        events.push(...messages);
      },
    },
    rules: RULES,
    hmacKey: HMAC_KEY,
    quarantinePrefix: 'quarantine/transactions',
  };
  return { deps, objects, contentTypes, items, events, unwritable, refusedByStore };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const quarantineLines = (objects: Map<string, string | Uint8Array>) =>
  [...objects]
    .filter(([key]) => key.startsWith('quarantine/'))
    .flatMap(([, body]) => String(body).trim().split('\n'))
    .map((line) => JSON.parse(line) as QuarantineLine);

const good = (id: string, overrides: Record<string, unknown> = {}, firstReceivedAt?: string) =>
  transactionMessage(
    `m-${id}`,
    feedTransaction({ transaction_id: id, ...overrides }),
    firstReceivedAt,
  );

describe('processTransactions', () => {
  it('quarantines exactly the bad records with their reasons and stores their siblings', async () => {
    const { deps, objects, contentTypes, items } = stubs();
    const batch: TransactionMessage[] = [
      good('ok-1'),
      transactionMessage('m-json', '{"transaction_id": "bad-json", "user_id": "user-42",'),
      transactionMessage(
        'm-missing',
        feedTransaction({ transaction_id: 'no-merchant', merchant: undefined }),
      ),
      good('ok-2', { currency: 'EUR', amount: '100' }),
      transactionMessage('m-currency', feedTransaction({ transaction_id: 'xyz', currency: 'XYZ' })),
      transactionMessage('m-amount', feedTransaction({ transaction_id: 'neg', amount: '-5' })),
      transactionMessage(
        'm-zone',
        feedTransaction({ transaction_id: 'local', timestamp: '2024-01-10T12:00:00' }),
      ),
      transactionMessage(
        'm-future',
        feedTransaction({ transaction_id: 'later', timestamp: '2024-01-10T12:06:00Z' }),
      ),
      transactionMessage('m-array', '[1, 2]'),
    ];

    const result = await processTransactions(deps, batch);

    expect(result).toMatchObject({
      failedMessageIds: [],
      stored: 2,
      quarantined: 7,
      quarantinedByReason: {
        MALFORMED: 2,
        MISSING_FIELD: 1,
        UNSUPPORTED_CURRENCY: 1,
        INVALID_AMOUNT: 1,
        INVALID_TIMESTAMP: 1,
        FUTURE_TIMESTAMP: 1,
      },
    });
    expect([...items.keys()].sort()).toEqual(['ok-1', 'ok-2']);
    expect(items.get('ok-2')).toMatchObject({ amount_base: '101.63', category: 'medium_value' });
    const quarantineIds = [
      'm-amount',
      'm-array',
      'm-currency',
      'm-future',
      'm-json',
      'm-missing',
      'm-zone',
    ];
    expect([...objects.keys()].filter((k) => k.startsWith('quarantine/'))).toEqual([
      `quarantine/transactions/dt=2024-01-10/${sha256(quarantineIds.join('\n'))}.jsonl`,
    ]);
    // JSON lines, as the object's content type says (NDJSON).
    expect(contentTypes.get(`quarantine/transactions/dt=2024-01-10/${sha256(quarantineIds.join('\n'))}.jsonl`)).toBe('application/x-ndjson');
    expect(quarantineLines(objects).map((l) => [l.messageId, l.reason])).toEqual([
      ['m-amount', 'INVALID_AMOUNT'],
      ['m-array', 'MALFORMED'],
      ['m-currency', 'UNSUPPORTED_CURRENCY'],
      ['m-future', 'FUTURE_TIMESTAMP'],
      ['m-json', 'MALFORMED'],
      ['m-missing', 'MISSING_FIELD'],
      ['m-zone', 'INVALID_TIMESTAMP'],
    ]);
  });

  it('keeps the quarantined record with user_id replaced by its hash, and no raw user id anywhere', async () => {
    const { deps, objects, items, events } = stubs();
    const batch = [
      transactionMessage(
        'm-bad',
        feedTransaction({ user_id: 'alice@example.com', amount: 'lots' }),
      ),
      transactionMessage('m-not-json', 'user_id=alice@example.com'),
      good('big', { user_id: 'alice@example.com', amount: '5000' }),
    ];

    await processTransactions(deps, batch);

    const [bad, notJson] = quarantineLines(objects);
    expect(bad).toEqual({
      messageId: 'm-bad',
      reason: 'INVALID_AMOUNT',
      detail: expect.stringContaining('"lots"'),
      record: {
        ...feedTransaction({ amount: 'lots', user_id: undefined }),
        user_id_hash: userIdHash(HMAC_KEY, 'alice@example.com'),
      },
    });
    expect(notJson).toEqual({
      messageId: 'm-not-json',
      reason: 'MALFORMED',
      detail: 'message body is not JSON',
      record: null,
    });
    const everything =
      [...objects.values()].map((b) => Buffer.from(b).toString('latin1')).join() +
      JSON.stringify([...items.values(), ...events]);
    expect(everything).not.toContain('alice@example.com');
    expect(items.get('big')!.user_id_hash).toBe(userIdHash(HMAC_KEY, 'alice@example.com'));
  });

  it('keeps only the contract fields in quarantine lines, so planted PII of bad and good records is nowhere', async () => {
    const { deps, objects, items, events } = stubs();
    const planted = {
      card_number: '4111111111111111',
      email: 'alice@example.com',
      meta: { user_id: 'user-nested-7' },
      notes: [{ phone: '+1-555-0100' }],
    };
    const batch = [
      transactionMessage('m-amount', feedTransaction({ transaction_id: 'bad-amount', amount: 'lots', ...planted })),
      transactionMessage(
        'm-long',
        feedTransaction({ transaction_id: 'long', merchant: `${'x'.repeat(2000)}${planted.card_number}` }),
      ),
      transactionMessage('m-currency', feedTransaction({ transaction_id: 'obj', currency: { email: planted.email } })),
      transactionMessage('m-time', feedTransaction({ transaction_id: 'time', timestamp: `${planted.email} `.repeat(10) })),
      good('ok', planted),
    ];

    await processTransactions(deps, batch);

    const lines = quarantineLines(objects);
    const hash = userIdHash(HMAC_KEY, 'user-42');
    expect(lines).toEqual([
      {
        messageId: 'm-amount',
        reason: 'INVALID_AMOUNT',
        detail: expect.stringContaining('"lots"'),
        record: { ...feedTransaction({ transaction_id: 'bad-amount', amount: 'lots', user_id: undefined }), user_id_hash: hash },
      },
      {
        messageId: 'm-currency',
        reason: 'UNSUPPORTED_CURRENCY',
        detail: 'currency an object is not a supported ISO 4217 code or crypto asset (not kept in this line: currency)',
        record: { ...feedTransaction({ transaction_id: 'obj', currency: undefined, user_id: undefined }), user_id_hash: hash },
      },
      {
        messageId: 'm-long',
        reason: 'MALFORMED',
        detail: 'merchant is longer than 1024 characters (not kept in this line: merchant)',
        record: { ...feedTransaction({ transaction_id: 'long', merchant: undefined, user_id: undefined }), user_id_hash: hash },
      },
      {
        messageId: 'm-time',
        reason: 'INVALID_TIMESTAMP',
        detail: 'timestamp a 180-character string is not ISO 8601 with a zone, like "2024-01-10T12:00:00Z" (not kept in this line: timestamp)',
        record: { ...feedTransaction({ transaction_id: 'time', timestamp: undefined, user_id: undefined }), user_id_hash: hash },
      },
    ]);
    expect(items.get('ok')).toBeDefined();
    const everything =
      [...objects].filter(([key]) => key.startsWith('quarantine/')).map(([, body]) => String(body)).join() +
      lines.map((l) => l.detail).join() +
      JSON.stringify([...items.values(), ...events]);
    for (const value of [planted.card_number, planted.email, 'user-nested-7', '555-0100', '"user-42"']) {
      expect({ value, found: everything.includes(value) }).toEqual({ value, found: false });
    }
  });

  it('quarantines a record that writes a key twice as MALFORMED, naming a contract key only', async () => {
    const { deps, objects, items } = stubs();
    const record = JSON.stringify(feedTransaction({ transaction_id: 'dup', amount: '1' }));

    const result = await processTransactions(deps, [
      transactionMessage('m-dup', record.replace('}', ',"amount":"1000"}')),
      transactionMessage('m-dup-meta', record.replace('"dup"', '"dup-meta"').replace('}', ',"meta":{"alice@example.com":1,"alice@example.com":2}}')),
      good('ok'),
    ]);

    expect(result).toMatchObject({ stored: 1, quarantinedByReason: { MALFORMED: 2 } });
    expect([...items.keys()]).toEqual(['ok']);
    expect(quarantineLines(objects).map(({ messageId, reason, detail }) => ({ messageId, reason, detail }))).toEqual([
      { messageId: 'm-dup', reason: 'MALFORMED', detail: 'the record has the key "amount" more than once' },
      { messageId: 'm-dup-meta', reason: 'MALFORMED', detail: 'the record writes a key outside the feed contract more than once' },
    ]);
    expect(String([...objects.values()])).not.toContain('alice@example.com');
  });

  it('quarantines at once, as NO_RATE_AT_TIME, a transaction no source has a rate for: before the first publication, or a currency nobody publishes', async () => {
    const { deps, objects, items } = stubs();

    const result = await processTransactions(deps, [
      good('a'),
      good('kwd', { currency: 'KWD' }),
      good('old', { currency: 'EUR', timestamp: '2023-12-31T23:59:59Z' }),
      good('b'),
    ]);

    expect(result).toMatchObject({ failedMessageIds: [], deferred: [], stored: 2, quarantined: 2, quarantinedByReason: { NO_RATE_AT_TIME: 2 } });
    expect(quarantineLines(objects).map((l) => [l.messageId, l.reason, l.detail])).toEqual([
      ['m-kwd', 'NO_RATE_AT_TIME', 'No source of the rate policy publishes KWD at 2024-01-10T12:00:00.000Z'],
      ['m-old', 'NO_RATE_AT_TIME', 'No rate for EUR was in force at 2023-12-31T23:59:59.000Z: the first publication of oxr with EUR is later'],
    ]);
    expect([...items.keys()].sort()).toEqual(['a', 'b']);
  });

  it('stores an exact half-cent tie rounded half-even, as the API converts it: 0.1902075 BRL at 5.4345 BRL per USD is 0.035 -> 0.04 USD', async () => {
    const brl = snapshotOf('2024-01-01T00:00:00.000Z', [{ quote: 'BRL', rate: '5.4345' }], { provider: 'oxr', base: 'USD' });
    const { deps, items } = stubs({ snapshots: [brl] });

    const result = await processTransactions(deps, [good('up', { currency: 'BRL', amount: '0.1902075' }), good('down', { currency: 'BRL', amount: '0.1358625' })]);

    expect(result).toMatchObject({ failedMessageIds: [], stored: 2, quarantined: 0 });
    expect(items.get('up')).toMatchObject({ amount: '0.1902075', amount_base: '0.04' });
    // 0.1358625 / 5.4345 = 0.025 exactly: half-even down to 0.02.
    expect(items.get('down')).toMatchObject({ amount: '0.1358625', amount_base: '0.02' });
  });

  it('defers a transaction whose rate may still be published (not settled), to look again soon, then stores it', async () => {
    // The series was last confirmed at 11:59: a publication in force at 12:00 may still arrive.
    const waiting = stubs({ checkedAt: () => '2024-01-10T11:59:00.000Z' });

    const deferred = await processTransactions(waiting.deps, [good('eur', { currency: 'EUR' }), good('usd')]);

    expect(deferred).toMatchObject({ failedMessageIds: ['m-eur'], deferred: [{ messageId: 'm-eur', retryAfterSeconds: 15 }], stored: 1, quarantined: 0 });
    expect(deferred.failures[0].reason).toMatch(/^RATE_NOT_SETTLED/);

    // Confirmed at 12:01 on a later look: the answer is final and stored.
    const settled = stubs({ checkedAt: () => '2024-01-10T12:01:00.000Z', now: '2024-01-10T12:01:05.000Z' });
    const stored = await processTransactions(settled.deps, [good('eur', { currency: 'EUR' })]);
    expect(stored).toMatchObject({ failedMessageIds: [], stored: 1 });
    expect(settled.items.get('eur')).toMatchObject({ amount_base: '12.70', rate: '1.0163', rate_provider: 'oxr', rate_as_of: '2024-01-01T00:00:00.000Z' });
  });

  it('looks again after as long as it has waited (at most 5 minutes), and after 30 minutes uses the rate its source still vouches for', async () => {
    const unsettled = { checkedAt: () => '2024-01-10T11:59:00.000Z' };
    const after = (seconds: number) => new Date(Date.parse('2024-01-10T12:00:05.000Z') + seconds * 1000).toISOString();

    const at100s = await processTransactions(stubs({ ...unsettled, now: after(100) }).deps, [good('eur', { currency: 'EUR' })]);
    const at20min = await processTransactions(stubs({ ...unsettled, now: after(1200) }).deps, [good('eur', { currency: 'EUR' })]);
    const at30min = stubs({ ...unsettled, now: after(1800) });
    const used = await processTransactions(at30min.deps, [good('eur', { currency: 'EUR' })]);

    expect(at100s.deferred).toEqual([{ messageId: 'm-eur', retryAfterSeconds: 100 }]);
    expect(at20min.deferred).toEqual([{ messageId: 'm-eur', retryAfterSeconds: 300 }]);
    expect(used).toMatchObject({ failedMessageIds: [], stored: 1 });
    expect(at30min.items.get('eur')!.amount_base).toBe('12.70');
  });

  it('retries a transaction whose every source is stale, as RATE_STALE, without quarantining it', async () => {
    const { deps, objects } = stubs({ snapshots: USD_PER.map((s) => s), now: '2024-02-15T12:00:06.000Z' });

    const result = await processTransactions(deps, [
      transactionMessage('m-late', feedTransaction({ transaction_id: 'late', currency: 'EUR', timestamp: '2024-02-15T12:00:00Z' }), '2024-02-15T12:00:05.000Z'),
    ]);

    expect(result).toMatchObject({ failedMessageIds: ['m-late'], deferred: [], quarantined: 0 });
    expect(result.failures[0].reason).toMatch(/^RATE_STALE: No source of EUR is fresh at 2024-02-15T12:00:00.000Z: oxr \(in force from 2024-01-01T00:00:00.000Z, stale from 2024-01-31T00:00:00.000Z\)/);
    expect([...objects.keys()].some((k) => k.startsWith('quarantine/'))).toBe(false);
  });

  it('accepts the user_id_hash of a record replayed from the quarantine, and only on that path', async () => {
    const hash = userIdHash(HMAC_KEY, 'user-42');
    const quarantined = { ...feedTransaction({ transaction_id: 'replayed', user_id: undefined }), user_id_hash: hash };
    const { deps, items, objects } = stubs();

    const result = await processTransactions(deps, [
      { ...transactionMessage('m-replayed', quarantined), replayed: true },
      transactionMessage('m-forged', { ...quarantined, transaction_id: 'forged' }),
      { ...transactionMessage('m-bad-hash', { ...quarantined, transaction_id: 'bad', user_id_hash: 'not-a-hash' }), replayed: true },
    ]);

    expect(result).toMatchObject({ stored: 1, quarantined: 2 });
    expect(items.get('replayed')!.user_id_hash).toBe(hash);
    expect(quarantineLines(objects).map((l) => [l.messageId, l.reason])).toEqual([
      ['m-bad-hash', 'MISSING_FIELD'],
      ['m-forged', 'MISSING_FIELD'],
    ]);
  });

  it('fails the message DynamoDB would not take and leaves it out of the table and the events', async () => {
    const { deps, objects, items, events, unwritable } = stubs();
    unwritable.add('big-2');

    const result = await processTransactions(deps, [
      good('big-1', { amount: '4000' }),
      good('big-2', { amount: '4000' }),
    ]);

    expect(result).toMatchObject({ failedMessageIds: ['m-big-2'], stored: 1, highValue: 1 });
    expect(events.map((e) => e.id)).toEqual(['big-1']);
    expect([...items.keys()]).toEqual(['big-1']);
    // The curated lake is export-transactions' (from the table's stream); nothing was quarantined.
    expect(objects.size).toBe(0);
  });

  it('sends one high-value event per transaction above the alert threshold, keyed by its transaction_id', async () => {
    const { deps, events } = stubs();

    const result = await processTransactions(deps, [
      good('exactly-3000', { amount: '3000' }),
      good('eur-3000', { amount: '3000', currency: 'EUR' }),
      good('btc', { amount: '0.1', currency: 'BTC' }),
    ]);

    expect(result.highValue).toBe(2);
    expect(events.map((e) => e.id)).toEqual(['btc', 'eur-3000']);
    expect(JSON.parse(events[1].body)).toMatchObject({
      eventId: 'eur-3000',
      transaction_id: 'eur-3000',
      amount: '3000',
      currency: 'EUR',
      amount_base: '3048.90',
      base_currency: 'USD',
      category: 'high_value',
      high_value_alert: true,
      user_id_hash: userIdHash(HMAC_KEY, 'user-42'),
    });
    expect(events[1].body).not.toContain('"user_id"');
  });

  it('stores a transaction sent twice in one batch once, and lets both messages succeed', async () => {
    const { deps, items } = stubs();

    const result = await processTransactions(deps, [
      good('same'),
      transactionMessage('m-copy', feedTransaction({ transaction_id: 'same' })),
    ]);

    expect(result).toMatchObject({ failedMessageIds: [], stored: 1 });
    expect(items.size).toBe(1);
  });

  it('stamps processed_at_utc and judges future timestamps by the first receive time, so a late redelivery changes nothing', async () => {
    const first = stubs();
    const later = stubs();
    const batch = (receiveCount: number) => [
      transactionMessage(
        'm-1',
        feedTransaction({ transaction_id: 't-1' }),
        '2024-01-10T12:00:05.000Z',
        receiveCount,
      ),
      transactionMessage(
        'm-2',
        feedTransaction({ transaction_id: 't-2', timestamp: '2024-01-10T13:00:00Z' }),
        '2024-01-10T12:00:05.000Z',
        receiveCount,
      ),
    ];

    await processTransactions(first.deps, batch(1));
    await processTransactions(later.deps, batch(4));

    expect(first.items.get('t-1')!.processed_at_utc).toBe('2024-01-10T12:00:05.000Z');
    expect(quarantineLines(first.objects).map((l) => l.reason)).toEqual(['FUTURE_TIMESTAMP']);
    expect(later.items).toEqual(first.items);
    expect(later.objects).toEqual(first.objects);
  });

  it('leaves identical items, objects and events when the same batch comes again in another order', async () => {
    const { deps, objects, items, events } = stubs();
    const batch = [
      good('a', { amount: '5000' }),
      good('b', { currency: 'JPY', amount: '138050' }),
      transactionMessage('m-x', '{'),
    ];

    await processTransactions(deps, batch);
    const snapshot = { objects: new Map(objects), items: new Map(items), events: [...events] };
    await processTransactions(deps, [...batch].reverse());

    expect(objects).toEqual(snapshot.objects);
    expect(items).toEqual(snapshot.items);
    expect(events).toEqual([...snapshot.events, ...snapshot.events]);
  });

  it('quarantines a transaction DynamoDB refuses with its detail, and keeps it out of the table and the events', async () => {
    const { deps, objects, events, items, refusedByStore } = stubs();
    refusedByStore.set('big-2', 'One or more parameter values were invalid');

    const result = await processTransactions(deps, [good('big-1', { amount: '4000' }), good('big-2', { amount: '4000' })]);

    expect(result).toMatchObject({ failedMessageIds: [], stored: 1, quarantined: 1, quarantinedByReason: { STORE_REJECTED: 1 }, highValue: 1 });
    expect([...items.keys()]).toEqual(['big-1']);
    expect(events.map((e) => e.id)).toEqual(['big-1']);
    expect(quarantineLines(objects).map((l) => [l.messageId, l.reason, l.detail, l.record?.transaction_id])).toEqual([
      ['m-big-2', 'STORE_REJECTED', 'One or more parameter values were invalid', 'big-2'],
    ]);
    expect(result.objectKeys).toEqual([`quarantine/transactions/dt=2024-01-10/${sha256('m-big-2')}.jsonl`]);
  });

  it('names why each failed message is retried, and lists the failed ids in order', async () => {
    // EUR was last confirmed at 11:59, so its rate at 12:00 may still be published; USD needs no rate.
    const { deps, unwritable } = stubs({ checkedAt: () => '2024-01-10T11:59:00.000Z' });
    unwritable.add('a');

    const result = await processTransactions(deps, [
      good('a', {}, '2024-01-10T12:00:01.000Z'),
      transactionMessage('m-z', feedTransaction({ transaction_id: 'b', currency: 'EUR' }), '2024-01-10T12:00:00.500Z'),
    ]);

    expect(result.failures).toEqual([
      { messageId: 'm-z', reason: 'RATE_NOT_SETTLED: the rate at 2024-01-10T12:00:00.000Z may still be published' },
      { messageId: 'm-a', reason: 'DynamoDB left the item unprocessed' },
    ]);
    expect(result.failedMessageIds).toEqual(['m-a', 'm-z']);
  });

  it('stores the first received of two different records with one transaction_id, whatever the batch order', async () => {
    const earlier = transactionMessage('m-z', feedTransaction({ transaction_id: 'dup', amount: '1.00' }), '2024-01-10T12:00:01.000Z');
    const later = transactionMessage('m-a', feedTransaction({ transaction_id: 'dup', amount: '2.00' }), '2024-01-10T12:00:02.000Z');
    for (const batch of [[earlier, later], [later, earlier]]) {
      const { deps, items } = stubs();
      expect(await processTransactions(deps, batch)).toMatchObject({ failedMessageIds: [], stored: 1 });
      expect(items.get('dup')!.amount).toBe('1.00');
    }
  });

  it('breaks a tie in first receive time by message id', async () => {
    const first = transactionMessage('m-1', feedTransaction({ transaction_id: 'dup', amount: '1.00' }));
    const second = transactionMessage('m-2', feedTransaction({ transaction_id: 'dup', amount: '2.00' }));
    for (const batch of [[first, second], [second, first]]) {
      const { deps, items } = stubs();
      await processTransactions(deps, batch);
      expect(items.get('dup')!.amount).toBe('1.00');
    }
  });

  it('sends the high-value events in transaction_id order, not in message order', async () => {
    const { deps, events } = stubs();

    await processTransactions(deps, [
      transactionMessage('m-1', feedTransaction({ transaction_id: 'z', amount: '5000' })),
      transactionMessage('m-2', feedTransaction({ transaction_id: 'y', amount: '5000' })),
    ]);

    expect(events.map((e) => e.id)).toEqual(['y', 'z']);
  });

  it('quarantines, as INVALID_AMOUNT, a transaction whose amount in base would not fit DECIMAL(38,18)', async () => {
    const { deps, objects, items } = stubs();
    const amount = '99999999999999999999'; // 20 integer digits: the most the column holds
    const result = await processTransactions(deps, [good('huge', { currency: 'BTC', amount }), good('fine')]);
    expect(result).toMatchObject({ stored: 1, quarantined: 1, quarantinedByReason: { INVALID_AMOUNT: 1 } });
    expect([...items.keys()]).toEqual(['fine']);
    // 43000 USD per BTC, by BigInt: 25 integer digits.
    const inBase = (BigInt(amount) * 43000n).toString();
    expect(quarantineLines(objects).map((l) => [l.messageId, l.detail])).toEqual([['m-huge', `amount_base ${inBase} USD has more than 20 integer digits`]]);
  });

  it('dates the quarantine object by the earliest first arrival of its messages', async () => {
    const { deps, objects } = stubs();
    await processTransactions(deps, [transactionMessage('m-later', '{', '2024-01-10T01:00:00.000Z'), transactionMessage('m-earlier', '[', '2024-01-09T23:00:00.000Z')]);
    expect([...objects.keys()]).toEqual([`quarantine/transactions/dt=2024-01-09/${sha256('m-earlier\nm-later')}.jsonl`]);
  });

  it('dates the quarantine object by the first arrival of a quarantined message, not of a stored one', async () => {
    const { deps, objects } = stubs();

    await processTransactions(deps, [
      good('early', { timestamp: '2024-01-09T10:00:00Z' }, '2024-01-09T23:00:00.000Z'),
      transactionMessage('m-bad', '{', '2024-01-10T01:00:00.000Z'),
    ]);

    expect([...objects.keys()].filter((k) => k.startsWith('quarantine/'))).toEqual([
      `quarantine/transactions/dt=2024-01-10/${sha256('m-bad')}.jsonl`,
    ]);
  });

  it('hashes the user_id of a replayed record that still has one, ignoring the hash beside it', async () => {
    const { deps, items } = stubs();
    const otherHash = userIdHash(HMAC_KEY, 'someone-else');

    await processTransactions(deps, [
      { ...transactionMessage('m-r', { ...feedTransaction({ transaction_id: 'r' }), user_id_hash: otherHash }), replayed: true },
    ]);

    expect(items.get('r')!.user_id_hash).toBe(userIdHash(HMAC_KEY, 'user-42'));
  });

  it('refuses a replayed user_id_hash with anything before or after its 64 hex digits', async () => {
    const { deps, objects } = stubs();
    const hash = userIdHash(HMAC_KEY, 'user-42');
    const replay = (id: string, userIdHashText: string) => ({
      ...transactionMessage(`m-${id}`, { ...feedTransaction({ transaction_id: id, user_id: undefined }), user_id_hash: userIdHashText }),
      replayed: true,
    });

    const result = await processTransactions(deps, [replay('prefixed', `zz${hash}`), replay('suffixed', `${hash}zz`)]);

    expect(result).toMatchObject({ stored: 0, quarantined: 2 });
    expect(quarantineLines(objects).map((l) => [l.messageId, l.reason])).toEqual([
      ['m-prefixed', 'MISSING_FIELD'],
      ['m-suffixed', 'MISSING_FIELD'],
    ]);
  });

  it('throws, so the whole batch is retried, when a store cannot be reached', async () => {
    const { deps } = stubs();
    const down = { ...deps, lake: { put: () => Promise.reject(new Error('S3 unavailable')) } };

    const missingCurrency = transactionMessage('m-bad', { ...feedTransaction({ transaction_id: 'bad' }), currency: undefined });

    await expect(processTransactions(down, [good('a'), missingCurrency])).rejects.toThrow('S3 unavailable');
  });
});
