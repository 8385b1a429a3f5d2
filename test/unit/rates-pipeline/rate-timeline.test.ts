import { cachedRateTimeline } from '../../../lambdas/adapters/rate-timeline';
import type { SeriesKey } from '../../../lambdas/domain/rate-policy';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { memoryRateSeries, snapshotOf } from '../../support/rates';

const COIN: SeriesKey = { provider: 'coingecko', base: 'USD' };
const ECB: SeriesKey = { provider: 'ecb', base: 'EUR' };
const MINUTE = 60_000;
const START = Date.parse('2024-01-10T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

/** A CoinGecko price every 5 minutes over one day, and two ECB days. */
const coins = Array.from({ length: 289 }, (_, i) => snapshotOf(iso(START + i * 5 * MINUTE), [{ quote: 'BTC', rate: String(43000 + i), orientation: 'base-per-quote' }], { provider: 'coingecko', base: 'USD' }));
const ecb = [snapshotOf('2024-01-09', { USD: '1.0940' }), snapshotOf('2024-01-10', { USD: '1.0950' })];

function timeline(snapshots: RateSnapshot[], options: { checkedAt?: string; now?: () => number } = {}) {
  const reader = memoryRateSeries(snapshots, () => options.checkedAt ?? iso(START + 25 * 60 * MINUTE));
  let now = options.now ?? (() => START + 26 * 60 * MINUTE);
  const t = cachedRateTimeline(reader, { series: [ECB, COIN], clock: () => new Date(now()) });
  return { reader, t, setNow: (f: () => number) => (now = f) };
}

describe('cachedRateTimeline', () => {
  it('reads a day of transactions in time order with a handful of reads, answering as the history says', async () => {
    const { reader, t } = timeline([...coins, ...ecb]);
    const instants = Array.from({ length: 1000 }, (_, i) => iso(START + 10_000 + i * 86_000));

    for (let i = 0; i < instants.length; i += 100) {
      const batch = instants.slice(i, i + 100);
      const lookup = await t.load(batch.flatMap((at) => [{ key: COIN, at }, { key: ECB, at }]));
      for (const at of batch) {
        const expected = coins.filter((c) => c.inForceFrom <= at).at(-1)!;
        expect(lookup(COIN, at)?.inForce?.snapshotId).toBe(expected.snapshotId);
        expect(lookup(ECB, at)?.inForce?.rateDate).toBe(at < ecb[1].inForceFrom ? '2024-01-09' : '2024-01-10');
      }
    }
    // One BatchGetItem for both latest items; per series, one point Query and one read-ahead per 100 publications.
    expect(reader.reads).toBeLessThanOrEqual(1 + 2 + 3 * 2);
  });

  it('answers a settled instant from memory, and reads the latest items again only for an instant they may not settle', async () => {
    const { reader, t, setNow } = timeline([...coins, ...ecb], { checkedAt: iso(START + 24 * 60 * MINUTE) });
    const settled = iso(START + 23 * 60 * MINUTE);
    const open = iso(START + 24 * 60 * MINUTE + 1);

    await t.load([{ key: COIN, at: settled }]);
    const afterFirst = reader.reads;
    await t.load([{ key: COIN, at: settled }]);
    expect(reader.reads).toBe(afterFirst);

    const lookup = await t.load([{ key: COIN, at: open }]);
    expect(lookup(COIN, open)).toMatchObject({ inForce: { snapshotId: coins.at(-1)!.snapshotId }, settledUntil: iso(START + 24 * 60 * MINUTE) });
    // Within a second the same unsettled instant is answered from memory; later it is read again.
    const afterOpen = reader.reads;
    await t.load([{ key: COIN, at: open }]);
    expect(reader.reads).toBe(afterOpen);
    setNow(() => START + 26 * 60 * MINUTE + 5_000);
    expect(lookup(COIN, open)).toBeDefined();
    const later = await t.load([{ key: COIN, at: open }]);
    expect(reader.reads).toBe(afterOpen + 1);
    expect(later(COIN, open)).toBeDefined();
  });

  it('knows a series with nothing stored, and a time before its first publication', async () => {
    const { t } = timeline(ecb);

    const lookup = await t.load([{ key: COIN, at: iso(START) }, { key: ECB, at: '2024-01-08T12:00:00.000Z' }]);

    expect(lookup(COIN, iso(START))).toEqual({});
    expect(lookup(ECB, '2024-01-08T12:00:00.000Z')).toMatchObject({ inForce: undefined, latest: { rateDate: '2024-01-10' } });
  });

  it('reads history again after its time to live, so a backfill is seen', async () => {
    const { reader, t, setNow } = timeline([...coins, ...ecb]);
    const at = iso(START + 60 * MINUTE);
    await t.load([{ key: COIN, at }]);
    const reads = reader.reads;

    await t.load([{ key: COIN, at }]);
    expect(reader.reads).toBe(reads);
    setNow(() => START + 26 * 60 * MINUTE + 61_000);
    await t.load([{ key: COIN, at }]);
    expect(reader.reads).toBeGreaterThan(reads);
  });
});
