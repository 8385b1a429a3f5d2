import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DeleteTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { dynamoAlertIndex } from '../lambdas/adapters/aws/dynamodb-alert-index';
import { dynamoWatchedPairs } from '../lambdas/adapters/aws/dynamodb-alert-rules';
import { cachedRateTimeline } from '../lambdas/adapters/rate-timeline';
import { policySeries } from '../lambdas/domain/rate-policy';
import { seriesMoves } from '../lambdas/domain/rate-change';
import { buildSnapshot, seriesSnapshotOf, type RateSnapshot } from '../lambdas/domain/rate-snapshot';
import { publicationOf } from '../lambdas/domain/rate-publication';
import type { RateSeriesReader } from '../lambdas/ports/rate-series';
import { documentClientOf } from '../lambdas/shared/clients';
import { evaluateRateChange } from '../lambdas/use-cases/evaluate-alerts';
import { singleSourcePolicy } from '../lib/config/stage-config';
import { TABLES } from '../lib/definitions/resources';
import { startEmulators } from '../lib/local-platform/emulators';
import { createTable } from '../lib/local-platform/provision';
import { armedRule, countRuleItemsRead, putRules } from '../test/support/alerts';
import type { BenchFigure } from './figures';

/** Stored rules per run; `BENCH_ALERT_SIZES=1000,10000` for a quicker run. */
const SIZES = (process.env.BENCH_ALERT_SIZES ?? '1000,10000,100000').split(',').map(Number);
const EVALUATIONS = 30;
const WARMUP_SIZE = 2_000;
const WARMUP = 10;
/** Evaluations on the warm-up table: DynamoDB Local's JVM and Node's JIT settle over the first hundred or so. */
const WARMUP_EVALUATIONS = 150;
/** Thresholds are 0.0001 apart whatever the size, above and below in turn: a rise of 0.0006 crosses 3 above rules. */
const STEP = 0.0006;
const NOW = new Date('2024-01-10T12:00:00.000Z');
const sdk = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** USD/EUR is OXR's published EUR rate itself: each publication sets the pair's rate exactly. */
function publication(i: number, rate: string): RateSnapshot {
  const instant = new Date(Date.parse('2024-01-10T10:00:00.000Z') + i * 1000).toISOString();
  return buildSnapshot('oxr', 'USD', publicationOf('oxr', instant), [{ quote: 'EUR', rate }], new Date('2024-01-10T11:00:00.000Z'));
}

/** Rule i on USD/EUR: thresholds 1.0000, 1.0001, …, above and below in turn. */
const rule = (i: number) =>
  armedRule(`01BENCH${String(i).padStart(19, '0')}`, {
    owner: `partner-${i % 50}`,
    base: 'USD',
    quote: 'EUR',
    condition: i % 2 === 0 ? 'above' : 'below',
    threshold: (1 + i / 10_000).toFixed(4),
    email: `owner-${i}@example.com`,
  });

/** The moved series comes from each event; no other series is read. */
const noSeries: RateSeriesReader = {
  latest: async () => new Map(),
  atOrBefore: async () => [],
  after: async () => ({ items: [], complete: true }),
};

const percentile = (values: readonly number[], q: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(q * values.length))];

/**
 * evaluate-alerts against DynamoDB Local (the real adapters and indexes): 1k, 10k and 100k
 * stored rules on one pair, thresholds 0.0001 apart; each evaluation is one publication that
 * rises 0.0006 and so crosses 3 armed rules. Rule items read are counted from Query's
 * ScannedCount on the two alert indexes (an SDK middleware); e-mail goes to a no-op sender, so
 * the time is the evaluator's own: rate resolution, index queries, claims and state writes.
 */
export async function run(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fx-bench-alerts-'));
  const emulators = await startEmulators({ dataDir: path.join(dir, 'data') });
  const client = new DynamoDBClient({ ...sdk, endpoint: emulators.endpoints.dynamodb, maxAttempts: 10 });
  const documents = documentClientOf(client);
  const counter = countRuleItemsRead(client);
  const policy = singleSourcePolicy('oxr');
  const figures: BenchFigure[] = [];
  const medians: number[] = [];
  try {
    // A small table first, not reported: the first evaluations pay for JIT and connection set-up.
    for (const [run, size] of [WARMUP_SIZE, ...SIZES].entries()) {
      const table = `bench-alerts-${run}-${size}`;
      await createTable(client, table, TABLES.alerts);
      const loadStarted = Date.now();
      await putRules(documents, table, Array.from({ length: size }, (_, i) => rule(i)), 8);
      const loadSeconds = (Date.now() - loadStarted) / 1000;
      const watched = dynamoWatchedPairs(documents, table);
      await watched.watch('USD', 'EUR');
      const deps = {
        rates: { policy, timeline: cachedRateTimeline(noSeries, { series: policySeries(policy), clock: () => NOW }) },
        index: dynamoAlertIndex(documents, table),
        email: { send: async () => ({ messageId: 'bench' }) },
        claimMs: 60_000,
        clock: () => NOW,
      };
      const pairs = await watched.list();
      let previous = publication(0, '1.00005');
      const reads: number[] = [];
      const fired: number[] = [];
      const timings: number[] = [];
      const evaluations = run === 0 ? WARMUP_EVALUATIONS : WARMUP + EVALUATIONS;
      for (let e = 1; e <= evaluations; e++) {
        const current = publication(e, (1.00005 + e * STEP).toFixed(5));
        const [event] = seriesMoves(seriesSnapshotOf(previous), [seriesSnapshotOf(current)]);
        previous = current;
        counter.items = 0;
        const started = process.hrtime.bigint();
        const result = await evaluateRateChange(deps, event, pairs);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (e <= WARMUP) continue;
        reads.push(counter.items);
        fired.push(result.fired);
        timings.push(ms);
      }
      await client.send(new DeleteTableCommand({ TableName: table }));
      if (run === 0) continue;
      const readsPerEvaluation = reads.reduce((a, b) => a + b, 0) / reads.length;
      const firedPerEvaluation = fired.reduce((a, b) => a + b, 0) / fired.length;
      const p50 = percentile(timings, 0.5);
      medians.push(p50);
      const label = `${size.toLocaleString('en-US')} stored rules`;
      figures.push(
        {
          figure: `evaluate-alerts rule items read per evaluation, ${label}`,
          value: Number(readsPerEvaluation.toFixed(2)),
          unit: 'items',
          target: `= rules fired (${firedPerEvaluation.toFixed(2)})`,
          met: reads.every((n, i) => n === fired[i]),
          note: `DynamoDB Local, ${EVALUATIONS} evaluations; ${size.toLocaleString('en-US')} rules loaded in ${loadSeconds.toFixed(1)} s`,
        },
        {
          figure: `evaluate-alerts time per evaluation (p50 / p95), ${label}`,
          value: `${p50.toFixed(1)} / ${percentile(timings, 0.95).toFixed(1)}`,
          unit: 'ms',
        },
      );
    }
    if (medians.length > 1) {
      // Growth with the rules stored: the largest table's median over the smallest's.
      const ratio = medians[medians.length - 1] / medians[0];
      figures.push({
        figure: `evaluate-alerts p50 time at ${SIZES[SIZES.length - 1].toLocaleString('en-US')} / at ${SIZES[0].toLocaleString('en-US')} stored rules`,
        value: Number(ratio.toFixed(2)),
        unit: 'x',
        target: '<= 1.5 (flat)',
        met: ratio <= 1.5,
      });
    }
    return figures;
  } finally {
    client.destroy();
    await emulators.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
