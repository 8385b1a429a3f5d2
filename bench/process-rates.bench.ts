import { curatedRatesParquet } from '../lambdas/adapters/parquet/curated-rates';
import { createSimulatedRateProvider } from '../lambdas/adapters/simulated/simulated-rate-provider';
import type { RateSnapshot } from '../lambdas/domain/rate-snapshot';
import type { LatestOutcome, RateStore } from '../lambdas/ports/rate-store';
import { processRateSnapshot } from '../lambdas/use-cases/process-rate-snapshot';

/**
 * process-rates hot path in-process: validation, Parquet encoding, change detection and the
 * marshalling the ports receive; AWS calls are stubbed and counted.
 */
export async function run(): Promise<{ name: string; snapshots: number; recordsPerSecond: number; awsRequestsPer1000Records: number }> {
  const snapshots: RateSnapshot[] = [];
  for (let minute = 0; minute < 2_000; minute++) {
    const clock = () => new Date(Date.UTC(2026, 0, 1, 0, minute));
    snapshots.push((await createSimulatedRateProvider({ clock }).fetchLatest()).snapshot);
  }
  let requests = 0;
  const latest = new Map<string, string>();
  const store: RateStore = {
    async putHistory(s) {
      requests += Math.ceil(s.rates.length / 25);
    },
    async advanceLatest(s): Promise<LatestOutcome> {
      requests += s.rates.length;
      const advanced = s.rates.map((r) => {
        const before = latest.get(r.quote);
        latest.set(r.quote, r.rate);
        return {
          quote: r.quote,
          replaced: before
            ? { base: s.base, quote: r.quote, rate: before, orientation: r.orientation ?? 'quote-per-base', asOf: '', provider: s.provider, snapshotId: '' }
            : undefined,
        };
      });
      return { advanced, alreadyLatest: [] };
    },
    async previousRate() {
      requests += 1;
      return undefined;
    },
  };
  const deps = {
    store,
    lake: { put: async () => void (requests += 1) },
    curatedPrefix: 'curated/rates',
    toCurated: curatedRatesParquet,
    rateChanges: { publish: async (m: readonly unknown[]) => void (requests += Math.ceil(m.length / 10)) },
  };
  const records = snapshots.reduce((n, s) => n + s.rates.length, 0);
  const started = process.hrtime.bigint();
  for (const snapshot of snapshots) await processRateSnapshot(deps, JSON.parse(JSON.stringify(snapshot)));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    name: 'process-rates (validate + Parquet + change events, AWS stubbed)',
    snapshots: snapshots.length,
    recordsPerSecond: Math.round(records / seconds),
    awsRequestsPer1000Records: Math.round((requests / records) * 1000),
  };
}
