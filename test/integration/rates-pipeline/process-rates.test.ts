import { GetCommand, NumberValue } from '@aws-sdk/lib-dynamodb';
import { dynamoRateStore } from '../../../lambdas/adapters/aws/dynamodb-rate-store';
import { s3ObjectStore } from '../../../lambdas/adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../../../lambdas/adapters/aws/sqs-message-publisher';
import { curatedRatesParquet } from '../../../lambdas/adapters/parquet/curated-rates';
import { Decimal } from '../../../lambdas/domain/decimal';
import { lakeKeys } from '../../../lambdas/domain/lake-keys';
import type { RateChangeEvent } from '../../../lambdas/domain/rate-change';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { LAKE_PREFIXES } from '../../../lambdas/shared/lake-prefixes';
import { processRateSnapshot, type ProcessRatesDeps } from '../../../lambdas/use-cases/process-rate-snapshot';
import { TABLES } from '../../../lib/definitions/resources';
import {
  createBucket,
  createQueue,
  createTableFrom,
  drainQueue,
  getObjectBytes,
  listKeys,
  scanAll,
  uniqueName,
  useEmulators,
} from '../../support/emulator-resources';
import { queryParquet } from '../../support/parquet-sql';
import { ecbFixtureSnapshot, snapshotOf } from '../../support/rates';

jest.setTimeout(120_000);

const env = useEmulators('rates-pipeline');

interface Pipeline {
  readonly table: string;
  readonly bucket: string;
  readonly rateChangesUrl: string;
  readonly deps: ProcessRatesDeps;
  process(snapshot: RateSnapshot | unknown, delivery?: { redelivered: boolean }): ReturnType<typeof processRateSnapshot>;
  /** Change events emitted since the last call, in order received. */
  events(): Promise<RateChangeEvent[]>;
  item(pk: string, sk: string): Promise<Record<string, unknown> | undefined>;
}

