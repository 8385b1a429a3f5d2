import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoRateSeries } from '../lambdas/adapters/aws/dynamodb-rate-series';
import { s3ObjectStore } from '../lambdas/adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import { parseEcbXml } from '../lambdas/adapters/http/ecb-rate-provider';
import { curatedRatesProblem } from '../lambdas/adapters/parquet/curated-rate-rows';
import { curatedRatesParquet } from '../lambdas/adapters/parquet/curated-rates';
import { createSimulatedRateProvider } from '../lambdas/adapters/simulated/simulated-rate-provider';
import { buildSnapshot, type RateSnapshot } from '../lambdas/domain/rate-snapshot';
import { publicationOf } from '../lambdas/domain/rate-publication';
import { exportRates } from '../lambdas/use-cases/export-rates';
import { processRateSnapshots } from '../lambdas/use-cases/process-rate-snapshot';
import { FUNCTIONS } from '../lib/definitions/functions';
import type { BenchFigure } from './figures';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The target of issue 8: AWS requests process-rates makes per 1,000 rates. */
const TARGET_PER_1000 = 100;
const BATCH = FUNCTIONS['process-rates'].sqsTrigger.batchSize;

/** SDK clients that answer like the services (the latest item's condition included) and count each call. */
function fakeClients() {
  const counts = { dynamodb: 0, s3: 0, sqs: 0 };
  const latest = new Map<string, { inForceFrom: string; checkedAt: string }>();
  const dynamodb = {
    async send(command: { input: Record<string, unknown> }) {
      counts.dynamodb++;
      if ('RequestItems' in command.input) return { UnprocessedItems: {} };
      if ('KeyConditionExpression' in command.input) return { Items: [] };
      const { Item, ExpressionAttributeValues } = (command as PutCommand).input;
      const current = latest.get(Item!.pk as string);
      const values = ExpressionAttributeValues as Record<string, string>;
      const ok = values[':checked'] ? current?.inForceFrom === values[':new'] && current.checkedAt < values[':checked'] : !current || current.inForceFrom < values[':new'];
      if (!ok) {
        throw new ConditionalCheckFailedException({ message: 'condition', $metadata: {}, Item: { inForceFrom: { S: current!.inForceFrom }, checkedAt: { S: current!.checkedAt }, fetchedAt: { S: current!.checkedAt } } });
      }
      latest.set(Item!.pk as string, { inForceFrom: Item!.inForceFrom as string, checkedAt: Item!.checkedAt as string });
      return { Attributes: undefined };
    },
  } as unknown as DynamoDBDocumentClient;
  const s3 = { send: async () => void counts.s3++ } as unknown as S3Client;
  const sqs = {
    async send(command: SendMessageBatchCommand) {
      counts.sqs++;
      return { Successful: command.input.Entries!.map((e) => ({ Id: e.Id })), Failed: [] };
    },
  } as unknown as SQSClient;
  return {
    counts,
    deps: { series: dynamoRateSeries(dynamodb, 'rates'), curatedProblem: curatedRatesProblem, rateChanges: sqsMessagePublisher(sqs, 'rate-changes') },
    exportDeps: { lake: s3ObjectStore(s3, 'lake'), curatedPrefix: 'curated/rates', toCurated: curatedRatesParquet },
  };
}

