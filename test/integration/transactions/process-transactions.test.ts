import { GetCommand, NumberValue, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoRateSeries } from '../../../lambdas/adapters/aws/dynamodb-rate-series';
import { dynamoTransactionStore } from '../../../lambdas/adapters/aws/dynamodb-transaction-store';
import { s3ObjectStore } from '../../../lambdas/adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../../../lambdas/adapters/aws/sqs-message-publisher';
import { TRANSACTION_WRITE_FILTER, transactionChange } from '../../../lambdas/adapters/aws/dynamodb-transaction-stream';
import { curatedTransactionsParquet } from '../../../lambdas/adapters/parquet/curated-transactions';
import { exportTransactions, type TransactionChange } from '../../../lambdas/use-cases/export-transactions';
import { matchesFilter } from '../../../lib/local-platform/event-filter';
import { streamReader } from '../../support/streams';
import type { DynamoDBRecord } from 'aws-lambda';
import { userIdHash } from '../../../lambdas/domain/pii';
import { LAKE_PREFIXES } from '../../../lambdas/shared/lake-prefixes';
import { rateSourcesOf } from '../../support/rates';
import {
  processTransactions,
  type ProcessTransactionsDeps,
  type QuarantineLine,
  type TransactionMessage,
} from '../../../lambdas/use-cases/process-transactions';
import { TABLES } from '../../../lib/definitions/resources';
import {
  createBucket,
  createQueue,
  createTableFrom,
  drainQueue,
  uniqueName,
  useEmulators,
} from '../../support/emulator-resources';
import { getBytes, listKeys, queryParquet } from '../../support/lake';
import { convertReference, rational, type Rational } from '../../support/rational';
import { snapshotOf } from '../../support/rates';
import {
  feedTransaction,
  HMAC_KEY,
  RULES,
  transactionMessage,
} from '../../support/transactions';

jest.setTimeout(120_000);

const env = useEmulators('transactions');

/**
 * ECB EUR rates; each day's apply from 16:00 Berlin (15:00 UTC in January) on. The 9th published
 * the same numbers as the 10th.
 */
const JAN09 = { day: '2024-01-09', inForceFrom: '2024-01-09T15:00:00.000Z', USD: '1.0950', JPY: '158.47', GBP: '0.86075' };
const JAN10 = { day: '2024-01-10', inForceFrom: '2024-01-10T15:00:00.000Z', USD: '1.0950', JPY: '158.47', GBP: '0.86075' };
const JAN11 = { day: '2024-01-11', inForceFrom: '2024-01-11T15:00:00.000Z', USD: '1.0987', JPY: '159.12', GBP: '0.86010' };
const RECEIVED = '2024-01-11T18:00:00.000Z';
const POLICY = { fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }], crypto: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }] } as const;

interface Pipeline {
  readonly table: string;
  readonly bucket: string;
  readonly highValueUrl: string;
  process(batch: readonly TransactionMessage[]): ReturnType<typeof processTransactions>;
  item(transactionId: string): Promise<Record<string, unknown> | undefined>;
  items(): Promise<Record<string, unknown>[]>;
  objects(prefix: string): Promise<Map<string, Buffer>>;
}

async function pipeline(): Promise<Pipeline> {
  const [ratesTable, table, bucket] = [
    uniqueName('rates'),
    uniqueName('transactions'),
    uniqueName('lake'),
  ];
  await createTableFrom(env.clients, TABLES.rates, ratesTable);
  await createTableFrom(env.clients, TABLES.transactions, table);
  await createBucket(env.clients, bucket);
  const { url: highValueUrl } = await createQueue(env.clients, uniqueName('high-value'));
  const series = dynamoRateSeries(env.clients.dynamodb, ratesTable);
  for (const { day, USD, JPY, GBP } of [JAN09, JAN10, JAN11]) {
    const snapshot = snapshotOf(day, { USD, JPY, GBP });
    await series.putHistory([snapshot]);
    await series.advanceLatest(snapshot);
  }
  const clock = () => new Date(Date.parse(RECEIVED) + 1000);
  const deps: ProcessTransactionsDeps = {
    rates: rateSourcesOf(POLICY, series, clock),
    rateWait: { retryAfterSeconds: 15, maxRetryAfterSeconds: 300, maxWaitSeconds: 1800 },
    clock,
    store: dynamoTransactionStore(env.clients.dynamodb, table),
    lake: s3ObjectStore(env.clients.s3, bucket),
    highValue: sqsMessagePublisher(env.clients.sqs, highValueUrl),
    rules: RULES,
    hmacKey: HMAC_KEY,
    quarantinePrefix: LAKE_PREFIXES.quarantineTransactions,
  };
  const stream = streamReader(env, table);
  const exportDeps = { lake: s3ObjectStore(env.clients.s3, bucket), curatedPrefix: LAKE_PREFIXES.curatedTransactions, toCurated: curatedTransactionsParquet };
  return {
    table,
    bucket,
    highValueUrl,
    // Then export-transactions' use case on what the table's stream got meanwhile, as its trigger runs it.
    async process(batch) {
      const result = await processTransactions(deps, batch);
      const records = (await stream.next()).filter((r) => matchesFilter(TRANSACTION_WRITE_FILTER, r));
      const changes = records.map((r) => transactionChange(r as DynamoDBRecord)).filter((c): c is TransactionChange => c !== undefined);
      expect((await exportTransactions(exportDeps, changes)).failedSequenceNumbers).toEqual([]);
      return result;
    },
    item: async (id) =>
      (
        await env.clients.dynamodb.send(
          new GetCommand({ TableName: table, Key: { transaction_id: id } }),
        )
      ).Item,
    items: () => scanTransactions(table),
    objects: async (prefix) => {
      const keys = await listKeys(env.clients.s3, bucket, prefix);
      return new Map(
        await Promise.all(
          keys.map(
            async (k) => [k, Buffer.from(await getBytes(env.clients.s3, bucket, k))] as const,
          ),
        ),
      );
    },
  };
}

