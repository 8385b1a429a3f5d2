import '../lib/local-platform/esm-only-packages';
import { createSimulatedRateProvider } from '../lambdas/adapters/simulated/simulated-rate-provider';
import { singleSourcePolicy } from '../lib/config/stage-config';
import type { BenchFigure } from './figures';
import { convertInProcess } from './in-memory-api';
import { latencyFigures } from './latency';

const WARMUP = 500;
const ITERATIONS = 10_000;
/** The target of the issue: a conversion in-process within a millisecond at p99. */
const MAX_P99_MS = 1;

/**
 * GET /v1/convert in-process, event to response: routing, claims, validation, the cross from the
 * simulated EUR feed (fiat crosses, a 3-digit currency, coins both ways), rounding, JSON.
 */
export async function run(): Promise<BenchFigure[]> {
  const clock = () => new Date(Date.UTC(2026, 0, 1, 12));
  const { snapshot } = await createSimulatedRateProvider({ clock }).fetchLatest();
  const convert = convertInProcess([snapshot], singleSourcePolicy('simulated'), clock());
  const requests: [string, string, string][] = [
    ['USD', 'JPY', '1250.50'],
    ['GBP', 'KWD', '99.999'],
    ['EUR', 'BTC', '10000'],
    ['ETH', 'USD', '0.75'],
    ['IDR', 'CHF', '123456789.12'],
  ];

  const timings: number[] = [];
  for (let i = 0; i < WARMUP + ITERATIONS; i++) {
    const started = process.hrtime.bigint();
    const result = await convert(...requests[i % requests.length]);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (result.statusCode !== 200) throw new Error(`convert answered ${result.statusCode}: ${result.body}`);
    if (i >= WARMUP) timings.push(ms);
  }
  return latencyFigures(`GET /v1/convert in-process (event to response, rates in memory, ${ITERATIONS.toLocaleString('en-US')} calls)`, timings, MAX_P99_MS);
}