/** Runs the snapshots through process-rates `perInvocation` at a time; requests per 1,000 rates and rates/s. */
async function measure(snapshots: readonly RateSnapshot[], perInvocation: number) {
  const { counts, deps, exportDeps } = fakeClients();
  const rates = snapshots.reduce((n, s) => n + s.rates.length, 0);
  const started = process.hrtime.bigint();
  for (let i = 0; i < snapshots.length; i += perInvocation) {
    const batch = snapshots.slice(i, i + perInvocation).map((s, j) => ({ messageId: `m-${i + j}`, body: JSON.stringify(s), receiveCount: 1 }));
    const result = await processRateSnapshots(deps, batch);
    if (result.failed.length > 0) throw new Error(`unexpected failure: ${result.failed[0].reason}`);
    // What the rates table's stream then hands export-rates: each stored publication.
    await exportRates(exportDeps, snapshots.slice(i, i + perInvocation).map((publication, j) => ({ sequenceNumber: String(i + j), publication })));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const requests = counts.dynamodb + counts.s3 + counts.sqs;
  return { rates, recordsPerSecond: Math.round(rates / seconds), awsRequestsPer1000Records: Math.round((requests / rates) * 1000) };
}

/** One publication a provider-shaped snapshot per tick: OXR's 170 currencies, CoinGecko's 3 coins. */
function synthetic(provider: 'oxr' | 'coingecko', count: number, everyMs: number, quotes: number): RateSnapshot[] {
  const codes = Array.from({ length: quotes }, (_, i) => `Q${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`);
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(Date.UTC(2026, 0, 1) + i * everyMs);
    return buildSnapshot(provider, 'USD', publicationOf(provider, at.toISOString()), codes.map((quote, j) => ({ quote, rate: `${1 + ((i + j) % 97)}.${String(1000 + j).slice(1)}` })), new Date(at.getTime() + 60_000));
  });
}

/**
 * process-rates in-process, AWS replaced by counting fakes: validation, the history
 * BatchWriteItem, the conditional latest write per series, change events; then export-rates'
 * Parquet encoding and object per publication (what the rates table's stream hands it).
 * - backlog: 2,000 consecutive simulated ticks (17 rates) in SQS batches of the trigger's size;
 * - one snapshot per invocation (steady state: each schedule's snapshot arrives alone), by provider.
 */
export async function run(): Promise<BenchFigure[]> {
  const simulated: RateSnapshot[] = [];
  for (let minute = 0; minute < 2_000; minute++) {
    const clock = () => new Date(Date.UTC(2026, 0, 1, 0, minute, 5));
    simulated.push((await createSimulatedRateProvider({ clock }).fetchLatest()).snapshot);
  }
  const ecbXml = readFileSync(path.join(__dirname, '..', 'test', 'fixtures', 'rates', 'ecb_eurofxref-daily_2022-07-08.xml'), 'utf8');
  const ecbDays = Array.from({ length: 200 }, (_, i) => {
    const day = new Date(Date.UTC(2022, 0, 3) + i * 86_400_000).toISOString().slice(0, 10);
    return parseEcbXml(ecbXml.replace("time='2022-07-08'", `time='${day}'`), new Date('2026-01-01T00:00:00Z'))[0];
  });
  const backlog = await measure(simulated, BATCH);
  const onePerInvocation: [string, RateSnapshot[]][] = [
    ['simulated, 17 rates', simulated.slice(0, 500)],
    ['ECB, 31 rates', ecbDays],
    ['OXR, 170 rates', synthetic('oxr', 200, 3_600_000, 170)],
    ['CoinGecko, 3 coins', synthetic('coingecko', 500, 300_000, 3)],
  ];
  const single: BenchFigure[] = [];
  for (const [what, snapshots] of onePerInvocation) {
    single.push({ figure: `process-rates + export-rates AWS requests per 1,000 rates, one snapshot per invocation (${what})`, value: (await measure(snapshots, 1)).awsRequestsPer1000Records });
  }
  return [
    {
      figure: `process-rates + export-rates AWS requests per 1,000 rates (${backlog.rates.toLocaleString('en-US')} simulated rates in SQS batches of ${BATCH})`,
      value: backlog.awsRequestsPer1000Records,
      target: `<= ${TARGET_PER_1000}`,
      met: backlog.awsRequestsPer1000Records <= TARGET_PER_1000,
      note: 'A snapshot alone in its invocation costs 4 requests (history, Parquet, latest, events) whatever its size: the rows below.',
    },
    { figure: 'process-rates + export-rates rate records/s (one core, AWS stubbed)', value: backlog.recordsPerSecond, unit: 'records/s' },
    ...single,
  ];
}