/** Every item, numbers as `{ N: digits }` so items compare with toEqual, by transaction_id. */
async function scanTransactions(table: string): Promise<Record<string, unknown>[]> {
  const { Items = [] } = await env.clients.dynamodb.send(new ScanCommand({ TableName: table }));
  return Items.map((item) =>
    Object.fromEntries(
      Object.entries(item).map(([k, v]) => [k, v instanceof NumberValue ? { N: v.value } : v]),
    ),
  ).sort((a, b) => String(a.transaction_id).localeCompare(String(b.transaction_id)));
}

/**
 * The reference conversion to USD: the ECB day in force at `timestamp` (the latest whose 16:00
 * Berlin has passed), USD per EUR over `currency` per EUR, rounded half-even to cents.
 */
function usdOf(currency: string, amount: string, timestamp: string): string {
  const day = [JAN11, JAN10, JAN09].find((d) => d.inForceFrom <= new Date(timestamp).toISOString())!;
  const perEur: Record<string, string> = { EUR: '1', USD: day.USD, JPY: day.JPY, GBP: day.GBP };
  return convertReference(amount, perEur.USD, perEur[currency], 'USD');
}

const message = (id: string, overrides: Record<string, unknown> = {}) =>
  transactionMessage(`m-${id}`, feedTransaction({ transaction_id: id, ...overrides }), RECEIVED);

const decimalOf = (value: unknown): Rational => {
  expect(value).toBeInstanceOf(NumberValue);
  return rational((value as NumberValue).value);
};

