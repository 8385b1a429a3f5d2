import type { BenchFigure } from './figures';

/** The q-quantile of ascending timings (nearest rank). */
export function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

/** p50 (context) and p99 (against `maxP99Ms`, with `note` when missed) of a latency sample, in ms. */
export function latencyFigures(what: string, timingsMs: readonly number[], maxP99Ms: number, note?: string): BenchFigure[] {
  const sorted = [...timingsMs].sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  const p99 = round(quantile(sorted, 0.99));
  return [
    { figure: `${what} p50`, value: round(quantile(sorted, 0.5)), unit: 'ms' },
    { figure: `${what} p99`, value: p99, unit: 'ms', target: `<= ${maxP99Ms} ms`, met: p99 <= maxP99Ms, ...(note && p99 > maxP99Ms ? { note } : {}) },
  ];
}
