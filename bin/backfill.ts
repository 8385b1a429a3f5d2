#!/usr/bin/env node
import { s3ObjectStore } from '../lambdas/adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import { createRateProvider } from '../lambdas/adapters/http/rate-providers';
import { checkDayRange, isRateProviderName, RATE_PROVIDERS } from '../lambdas/domain/rate-snapshot';
import { LAKE_PREFIXES } from '../lambdas/shared/lake-prefixes';
import { backfillRates } from '../lambdas/use-cases/backfill-rates';
import { commandArgs, countsAfter, finish, progressLine, queueDepth, runCommand, unfinishedNote, usageError, waitWithProgress } from '../lib/cli/command-run';
import { platformTarget, targetQueue } from '../lib/cli/platform-target';
import { STACK_OUTPUTS } from '../lib/definitions/stack-outputs';

const USAGE = `Usage: npm run backfill -- --provider <${RATE_PROVIDERS.join('|')}> --from YYYY-MM-DD [--to YYYY-MM-DD] [--url URL] [--stage dev|prod] [--wait MINUTES]
  Queues one snapshot per published day on the rates queue, then waits until process-rates has
  taken them (default 10 minutes; --wait 0 does not wait). Exits 1 when any failed or was not
  processed in time. --url points the provider at a mirror (npm run mirror -- <file>).
  Without --stage it loads into the running local platform (.local/endpoints.json).`;
const fail: (message: string) => never = usageError(USAGE);

async function main(): Promise<number> {
  const { values, positionals, timeoutMs } = commandArgs(fail, {
    provider: { type: 'string' },
    from: { type: 'string' },
    to: { type: 'string' },
    url: { type: 'string' },
  });
  if (positionals.length > 0) fail(`unexpected argument: ${positionals[0]}`);
  const provider = values.provider ?? '';
  if (!isRateProviderName(provider)) fail(`--provider must be one of ${RATE_PROVIDERS.join(', ')}`);
  if (!values.from) fail('--from is required');
  const range = { from: values.from, to: values.to ?? new Date().toISOString().slice(0, 10) };
  try {
    checkDayRange(range);
  } catch (error) {
    fail((error as Error).message);
  }
  const deployed = values.stage !== undefined;
  const target = await platformTarget(values.stage);
  const queue = targetQueue(target, 'rates');
  const before = await queueDepth(target.sqs, queue);
  console.error(`Backfilling ${provider} ${range.from}..${range.to} into ${target.where}`);
  const line = progressLine();
  const summary = await backfillRates(
    {
      provider: createRateProvider(provider, { baseUrl: values.url }),
      lake: s3ObjectStore(target.s3, target.output(STACK_OUTPUTS.dataLakeBucket)),
      rawPrefix: LAKE_PREFIXES.rawRates,
      ratesQueue: sqsMessagePublisher(target.sqs, queue.url),
      onProgress: (done, total) => line.show(`queued ${done} of ${total} snapshot(s)`),
    },
    range,
  );
  line.done();

  const settlement = await waitWithProgress({ sqs: target.sqs, queue, consumer: 'process-rates', before, timeoutMs, deployed, line }, summary.snapshots);
  const counts = countsAfter(summary.snapshots, settlement);
  const notes: string[] = [];
  if (counts.failed > 0) {
    notes.push(`${counts.failed} snapshot(s) in the rates DLQ: read process-rates' log, fix, then npm run redrive -- rates.`);
  }
  const unfinished = unfinishedNote(queue, counts.unfinished, deployed);
  if (unfinished) notes.push(unfinished);
  notes.push('Re-running is safe: the same days give the same snapshot ids and change nothing.');
  return finish({ command: 'backfill', unit: 'snapshot(s)', sent: summary.snapshots, quarantined: 0, ...counts, details: { ...summary }, notes });
}

runCommand('backfill', main);