/** A fresh table, bucket and rate-changes queue wired to the real adapters. */
async function pipeline(): Promise<Pipeline> {
  const table = uniqueName('rates');
  const bucket = uniqueName('lake');
  await createTableFrom(env.clients, TABLES.rates, table);
  await createBucket(env.clients, bucket);
  const { url: rateChangesUrl } = await createQueue(env.clients, uniqueName('rate-changes'));
  const deps: ProcessRatesDeps = {
    store: dynamoRateStore(env.clients.dynamodb, table),
    lake: s3ObjectStore(env.clients.s3, bucket),
    curatedPrefix: LAKE_PREFIXES.curatedRates,
    toCurated: curatedRatesParquet,
    rateChanges: sqsMessagePublisher(env.clients.sqs, rateChangesUrl),
  };
  return {
    table,
    bucket,
    rateChangesUrl,
    deps,
    // Through JSON, as the snapshot travels on the rates queue.
    process: (snapshot, delivery) => processRateSnapshot(deps, JSON.parse(JSON.stringify(snapshot)), delivery),
    events: async () =>
      (await drainQueue(env.clients, rateChangesUrl)).map((m) => JSON.parse(m.Body!) as RateChangeEvent),
    item: async (pk, sk) =>
      (await env.clients.dynamodb.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item,
  };
}

const decimalOf = (value: unknown): Decimal => {
  expect(value).toBeInstanceOf(NumberValue);
  return new Decimal((value as NumberValue).value);
};

describe('processRateSnapshot against DynamoDB Local and fauxqs', () => {
  it('stores every ECB rate of 2022-07-08 exactly as published, in history, latest and curated Parquet', async () => {
    const p = await pipeline();
    const snapshot = ecbFixtureSnapshot();

    const result = await p.process(snapshot);

    expect(result).toEqual({ snapshotId: 'ecb-EUR-20220708T000000Z', stored: 31, latest: 31, changes: 31 });
    for (const { quote, rate } of snapshot.rates) {
      const history = await p.item(`HISTORY#EUR#${quote}`, '2022-07-08T00:00:00.000Z#ecb');
      const latest = await p.item('LATEST#EUR', quote);
      for (const item of [history, latest]) {
        expect(item).toMatchObject({ base: 'EUR', quote, published: rate, snapshotId: snapshot.snapshotId });
        expect({ quote, rate: decimalOf(item!.rate).toString() }).toEqual({ quote, rate: new Decimal(rate).toString() });
      }
    }
    // Trailing zeros: DynamoDB normalises the number, the published attribute keeps the digits.
    const pln = await p.item('LATEST#EUR', 'PLN');
    expect((pln!.rate as NumberValue).value).toBe('4.763');
    expect(pln!.published).toBe('4.7630');

    const key = lakeKeys.curatedRates(LAKE_PREFIXES.curatedRates, snapshot);
    expect(key).toBe('curated/rates/year=2022/month=07/day=08/ecb-EUR-20220708T000000Z.parquet');
    expect(await listKeys(env.clients, p.bucket, 'curated/')).toEqual([key]);
    const rows = await queryParquet(
      await getObjectBytes(env.clients, p.bucket, key),
      `SELECT quote_currency, rate::VARCHAR AS rate, rate_published, quote_per_base::VARCHAR AS qpb,
              base_currency, provider, snapshot_id, strftime(as_of, '%Y-%m-%dT%H:%M:%S') AS as_of
         FROM read_parquet({file})`,
    );
    expect(rows).toHaveLength(31);
    const published = new Map(snapshot.rates.map((r) => [r.quote, r.rate]));
    expect(rows.map((r) => r.quote_currency).sort()).toEqual([...published.keys()].sort());
    for (const row of rows) {
      const rate = published.get(row.quote_currency as string)!;
      expect({ quote: row.quote_currency, rate: new Decimal(row.rate as string).toString() }).toEqual({
        quote: row.quote_currency,
        rate: new Decimal(rate).toString(),
      });
      expect(new Decimal(row.qpb as string).eq(rate)).toBe(true);
      expect(row).toMatchObject({
        rate_published: rate,
        base_currency: 'EUR',
        provider: 'ecb',
        snapshot_id: snapshot.snapshotId,
        as_of: '2022-07-08T00:00:00',
      });
    }
  });

  it('never lets a late, older snapshot regress the latest rate', async () => {
    const p = await pipeline();
    const jul8 = snapshotOf('2022-07-08T00:00:00.000Z', { USD: '1.0163', JPY: '138.05' });
    const jul7 = snapshotOf('2022-07-07T00:00:00.000Z', { USD: '1.0180', JPY: '137.50' });
    await p.process(jul8);
    await p.events();

    const late = await p.process(jul7);

    expect(late).toEqual({ snapshotId: jul7.snapshotId, stored: 2, latest: 0, changes: 0 });
    for (const [quote, rate] of [['USD', '1.0163'], ['JPY', '138.05']]) {
      const latest = await p.item('LATEST#EUR', quote);
      expect(latest).toMatchObject({ published: rate, asOf: jul8.asOf, snapshotId: jul8.snapshotId });
      // The late day is still kept in history and the lake.
      expect(await p.item(`HISTORY#EUR#${quote}`, `${jul7.asOf}#ecb`)).toMatchObject({
        published: quote === 'USD' ? '1.0180' : '137.50',
      });
    }
    expect(await listKeys(env.clients, p.bucket, 'curated/')).toHaveLength(2);
    expect(await p.events()).toEqual([]);
  });

  describe('processing the same snapshot twice', () => {
    let p: Pipeline;
    let snapshot: RateSnapshot;
    let key: string;
    let itemsAfterFirst: Record<string, unknown>[];
    let bytesAfterFirst: Uint8Array;
    let firstEvents: RateChangeEvent[];

    beforeEach(async () => {
      p = await pipeline();
      snapshot = ecbFixtureSnapshot();
      key = lakeKeys.curatedRates(LAKE_PREFIXES.curatedRates, snapshot);
      await p.process(snapshot);
      itemsAfterFirst = await scanAll(env.clients, p.table);
      bytesAfterFirst = await getObjectBytes(env.clients, p.bucket, key);
      firstEvents = await p.events();
    });

    it.each([
      ['as a new message (the provider published nothing new)', false],
      ['as a redelivery', true],
    ])('%s leaves identical DynamoDB items and one identical S3 object', async (_how, redelivered) => {
      await p.process(snapshot, { redelivered });

      expect(itemsAfterFirst).toHaveLength(62);
      expect(await scanAll(env.clients, p.table)).toEqual(itemsAfterFirst);
      expect(await listKeys(env.clients, p.bucket, '')).toEqual([key]);
      expect(Buffer.from(await getObjectBytes(env.clients, p.bucket, key)).equals(Buffer.from(bytesAfterFirst))).toBe(true);
    });

    it('as a new message emits no change events', async () => {
      const again = await p.process(snapshot, { redelivered: false });

      expect(again).toMatchObject({ latest: 0, changes: 0 });
      expect(firstEvents).toHaveLength(31);
      expect(await p.events()).toEqual([]);
    });

    it('as a redelivery re-emits only events a consumer already has: the same eventIds with the same content', async () => {
      await p.process(snapshot, { redelivered: true });
      const secondEvents = await p.events();

      const byId = (events: RateChangeEvent[]) => new Map(events.map((e) => [e.eventId, e]));
      expect(new Set(firstEvents.map((e) => e.eventId)).size).toBe(31);
      expect(secondEvents).toHaveLength(31);
      expect([...byId(secondEvents).keys()].sort()).toEqual([...byId(firstEvents).keys()].sort());
      expect(byId(secondEvents)).toEqual(byId(firstEvents));
    });
  });

  it('emits one event per pair with no previous for a first snapshot, then one event for the one rate that moved', async () => {
    const p = await pipeline();
    const jul7 = snapshotOf('2022-07-07T00:00:00.000Z', { USD: '1.0180', JPY: '137.50', PLN: '4.7630' });
    // JPY republished with a trailing zero dropped is the same number, not a change.
    const jul8 = snapshotOf('2022-07-08T00:00:00.000Z', { USD: '1.0163', JPY: '137.5', PLN: '4.7630' });

    await p.process(jul7);
    const first = await p.events();
    const second = await p.process(jul8);
    const next = await p.events();

    const point = (snapshot: RateSnapshot, rate: string) => ({
      rate,
      orientation: 'quote-per-base',
      asOf: snapshot.asOf,
      provider: 'ecb',
    });
    expect(first.sort((a, b) => a.quote.localeCompare(b.quote))).toEqual(
      [
        ['JPY', '137.50'],
        ['PLN', '4.7630'],
        ['USD', '1.0180'],
      ].map(([quote, rate]) => ({
        eventId: `${jul7.snapshotId}#${quote}`,
        base: 'EUR',
        quote,
        previous: null,
        current: point(jul7, rate),
      })),
    );
    expect(second).toEqual({ snapshotId: jul8.snapshotId, stored: 3, latest: 3, changes: 1 });
    expect(next).toEqual([
      {
        eventId: `${jul8.snapshotId}#USD`,
        base: 'EUR',
        quote: 'USD',
        previous: expect.objectContaining(point(jul7, '1.0180')),
        current: point(jul8, '1.0163'),
      },
    ]);
  });

  it('rejects an invalid snapshot before writing anything', async () => {
    const p = await pipeline();
    const bad = { ...snapshotOf('2022-07-08T00:00:00.000Z', { USD: '1.0163' }), rates: [{ quote: 'USD', rate: '0' }] };

    await expect(p.process(bad)).rejects.toThrow('ecb: rate for USD is not a plain positive decimal: "0"');

    expect(await scanAll(env.clients, p.table)).toEqual([]);
    expect(await listKeys(env.clients, p.bucket, '')).toEqual([]);
    expect(await p.events()).toEqual([]);
  });
});
