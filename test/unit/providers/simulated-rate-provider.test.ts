import {
  createSimulatedRateProvider,
  SIMULATED_INSTRUMENTS,
} from '../../../lambdas/adapters/simulated/simulated-rate-provider';
import { Decimal } from '../../../lambdas/domain/decimal';
import { isPlainPositiveDecimal, quotePerBase } from '../../../lambdas/domain/rate-snapshot';

const at = (iso: string) => createSimulatedRateProvider({ seed: 7, clock: () => new Date(iso) });

describe('simulated rate provider', () => {
  it('gives the same publication within the same minute, in force from its tick', async () => {
    const a = (await at('2024-05-01T10:15:03.000Z').fetchLatest()).snapshot;
    const b = (await at('2024-05-01T10:15:59.999Z').fetchLatest()).snapshot;
    expect(a).toMatchObject({ snapshotId: 'simulated-EUR-20240501T101500Z', inForceFrom: '2024-05-01T10:15:00.000Z', rateDate: '2024-05-01' });
    expect({ ...b, fetchedAt: a.fetchedAt }).toEqual(a);
    expect(b.fetchedAt).toBe('2024-05-01T10:15:59.999Z');
  });

  it('gives a new snapshot with new values the next minute', async () => {
    const a = (await at('2024-05-01T10:15:00Z').fetchLatest()).snapshot;
    const b = (await at('2024-05-01T10:16:00Z').fetchLatest()).snapshot;
    expect(b.snapshotId).toBe('simulated-EUR-20240501T101600Z');
    expect(b.rates.map((r) => r.rate)).not.toEqual(a.rates.map((r) => r.rate));
  });

  it('depends on the seed', async () => {
    const clock = () => new Date('2024-05-01T10:15:00Z');
    const one = await createSimulatedRateProvider({ seed: 1, clock }).fetchLatest();
    const two = await createSimulatedRateProvider({ seed: 2, clock }).fetchLatest();
    expect(one.snapshot.rates).not.toEqual(two.snapshot.rates);
  });

  it('publishes 8 significant digits in plain notation, near realistic magnitudes', async () => {
    for (const iso of ['2024-05-01T00:00:00Z', '2024-05-01T23:59:00Z', '2031-12-31T12:34:00Z']) {
      const { snapshot } = await at(iso).fetchLatest();
      expect(snapshot.rates).toHaveLength(SIMULATED_INSTRUMENTS.length);
      for (const [i, published] of snapshot.rates.entries()) {
        expect(isPlainPositiveDecimal(published.rate)).toBe(true);
        expect(published.rate.replace('.', '').replace(/^0+/, '')).toHaveLength(8);
        const ratio = new Decimal(published.rate).div(SIMULATED_INSTRUMENTS[i].anchor).toNumber();
        expect(ratio).toBeGreaterThan(0.7);
        expect(ratio).toBeLessThan(1.3);
      }
    }
  });

  it('covers both orientations, with tiny values', async () => {
    const { snapshot } = await at('2024-05-01T10:15:00Z').fetchLatest();
    const btc = snapshot.rates.find((r) => r.quote === 'BTC')!;
    const eth = snapshot.rates.find((r) => r.quote === 'ETH')!;
    expect(btc.rate).toMatch(/^0\.0000\d{8}$/);
    expect(eth.orientation).toBe('base-per-quote');
    expect(quotePerBase(eth).lt('0.001')).toBe(true);
  });

  it('serves its own JSON as the raw payload, and daily history', async () => {
    const provider = at('2024-05-01T10:15:00Z');
    const { snapshot, raw } = await provider.fetchLatest();
    expect(raw.extension).toBe('json');
    expect(JSON.parse(raw.body).snapshots[0]).toEqual(snapshot);

    const { snapshots } = await provider.fetchHistory!({ from: '2024-04-29', to: '2024-05-01' });
    expect(snapshots.map((s) => s.snapshotId)).toEqual([
      'simulated-EUR-20240429T000000Z',
      'simulated-EUR-20240430T000000Z',
      'simulated-EUR-20240501T000000Z',
    ]);
  });
});