describe('processTransactions against DynamoDB Local and fauxqs', () => {
  it('stores the good records of a batch with exact amount_base at the rate in force, and quarantines exactly the bad ones', async () => {
    const p = await pipeline();
    const batch = [
      message('eur-jan10', {
        currency: 'EUR',
        amount: '1000',
        timestamp: '2024-01-10T23:59:59.999Z',
      }),
      message('eur-jan11-before', {
        currency: 'EUR',
        amount: '1000',
        timestamp: '2024-01-11T15:59:59.999+01:00',
      }),
      message('eur-jan11', {
        currency: 'EUR',
        amount: '1000',
        timestamp: '2024-01-11T16:00:00.000+01:00',
      }),
      message('jpy', { currency: 'JPY', amount: '15847', timestamp: '2024-01-10T12:00:00+09:00' }),
      message('gbp', { currency: 'GBP', amount: '860.75', timestamp: '2024-01-10T09:30:00Z' }),
      message('usd', { currency: 'USD', amount: 99.99 }),
      message('bad-amount', { amount: '12.5.0' }),
      message('bad-currency', { currency: 'EURO' }),
      message('bad-time', { timestamp: '10/01/2024 12:00' }),
      message('future', { timestamp: '2024-01-11T18:05:00.001Z' }),
      message('no-user', { user_id: undefined }),
      transactionMessage('m-not-json', 'transaction_id=x&user_id=user-42', RECEIVED),
      message('no-rate', { currency: 'KWD', amount: '10' }),
    ];

    const result = await p.process(batch);

    expect(result).toMatchObject({ failedMessageIds: [], stored: 6, quarantined: 7 });
    const quarantine = await p.objects('quarantine/');
    expect([...quarantine.keys()]).toEqual([
      expect.stringMatching(/^quarantine\/transactions\/dt=2024-01-11\/[0-9a-f]{64}\.jsonl$/),
    ]);
    const lines = [...quarantine.values()][0]
      .toString('utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as QuarantineLine);
    expect(lines.map((l) => [l.messageId, l.reason])).toEqual([
      ['m-bad-amount', 'INVALID_AMOUNT'],
      ['m-bad-currency', 'UNSUPPORTED_CURRENCY'],
      ['m-bad-time', 'INVALID_TIMESTAMP'],
      ['m-future', 'FUTURE_TIMESTAMP'],
      ['m-no-rate', 'NO_RATE_AT_TIME'],
      ['m-no-user', 'MISSING_FIELD'],
      ['m-not-json', 'MALFORMED'],
    ]);
    expect(lines[0].record).toEqual({
      ...feedTransaction({ transaction_id: 'bad-amount', amount: '12.5.0', user_id: undefined }),
      user_id_hash: userIdHash(HMAC_KEY, 'user-42'),
    });

    // 1000 EUR x 1.0950 | x 1.0950 until 16:00 Berlin on the 11th | x 1.0987 from then |
    // 15847 JPY = 100 EUR x 1.0950 | 860.75 GBP = 1000 EUR x 1.0950
    const expected = {
      'eur-jan10': {
        amount_base_text: '1095.00',
        rate: '1.095',
        rate_as_of: JAN10.inForceFrom,
        rate_via: 'EUR/USD',
        category: 'high_value',
      },
      'eur-jan11-before': {
        amount_base_text: '1095.00',
        rate: '1.095',
        rate_as_of: JAN10.inForceFrom,
        rate_via: 'EUR/USD',
        category: 'high_value',
      },
      'eur-jan11': {
        amount_base_text: '1098.70',
        rate: '1.0987',
        rate_as_of: JAN11.inForceFrom,
        rate_via: 'EUR/USD',
        category: 'high_value',
      },
      jpy: {
        amount_base_text: '109.50',
        rate_as_of: JAN09.inForceFrom,
        rate_via: 'EUR/JPY,EUR/USD',
        category: 'medium_value',
      },
      gbp: {
        amount_base_text: '1095.00',
        rate_as_of: JAN09.inForceFrom,
        rate_via: 'EUR/GBP,EUR/USD',
        category: 'high_value',
      },
      usd: { amount_base_text: '99.99', rate: '1', rate_via: 'identity', category: 'standard' },
    };
    for (const [id, fields] of Object.entries(expected)) {
      const item = await p.item(id);
      expect({ id, ...item }).toMatchObject({
        id,
        ...fields,
        base_currency: 'USD',
        processed_at_utc: RECEIVED,
      });
      expect(decimalOf(item!.amount_base).equals(fields.amount_base_text)).toBe(true);
    }
    const jpy = await p.item('jpy');
    // The rate is kept at 60 significant digits; the reference divides the published numbers exactly.
    expect(jpy!.rate).toBe(rational(JAN10.USD).dividedBy(JAN10.JPY).toSignificantHalfEven(60));
    expect(rational(jpy!.amount_base_exact as string).toFixedHalfEven(2)).toBe('109.50');
    expect(jpy!.timestamp).toBe('2024-01-10T03:00:00.000Z');
    expect(await p.item('no-rate')).toBeUndefined();
    expect(JSON.stringify(await p.items())).not.toContain('"user_id"');
  });

  it('quarantines a transaction whose id DynamoDB cannot key (1,000 × €, 3,000 bytes) and stores its two batch-mates', async () => {
    const p = await pipeline();
    const euros = '€'.repeat(1000);
    const batch = [message('before'), message(euros), message('after')];

    const result = await p.process(batch);

    expect(result).toMatchObject({ failedMessageIds: [], stored: 2, quarantined: 1 });
    expect((await p.items()).map((i) => i.transaction_id)).toEqual(['after', 'before']);
    const lines = [...(await p.objects('quarantine/')).values()].flatMap((bytes) =>
      bytes.toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as QuarantineLine),
    );
    expect(lines).toEqual([
      {
        messageId: `m-${euros}`,
        reason: 'KEY_TOO_LONG',
        detail: 'transaction_id is 3000 bytes in UTF-8; DynamoDB keys hold at most 2048',
        record: {
          ...feedTransaction({ transaction_id: euros, user_id: undefined }),
          user_id_hash: userIdHash(HMAC_KEY, 'user-42'),
        },
      },
    ]);
  });

  describe('the same batch processed twice', () => {
    it('leaves identical items and identical objects, same keys and same bytes', async () => {
      const p = await pipeline();
      const batch = [
        message('a', { currency: 'EUR', amount: '4000.10' }),
        message('b', { currency: 'JPY', amount: '1234567', timestamp: '2024-01-11T08:00:00Z' }),
        message('c', { currency: 'GBP', amount: '12.34', timestamp: '2024-01-09T12:00:00-12:00' }),
        message('bad', { amount: '-1' }),
      ];

      await p.process(batch);
      const items = await p.items();
      const objects = await p.objects('');
      const events = await drainQueue(env.clients, p.highValueUrl);
      await p.process([...batch].reverse());

      expect(items).toHaveLength(3);
      expect(await p.items()).toEqual(items);
      expect([...objects.keys()]).toHaveLength(3); // quarantine, day=10, day=11
      const again = await p.objects('');
      expect([...again.keys()]).toEqual([...objects.keys()]);
      for (const [key, bytes] of objects)
        expect({ key, same: again.get(key)!.equals(bytes) }).toEqual({ key, same: true });
      const eventsAgain = await drainQueue(env.clients, p.highValueUrl);
      expect(eventsAgain.map((e) => JSON.parse(e.Body!))).toEqual(
        events.map((e) => JSON.parse(e.Body!)),
      );
      expect(events.map((e) => JSON.parse(e.Body!).eventId).sort()).toEqual(['a', 'b']);
    });
  });

  it("returns a customer's history from the byUser index in time order", async () => {
    const p = await pipeline();
    await p.process([
      message('t3', { user_id: 'alice', timestamp: '2024-01-11T09:00:00Z' }),
      message('t1', { user_id: 'alice', timestamp: '2024-01-10T09:00:00Z' }),
      message('other', { user_id: 'bob', timestamp: '2024-01-10T10:00:00Z' }),
    ]);
    await p.process([message('t2', { user_id: 'alice', timestamp: '2024-01-11T08:00:00+02:00' })]);

    const { Items = [] } = await env.clients.dynamodb.send(
      new QueryCommand({
        TableName: p.table,
        IndexName: 'byUser',
        KeyConditionExpression: 'user_id_hash = :h',
        ExpressionAttributeValues: { ':h': userIdHash(HMAC_KEY, 'alice') },
      }),
    );

    expect(Items.map((i) => [i.transaction_id, i.timestamp])).toEqual([
      ['t1', '2024-01-10T09:00:00.000Z'],
      ['t2', '2024-01-11T06:00:00.000Z'],
      ['t3', '2024-01-11T09:00:00.000Z'],
    ]);
  });

  it('lets DuckDB sum the curated DECIMAL amounts per category exactly', async () => {
    const p = await pipeline();
    const currencies = ['USD', 'EUR', 'JPY', 'GBP'];
    const amounts = [
      '99.99',
      '100',
      '999.99',
      '1000',
      '3000',
      '3000.01',
      '0.01',
      '12345.678',
      '987654.321',
      '7.77',
    ];
    const batch = Array.from({ length: 60 }, (_, i) =>
      message(`tx-${String(i).padStart(2, '0')}`, {
        currency: currencies[i % 4],
        amount: amounts[i % amounts.length],
        timestamp: `2024-01-${i % 3 === 0 ? '10' : '11'}T${String(i % 18).padStart(2, '0')}:15:00Z`,
      }),
    );

    const result = await p.process(batch);

    expect(result).toMatchObject({ stored: 60, failedMessageIds: [] });
    // Expected from the input records and the published rates alone (BigInt fractions), never
    // from a column the code under test wrote.
    const expected = new Map<string, Rational>();
    for (const { currency, amount, timestamp } of batch.map((m) => JSON.parse(m.body) as Record<string, string>)) {
      const usd = usdOf(currency, amount, timestamp);
      const category = rational(usd).compare('1000') >= 0 ? 'high_value' : rational(usd).compare('100') >= 0 ? 'medium_value' : 'standard';
      expected.set(category, (expected.get(category) ?? rational('0')).plus(usd));
    }
    const rows = await queryParquet(
      [...(await p.objects('curated/')).values()],
      (files) =>
        `SELECT category, SUM(amount_base)::VARCHAR AS total, COUNT(*)::INTEGER AS n FROM ${files} GROUP BY category ORDER BY category`,
    );

    expect(rows.map((r) => r.category)).toEqual(['high_value', 'medium_value', 'standard']);
    expect(rows.map((row) => ({ category: row.category, total: rational(row.total as string).toFixedHalfEven(2) }))).toEqual(
      [...expected].sort(([a], [b]) => a.localeCompare(b)).map(([category, total]) => ({ category, total: total.toFixedHalfEven(2) })),
    );
    expect(rows.reduce((n, r) => n + (r.n as number), 0)).toBe(60);
  });
});
