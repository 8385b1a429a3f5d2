import { GetCommand, NumberValue } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import { dynamoRateSeries } from '../../../lambdas/adapters/aws/dynamodb-rate-series';
import { s3ObjectStore } from '../../../lambdas/adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../../../lambdas/adapters/aws/sqs-message-publisher';
import { RATE_HISTORY_FILTER, rateHistoryChange } from '../../../lambdas/adapters/aws/dynamodb-rate-stream';
import { curatedRatesProblem } from '../../../lambdas/adapters/parquet/curated-rate-rows';
import { curatedRatesParquet } from '../../../lambdas/adapters/parquet/curated-rates';
import { cachedRateTimeline } from '../../../lambdas/adapters/rate-timeline';
import { lakeKeys } from '../../../lambdas/domain/lake-keys';
import type { RateChangeEvent } from '../../../lambdas/domain/rate-change';
import { policySeries, type RatePolicy } from '../../../lambdas/domain/rate-policy';
import { providerText } from '../../../lambdas/domain/rate-resolver';
import { snapshotIdOf, type RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { LAKE_PREFIXES } from '../../../lambdas/shared/lake-prefixes';
import { exportRates, type RateHistoryChange } from '../../../lambdas/use-cases/export-rates';
import { processRateSnapshots, type ProcessRatesDeps } from '../../../lambdas/use-cases/process-rate-snapshot';
import { resolveRates } from '../../../lambdas/use-cases/resolve-rates';
import { TABLES } from '../../../lib/definitions/resources';
import { matchesFilter } from '../../../lib/local-platform/event-filter';
import {
  createBucket,
  createQueue,
  createTableFrom,
  drainQueue,
  scanAll,
  uniqueName,
  useEmulators,
} from '../../support/emulator-resources';
import { getBytes, listKeys, queryParquet } from '../../support/lake';
import { rational, type Rational } from '../../support/rational';
import { ECB_2022_07_08, ecbFixtureSnapshot, FETCHED_AT, snapshotOf } from '../../support/rates';
import { streamReader } from '../../support/streams';

jest.setTimeout(120_000);

const env = useEmulators('rates-pipeline');

interface Pipeline {
  readonly table: string;
  readonly bucket: string;
  readonly deps: ProcessRatesDeps;
  /**
   * One SQS batch (through JSON, as snapshots travel on the rates queue); `receiveCount` 2+ is a
   * redelivery. Then export-rates' use case on what the table's stream got meanwhile (through the
   * trigger's filter), as the stream trigger runs it.
   */
  process(snapshots: readonly (RateSnapshot | unknown)[], receiveCount?: number): ReturnType<typeof processRateSnapshots>;
  /** Change events emitted since the last call. */
  events(): Promise<RateChangeEvent[]>;
  item(pk: string, sk: string): Promise<Record<string, unknown> | undefined>;
}

/** A fresh table (with its stream), bucket and rate-changes queue wired to the real adapters. */
async function pipeline(): Promise<Pipeline> {
  const table = uniqueName('rates');
  const bucket = uniqueName('lake');
  await createTableFrom(env.clients, TABLES.rates, table);
  await createBucket(env.clients, bucket);
  const { url: rateChangesUrl } = await createQueue(env.clients, uniqueName('rate-changes'));
  const deps: ProcessRatesDeps = {
    series: dynamoRateSeries(env.clients.dynamodb, table),
    curatedProblem: curatedRatesProblem,
    rateChanges: sqsMessagePublisher(env.clients.sqs, rateChangesUrl),
  };
  const stream = streamReader(env, table);
  const exportDeps = { lake: s3ObjectStore(env.clients.s3, bucket), curatedPrefix: LAKE_PREFIXES.curatedRates, toCurated: curatedRatesParquet };
  return {
    table,
    bucket,
    deps,
    async process(snapshots, receiveCount = 1) {
      const result = await processRateSnapshots(
        deps,
        snapshots.map((s, i) => ({ messageId: `m-${i}`, body: JSON.stringify(s), receiveCount })),
      );
      const records = (await stream.next()).filter((r) => matchesFilter(RATE_HISTORY_FILTER, r));
      const changes = records.map((r) => rateHistoryChange(r as DynamoDBRecord)).filter((c): c is RateHistoryChange => c !== undefined);
      expect((await exportRates(exportDeps, changes)).failedSequenceNumbers).toEqual([]);
      return result;
    },
    events: async () => (await drainQueue(env.clients, rateChangesUrl)).map((m) => JSON.parse(m.Body!) as RateChangeEvent),
    item: async (pk, sk) => (await env.clients.dynamodb.send(new GetCommand({ TableName: table, Key: { pk, sk } }))).Item,
  };
}

const decimalOf = (value: unknown): Rational => {
  expect(value).toBeInstanceOf(NumberValue);
  return rational((value as NumberValue).value);
};

const jul7 = snapshotOf('2022-07-07', { USD: '1.0180', JPY: '137.50', PLN: '4.7630' });
const jul8 = snapshotOf('2022-07-08', { USD: '1.0163', JPY: '137.5', PLN: '4.7630' });

describe('process-rates against DynamoDB Local and fauxqs', () => {
  it('stores the ECB rates of 2022-07-08 exactly as published: one history item, the latest item, curated Parquet', async () => {
    const p = await pipeline();
    const snapshot = ecbFixtureSnapshot();

    const result = await p.process([snapshot]);

    expect(result).toEqual({ failed: [], rejected: 0, snapshots: 1, rates: 31, moved: ['ecb#EUR'], changes: 1 });
    const history = await p.item('SERIES#ecb#EUR', '2022-07-08T14:00:00.000Z');
    const latest = await p.item('LATEST#ecb#EUR', 'LATEST');
    expect(latest).toMatchObject({ snapshotId: 'ecb-EUR-20220708T140000Z', inForceFrom: '2022-07-08T14:00:00.000Z', rateDate: '2022-07-08', fetchedAt: FETCHED_AT.toISOString(), checkedAt: FETCHED_AT.toISOString() });
    for (const item of [history!, latest!]) {
      const rates = item.rates as Record<string, { rate: NumberValue; published: string; orientation: string }>;
      // Expected: the fixture file as printed (ECB_2022_07_08, copied by hand), not the parser's output.
      expect(Object.keys(rates).sort()).toEqual(Object.keys(ECB_2022_07_08.rates).sort());
      for (const [quote, rate] of Object.entries(ECB_2022_07_08.rates)) {
        expect({ quote, published: rates[quote].published, orientation: rates[quote].orientation }).toEqual({ quote, published: rate, orientation: 'quote-per-base' });
        expect(decimalOf(rates[quote].rate).equals(rate)).toBe(true);
      }
    }
    // A DynamoDB number may lose trailing zeros; `published` keeps the provider's digits.
    expect((history!.rates as Record<string, { published: string }>).PLN.published).toBe('4.7630');

    const key = lakeKeys.curatedRates(LAKE_PREFIXES.curatedRates, snapshot);
    expect(key).toBe('curated/rates/year=2022/month=07/day=08/ecb-EUR-20220708T140000Z.parquet');
    expect(await listKeys(env.clients.s3, p.bucket, 'curated/')).toEqual([key]);
    const rows = await queryParquet(
      await getBytes(env.clients.s3, p.bucket, key),
      (parquet) => `SELECT quote_currency, rate::VARCHAR AS rate, rate_published, provider, snapshot_id,
              strftime(in_force_from, '%Y-%m-%dT%H:%M:%S') AS in_force_from, rate_date FROM ${parquet}`,
    );
    expect(rows).toHaveLength(31);
    const published = new Map(Object.entries(ECB_2022_07_08.rates));
    for (const row of rows) {
      expect(rational(row.rate as string).equals(published.get(row.quote_currency as string)!)).toBe(true);
      expect(row).toMatchObject({ rate_published: published.get(row.quote_currency as string), provider: 'ecb', snapshot_id: 'ecb-EUR-20220708T140000Z', in_force_from: '2022-07-08T14:00:00', rate_date: '2022-07-08' });
    }
  });

  it('never lets a late, older snapshot regress the latest item; the late one is kept in history and the lake', async () => {
    const p = await pipeline();
    await p.process([jul8]);
    await p.events();

    const late = await p.process([jul7]);

    expect(late).toMatchObject({ failed: [], snapshots: 1, moved: [], changes: 0 });
    expect(await p.item('LATEST#ecb#EUR', 'LATEST')).toMatchObject({ snapshotId: jul8.snapshotId });
    expect(await p.item('SERIES#ecb#EUR', jul7.inForceFrom)).toMatchObject({ snapshotId: jul7.snapshotId });
    expect(await listKeys(env.clients.s3, p.bucket, 'curated/')).toHaveLength(2);
    expect(await p.events()).toEqual([]);
  });

  it('never lets a future-dated snapshot (an ECB mirror serving 2099-12-31) change anything', async () => {
    const p = await pipeline();
    await p.process([jul8]);
    const before = await scanAll(env.clients, p.table);
    const inForceFrom = '2099-12-31T15:00:00.000Z';
    const pinned = { ...jul8, snapshotId: snapshotIdOf('ecb', 'EUR', inForceFrom), inForceFrom, rateDate: '2099-12-31' };

    const result = await p.process([pinned]);

    expect(result).toMatchObject({ rejected: 1, snapshots: 0, failed: [{ messageId: 'm-0', reason: expect.stringMatching(/future-dated/) }] });
    expect(await scanAll(env.clients, p.table)).toEqual(before);
    expect(await p.item('LATEST#ecb#EUR', 'LATEST')).toMatchObject({ snapshotId: jul8.snapshotId });
    // A real publication after it still moves the series.
    await p.process([snapshotOf('2022-07-11', { USD: '1.0098' })]);
    expect(await p.item('LATEST#ecb#EUR', 'LATEST')).toMatchObject({ rateDate: '2022-07-11' });
  });

  describe('the same publication again', () => {
    let p: Pipeline;
    let key: string;
    let bytes: Uint8Array;
    let firstEvents: RateChangeEvent[];

    beforeEach(async () => {
      p = await pipeline();
      key = lakeKeys.curatedRates(LAKE_PREFIXES.curatedRates, jul8);
      await p.process([jul7]);
      await p.process([jul8]);
      bytes = await getBytes(env.clients.s3, p.bucket, key);
      firstEvents = await p.events();
    });

    it('fetched again later: history and the lake unchanged, only checkedAt moves, no event', async () => {
      const history = await p.item('SERIES#ecb#EUR', jul8.inForceFrom);
      const refetched = snapshotOf('2022-07-08', { USD: '1.0163', JPY: '137.5', PLN: '4.7630' }, { fetchedAt: new Date('2025-06-02T00:00:00.000Z') });

      expect(await p.process([refetched])).toMatchObject({ failed: [], moved: [], changes: 0 });

      expect(await p.item('SERIES#ecb#EUR', jul8.inForceFrom)).toEqual(history);
      expect(await p.item('LATEST#ecb#EUR', 'LATEST')).toMatchObject({ fetchedAt: jul8.fetchedAt, checkedAt: '2025-06-02T00:00:00.000Z' });
      expect(Buffer.from(await getBytes(env.clients.s3, p.bucket, key)).equals(Buffer.from(bytes))).toBe(true);
      expect(await p.events()).toEqual([]);
    });

    it('redelivered: identical items, and its event again with the same id and content', async () => {
      const items = await scanAll(env.clients, p.table);

      await p.process([jul8], 2);

      expect(await scanAll(env.clients, p.table)).toEqual(items);
      const again = await p.events();
      expect(again).toHaveLength(1);
      expect(again[0]).toEqual(firstEvents.find((e) => e.eventId === jul8.snapshotId));
    });
  });

  it('emits one event per series move, with the previous and current publications, none for unchanged numbers', async () => {
    const p = await pipeline();
    // Republished on the 11th with the same numbers (JPY's trailing zero dropped is the same number).
    const jul11 = snapshotOf('2022-07-11', { USD: '1.0163', JPY: '137.50', PLN: '4.763' });

    await p.process([jul7]);
    const first = await p.events();
    await p.process([jul8, jul11]);
    const next = await p.events();

    expect(first).toEqual([
      {
        eventId: jul7.snapshotId,
        type: 'rate-series-moved',
        provider: 'ecb',
        base: 'EUR',
        previous: null,
        current: {
          snapshotId: jul7.snapshotId,
          inForceFrom: '2022-07-07T14:00:00.000Z',
          rateDate: '2022-07-07',
          rates: { JPY: { rate: '137.50', orientation: 'quote-per-base' }, PLN: { rate: '4.7630', orientation: 'quote-per-base' }, USD: { rate: '1.0180', orientation: 'quote-per-base' } },
        },
      },
    ]);
    expect(next).toEqual([expect.objectContaining({ eventId: jul8.snapshotId, previous: first[0].current, current: expect.objectContaining({ snapshotId: jul8.snapshotId }) })]);
    expect(await p.item('LATEST#ecb#EUR', 'LATEST')).toMatchObject({ snapshotId: jul11.snapshotId });
  });

  it('stores a batch of several series with one BatchWriteItem, failing only the invalid message', async () => {
    const p = await pipeline();
    const coin = snapshotOf('2022-07-08T10:00:00.000Z', [{ quote: 'BTC', rate: '21733.12', orientation: 'base-per-quote' }], { provider: 'coingecko', base: 'USD' });
    const bad = { ...snapshotOf('2022-07-09', { USD: '1.0163' }), rates: [{ quote: 'USD', rate: '0' }] };

    const result = await p.process([jul7, bad, coin, jul8]);

    expect(result).toMatchObject({ failed: [{ messageId: 'm-1', reason: 'ecb: rate for USD is not a plain positive decimal: "0"' }], snapshots: 3, moved: ['coingecko#USD', 'ecb#EUR'] });
    const items = await scanAll(env.clients, p.table);
    expect(items.map((i) => `${i.pk} ${i.sk}`).sort()).toEqual([
      'LATEST#coingecko#USD LATEST',
      'LATEST#ecb#EUR LATEST',
      'SERIES#coingecko#USD 2022-07-08T10:00:00.000Z',
      'SERIES#ecb#EUR 2022-07-07T14:00:00.000Z',
      'SERIES#ecb#EUR 2022-07-08T14:00:00.000Z',
    ]);
    expect((await p.events()).map((e) => e.eventId).sort()).toEqual([coin.snapshotId, jul7.snapshotId, jul8.snapshotId].sort());
  });

  it('is read back by the same lookup the API and process-transactions use: in force at an instant, crossed through USD', async () => {
    const p = await pipeline();
    const coin = (at: string, price: string) => snapshotOf(at, [{ quote: 'BTC', rate: price, orientation: 'base-per-quote' }], { provider: 'coingecko', base: 'USD' });
    await p.process([jul7, jul8, coin('2022-07-08T10:00:00.000Z', '21000'), coin('2022-07-08T15:00:00.000Z', '21500')]);
    const policy: RatePolicy = { fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }], crypto: [{ provider: 'coingecko', staleAfter: 'P1D' }] };
    const reader = dynamoRateSeries(env.clients.dynamodb, p.table);
    const timeline = cachedRateTimeline(reader, { series: policySeries(policy) });

    const answers = await resolveRates({ policy, timeline }, [
      { from: 'EUR', to: 'USD', at: '2022-07-08T13:59:59.999Z' },
      { from: 'EUR', to: 'USD', at: '2022-07-08T14:00:00.000Z' },
      { from: 'BTC', to: 'EUR', at: '2022-07-08T14:30:00.000Z' },
      { from: 'BTC', to: 'USD', at: '2022-07-08T09:00:00.000Z' },
    ]);

    expect(answers.map((a) => (a.kind === 'rate' ? [a.rate.toString(), providerText(a), a.inForceFrom] : [a.reason]))).toEqual([
      ['1.018', 'ecb', '2022-07-07T14:00:00.000Z'],
      ['1.0163', 'ecb', '2022-07-08T14:00:00.000Z'],
      // 21000 USD per BTC / 1.0163 USD per EUR: the 10:00 price, in force at 14:30.
      [rational('21000').dividedBy('1.0163').toSignificantHalfEven(60), 'coingecko+ecb', '2022-07-08T10:00:00.000Z'],
      ['NO_RATE_AT_TIME'],
    ]);
  });
});
