import { backfillRates } from '../../../lambdas/use-cases/backfill-rates';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import type { OutgoingMessage } from '../../../lambdas/ports/message-publisher';
import type { RateProvider } from '../../../lambdas/ports/rate-provider';

/** `count` ECB days from 2024-01-01, one rate each but the last day, which has two. */
function snapshots(count: number): RateSnapshot[] {
  return Array.from({ length: count }, (_, i) => {
    const day = new Date(Date.UTC(2024, 0, 1 + i)).toISOString().slice(0, 10);
    const rates = [{ quote: 'USD', rate: '1.1', orientation: 'quote-per-base' as const }];
    if (i === count - 1) rates.push({ quote: 'JPY', rate: '160', orientation: 'quote-per-base' as const });
    return {
      snapshotId: `ecb-EUR-${day}`,
      provider: 'ecb',
      base: 'EUR',
      rateDate: day,
      inForceFrom: `${day}T15:00:00.000Z`,
      fetchedAt: '2024-06-01T00:00:00.000Z',
      rates,
    } as unknown as RateSnapshot;
  });
}

function fakes(history: RateSnapshot[] | undefined) {
  const puts: { key: string; body: string; contentType: string }[] = [];
  const batches: OutgoingMessage[][] = [];
  const progress: [number, number][] = [];
  const provider = {
    name: 'ecb',
    fetchLatest: () => Promise.reject(new Error('not used')),
    ...(history && { fetchHistory: () => Promise.resolve({ snapshots: history, raw: { body: '<xml/>', contentType: 'application/xml', extension: 'xml' } }) }),
  } as RateProvider;
  const deps = {
    provider,
    lake: { put: async (key: string, body: Uint8Array | string, contentType: string) => void puts.push({ key, body: String(body), contentType }) },
    rawPrefix: 'raw/rates',
    ratesQueue: { publish: async (messages: readonly OutgoingMessage[]) => void batches.push([...messages]) },
    onProgress: (queued: number, total: number) => void progress.push([queued, total]),
  };
  return { deps, puts, batches, progress };
}

describe('backfillRates', () => {
  const range = { from: '2024-01-01', to: '2024-04-30' };

  it('stores the raw payload once and queues every day as one snapshot message, 50 per batch', async () => {
    const history = snapshots(120);
    const { deps, puts, batches, progress } = fakes(history);
    const summary = await backfillRates(deps, range);
    expect(puts).toEqual([{ key: 'raw/rates/provider=ecb/backfill/2024-01-01_2024-04-30.xml', body: '<xml/>', contentType: 'application/xml' }]);
    expect(batches.map((b) => b.length)).toEqual([50, 50, 20]);
    expect(batches.flat().map((m) => m.id)).toEqual(history.map((s) => s.snapshotId));
    expect(JSON.parse(batches[2][19].body)).toEqual(history[119]);
    expect(progress).toEqual([[50, 120], [100, 120], [120, 120]]);
    expect(summary).toEqual({
      provider: 'ecb',
      range,
      snapshots: 120,
      rates: 121,
      first: '2024-01-01',
      last: '2024-04-29',
      rawKey: 'raw/rates/provider=ecb/backfill/2024-01-01_2024-04-30.xml',
    });
  });

  it('queues nothing for a range without publications and says so', async () => {
    const { deps, puts, batches } = fakes([]);
    const summary = await backfillRates(deps, range);
    expect(puts).toHaveLength(1);
    expect(batches).toEqual([]);
    expect(summary).toEqual(expect.objectContaining({ snapshots: 0, rates: 0, first: undefined, last: undefined }));
  });

  it('refuses a provider that publishes no history, before writing anything', async () => {
    const { deps, puts, batches } = fakes(undefined);
    await expect(backfillRates(deps, range)).rejects.toThrow('ecb publishes no history to backfill from');
    expect([puts, batches]).toEqual([[], []]);
  });
});
