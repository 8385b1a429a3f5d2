import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ECB_2022_07_08 } from '../support/rates';
import { rational } from '../support/rational';
import { eventually, queueActivity, queueSettled, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';
import { getBytes, listKeys, queryParquet } from '../support/lake';

jest.setTimeout(180_000);

const ECB_FILE = readFileSync(path.join(__dirname, '..', 'fixtures', 'rates', 'ecb_eurofxref-daily_2022-07-08.xml'), 'utf8');
/** Every currency of the real file with its rate exactly as published, copied from it by hand. */
const PUBLISHED = new Map(Object.entries(ECB_2022_07_08.rates));
/** The history file, as ECB lays it out: the same cubes for three days, newest first. */
const HISTORY_FILE = ECB_FILE.replace(
  /<Cube time=(['"])2022-07-08\1>([\s\S]*?)<\/Cube>\s*<\/Cube>/,
  (_, q, cubes) => ['2022-07-08', '2022-07-07', '2022-07-06'].map((d) => `<Cube time=${q}${d}${q}>${cubes}</Cube>`).join('\n') + '\n</Cube>',
);
const MIRROR: Record<string, string> = {
  '/stats/eurofxref/eurofxref-daily.xml': ECB_FILE,
  '/stats/eurofxref/eurofxref-hist.xml': HISTORY_FILE,
};

describe('npm start -- --rates-provider ecb --rates-url <mirror of the real daily file>', () => {
  let mirror: Server;
  let dailyUrl: string;
  let platform: PlatformProcess;

  beforeAll(async () => {
    mirror = createServer((req, res) => {
      const body = MIRROR[req.url ?? ''];
      res.writeHead(body ? 200 : 404, { 'content-type': 'text/xml' }).end(body ?? '');
    });
    await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
    const { port } = mirror.address() as { port: number };
    dailyUrl = `http://127.0.0.1:${port}/stats/eurofxref/eurofxref-daily.xml`;
    platform = await startPlatformProcess(['--rates-provider', 'ecb', '--rates-url', dailyUrl]);
  });

  afterAll(async () => {
    await platform?.stop();
    await new Promise((resolve) => mirror?.close(resolve));
  });

  const scanRates = async () => {
    const result = await platform.clients.dynamodb.send(new ScanCommand({ TableName: platform.endpoints.resources.tables.rates }));
    return (result.Items ?? []).sort((a, b) => `${a.pk}${a.sk}`.localeCompare(`${b.pk}${b.sk}`));
  };
  /** Rate-change events sent so far: on the queue, in flight, or delivered to evaluate-alerts (status.json). */
  const rateChangesDepth = async () => {
    const { waiting, inFlight, processed, failed } = await queueActivity(platform, 'rateChanges');
    return waiting + inFlight + processed + failed;
  };

  /** The stored items without the latest item's checkedAt, which every fetch that confirms it moves. */
  const withoutChecks = (items: Record<string, unknown>[]) => items.map(({ checkedAt: _checked, ...rest }) => rest);

  it('stores every currency of the file with exactly its published value, and a second run changes nothing but the check time', async () => {
    expect(PUBLISHED.size).toBe(31);
    const first = await platform.cli(['invoke', 'fetch-rates']);
    expect(first.code).toBe(0);
    const { snapshotId } = JSON.parse(first.stdout).results[0] as { snapshotId: string };
    // In force from 16:00 Berlin (summer time) on 2022-07-08.
    expect(snapshotId).toBe('ecb-EUR-20220708T140000Z');

    const items = await eventually(async () => {
      const all = await scanRates();
      return all.some((i) => i.pk === 'LATEST#ecb#EUR') ? all : undefined;
    }, 60_000, 'the ECB publication stored');
    expect(items.map((i) => `${i.pk} ${i.sk}`)).toEqual(['LATEST#ecb#EUR LATEST', 'SERIES#ecb#EUR 2022-07-08T14:00:00.000Z']);
    for (const item of items) {
      const rates = item.rates as Record<string, { rate: { value: string }; published: string }>;
      expect(Object.keys(rates).sort()).toEqual([...PUBLISHED.keys()].sort());
      for (const [quote, { rate, published }] of Object.entries(rates)) {
        expect(published).toBe(PUBLISHED.get(quote));
        // The DynamoDB number may drop trailing zeros (7.5190 -> 7.519); as a decimal it is equal.
        expect(rational(rate.value).equals(published)).toBe(true);
      }
    }

    const { s3 } = platform.clients;
    const bucket = platform.endpoints.resources.buckets.dataLake;
    const curated = await eventually(async () => {
      const keys = await listKeys(s3, bucket, 'curated/rates/');
      return keys.length > 0 ? keys : undefined;
    });
    expect(curated).toEqual([`curated/rates/year=2022/month=07/day=08/${snapshotId}.parquet`]);
    const parquet = await getBytes(s3, bucket, curated[0]);
    const rows = await queryParquet([parquet], (files) =>
      `SELECT quote_currency, rate_published, rate = CAST(rate_published AS DECIMAL(38,18)) AS exact FROM ${files}`,
    );
    expect(rows).toHaveLength(PUBLISHED.size);
    for (const row of rows) {
      expect(row.rate_published).toBe(PUBLISHED.get(String(row.quote_currency)));
      expect(row.exact).toBe(true);
    }
    // One event: the series moved to this publication.
    const eventsAfterFirst = await eventually(async () => ((await rateChangesDepth()) === 1 ? 1 : undefined));

    // The same publication again (a weekend, a holiday): same snapshot id, nothing changes.
    const before = await queueActivity(platform, 'rates');
    const second = await platform.cli(['invoke', 'fetch-rates']);
    expect(JSON.parse(second.stdout).results[0].snapshotId).toBe(snapshotId);
    // Asserted only once process-rates took the message and the rates queue is empty.
    await queueSettled(platform, 'rates', before);
    expect(withoutChecks(await scanRates())).toEqual(withoutChecks(items));
    expect(await listKeys(s3, bucket, 'curated/rates/')).toEqual(curated);
    expect(Buffer.from(await getBytes(s3, bucket, curated[0])).equals(Buffer.from(parquet))).toBe(true);
    expect(await listKeys(s3, bucket, 'raw/rates/')).toEqual([`raw/rates/provider=ecb/dt=2022-07-08/${snapshotId}.xml`]);
    expect(await rateChangesDepth()).toBe(eventsAfterFirst);
  });

  it('npm run backfill loads the history through the same processor, and a re-run changes nothing', async () => {
    const args = ['--provider', 'ecb', '--from', '2022-07-06', '--to', '2022-07-08', '--url', dailyUrl];
    const first = await platform.backfill(args);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ snapshots: 3, rates: 3 * PUBLISHED.size, first: '2022-07-06', last: '2022-07-08' });

    const history = await eventually(async () => {
      const all = await scanRates();
      return all.filter((i) => i.pk === 'SERIES#ecb#EUR').length === 3 ? all : undefined;
    }, 60_000, 'three days of history');
    expect(history.filter((i) => i.pk === 'SERIES#ecb#EUR').map((i) => i.rateDate)).toEqual(['2022-07-06', '2022-07-07', '2022-07-08']);
    // Older days do not move the latest publication back.
    expect(history.find((i) => i.pk === 'LATEST#ecb#EUR')).toMatchObject({ rateDate: '2022-07-08', inForceFrom: '2022-07-08T14:00:00.000Z' });

    const before = await queueActivity(platform, 'rates');
    const again = await platform.backfill(args);
    expect(again.code).toBe(0);
    // Asserted only once process-rates took the three snapshots and the rates queue is empty.
    await queueSettled(platform, 'rates', before, 3);
    // The re-run's newest day is the latest publication again: it is confirmed (checkedAt moves), nothing else.
    const checked = history.find((i) => i.pk === 'LATEST#ecb#EUR')!.checkedAt;
    expect((await scanRates()).find((i) => i.pk === 'LATEST#ecb#EUR')!.checkedAt > checked).toBe(true);
    expect(withoutChecks(await scanRates())).toEqual(withoutChecks(history));
  });

  it('refuses a mirror serving 2099-12-31: the fetch fails naming it, and nothing stored changes', async () => {
    const before = await scanRates();
    MIRROR['/stats/eurofxref/eurofxref-daily.xml'] = ECB_FILE.replace("time='2022-07-08'", "time='2099-12-31'");

    const pinned = await platform.cli(['invoke', 'fetch-rates']);

    expect(pinned.code).not.toBe(0);
    // An invoke that failed says why on stderr (stdout stays for results).
    expect(pinned.stderr).toMatch(/ecb: publication for 2099-12-31 is in force from 2099-12-31T15:00:00.000Z, later than now .* refused as future-dated/);
    expect(await scanRates()).toEqual(before);
    const { s3 } = platform.clients;
    expect((await listKeys(s3, platform.endpoints.resources.buckets.dataLake, 'raw/rates/')).some((k) => k.includes('2099'))).toBe(false);
  });
});
