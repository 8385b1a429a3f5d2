import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { convertReference, rational, type Rational } from '../support/rational';
import { eventually, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';
import { getBytes, listKeys, queryParquet, rawPublications, type Publication } from '../support/lake';

jest.setTimeout(240_000);

/** Transactions to wait for: a few minutes of the simulator's 30 a minute, over several simulated rate ticks. */
const AT_LEAST = 5;

type FeedRecord = Record<string, string>;
/** Every record the built-in feed served from its beginning (a second reader of the same seeded feed), by id. */
async function feedRecords(feedUrl: string): Promise<Map<string, FeedRecord>> {
  const records = new Map<string, FeedRecord>();
  let cursor = '';
  for (;;) {
    const response = await fetch(`${feedUrl}?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    const page = (await response.json()) as { transactions: FeedRecord[]; next_cursor: string | null };
    for (const record of page.transactions) records.set(record.transaction_id, record);
    if (!page.next_cursor || page.transactions.length === 0) return records;
    cursor = page.next_cursor;
  }
}

/**
 * The record in USD: identity for USD; otherwise (USD per EUR) / (currency per EUR) of the newest
 * publication in force at its timestamp, rounded half-even to cents.
 */
function usdOf(record: FeedRecord, publications: readonly Publication[]): { usd: string; inForceFrom?: string } {
  if (record.currency === 'USD') return { usd: convertReference(record.amount, '1', '1', 'USD') };
  const at = new Date(record.timestamp).toISOString();
  const publication = publications.filter((p) => p.inForceFrom <= at).pop();
  if (!publication) throw new Error(`no publication in force at ${at} under raw/rates/`);
  return {
    usd: convertReference(record.amount, publication.perEur.get('USD')!, publication.perEur.get(record.currency)!, 'USD'),
    inForceFrom: publication.inForceFrom,
  };
}

describe('npm start: partner transactions from the built-in feed simulator', () => {
  let platform: PlatformProcess;
  let items: Record<string, any>[]; // eslint-disable-line @typescript-eslint/no-explicit-any
  let keys: string[];

  beforeAll(async () => {
    platform = await startPlatformProcess();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('stores enriched, categorized transactions in DynamoDB and curated Parquet, with exact sums per category', async () => {
    const { services, resources } = platform.endpoints;
    // The simulator publishes 30 transactions a minute: invoke until runs have queued AT_LEAST.
    let queued = 0;
    await eventually(async () => {
      const invoked = await platform.cli(['invoke', 'fetch-transactions']);
      expect(invoked.code).toBe(0);
      queued += (JSON.parse(invoked.stdout).results[0] as { transactions: number }).transactions;
      return queued >= AT_LEAST ? queued : undefined;
    }, 90_000, 'fetch-transactions runs that queue five transactions');

    const { dynamodb: documents, s3 } = platform.clients;
    const bucket = resources.buckets.dataLake;
    // A transaction waits until the simulated tick in force at its timestamp is stored and confirmed (the next fetch).
    ({ items, keys } = await eventually(async () => {
      const scanned = (await documents.send(new ScanCommand({ TableName: resources.tables.transactions }))).Items ?? [];
      const objects = await listKeys(s3, bucket, 'curated/transactions/');
      const inLake = objects.length > 0 ? await queryParquet(await Promise.all(objects.map((k) => getBytes(s3, bucket, k))), (f) => `SELECT count(DISTINCT transaction_id) AS n FROM ${f}`) : [{ n: 0 }];
      return scanned.length >= AT_LEAST && Number(inLake[0].n) === scanned.length ? { items: scanned, keys: objects } : undefined;
    }, 180_000, 'transactions in DynamoDB and in the lake'));

    for (const item of items) {
      expect(item.user_id).toBeUndefined();
      expect(item.user_id_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(['standard', 'medium_value', 'high_value']).toContain(item.category);
      expect(item.base_currency).toBe('USD');
    }
    expect(keys.every((k) => /^curated\/transactions\/year=\d{4}\/month=\d{2}\/day=\d{2}\/[0-9a-f]+\.parquet$/.test(k))).toBe(true);

    // Expected from the sources alone: each input record as the feed served it and the rates in
    // the provider payloads kept under raw/rates/, converted with BigInt fractions in the test.
    const records = await feedRecords(services.transactionFeed);
    const publications = await rawPublications(s3, bucket);
    const expected = new Map<string, Rational>();
    const mismatches: unknown[] = [];
    for (const item of items) {
      const record = records.get(item.transaction_id);
      if (!record) throw new Error(`${item.transaction_id} is stored but the feed never served it`);
      const { usd, inForceFrom } = usdOf(record, publications);
      if (item.amount_base_text !== usd || (inForceFrom && item.rate_as_of !== inForceFrom)) {
        mismatches.push({ record, expected: { usd, inForceFrom }, stored: [item.amount_base_text, item.rate_as_of] });
      }
      const category = rational(usd).compare('1000') >= 0 ? 'high_value' : rational(usd).compare('100') >= 0 ? 'medium_value' : 'standard';
      expect(item.category).toBe(category);
      expected.set(category, (expected.get(category) ?? rational('0')).plus(usd));
    }
    expect(mismatches).toEqual([]);
    const objects = await Promise.all(keys.map((k) => getBytes(s3, bucket, k)));
    const sums = await queryParquet(objects, (files) =>
      `SELECT category, SUM(amount_base)::VARCHAR AS total, count(*) AS n FROM (SELECT DISTINCT ON (transaction_id) * FROM ${files}) GROUP BY category`,
    );
    const columns = await queryParquet(objects.slice(0, 1), (files) => `SELECT column_name FROM (DESCRIBE SELECT * FROM ${files})`);
    expect(columns.map((c) => c.column_name)).not.toContain('user_id');
    expect(Object.fromEntries(sums.map((row) => [row.category, rational(String(row.total)).toFixedHalfEven(2)]))).toEqual(
      Object.fromEntries([...expected].map(([category, total]) => [category, total.toFixedHalfEven(2)])),
    );
  });

  it('stores for every transaction the amount GET /v1/convert?at=<its timestamp> gives, to the last digit, with the same provider and in-force time', async () => {
    const { api, clients } = platform.endpoints;
    const partner = clients.find((c) => c.name === 'acme-payments')!;
    const token = (await platform.cli(['token', partner.name])).stdout.trim().split('\n').pop()!;

    const mismatches: unknown[] = [];
    for (const item of items) {
      const query = new URLSearchParams({ from: item.currency, to: 'USD', amount: item.amount_text, at: item.timestamp });
      const response = await fetch(`${api}/v1/convert?${query}`, { headers: { authorization: `Bearer ${token}`, 'x-api-key': partner.apiKey } });
      const body = (await response.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      const same =
        response.status === 200
          ? body.converted === item.amount_base_text && body.asOf === item.rate_as_of && body.provider === item.rate_provider
          : // An amount too small for a cent is stored as 0.00 and refused as a quote.
            response.status === 422 && body.error.code === 'AMOUNT_ROUNDS_TO_ZERO' && item.amount_base_text === '0.00';
      if (!same) mismatches.push({ transaction: item.transaction_id, stored: [item.amount_base_text, item.rate_as_of, item.rate_provider], api: [response.status, body] });
    }

    expect(mismatches).toEqual([]);
    expect(items.length).toBeGreaterThanOrEqual(AT_LEAST);
  });
});
