#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { s3ObjectStore } from '../lambdas/adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import { createRateProvider } from '../lambdas/adapters/http/rate-providers';
import { checkDayRange, isRateProviderName, RATE_PROVIDERS } from '../lambdas/domain/rate-snapshot';
import { LAKE_PREFIXES } from '../lambdas/shared/lake-prefixes';
import { backfillRates } from '../lambdas/use-cases/backfill-rates';
import { command, type Command } from '../lib/cli/command';
import { platformTarget } from '../lib/cli/platform-target';
import { STACK_OUTPUTS } from '../lib/definitions/stack-outputs';

const USAGE = `Usage: npm run backfill -- --provider <${RATE_PROVIDERS.join('|')}> --from YYYY-MM-DD [--to YYYY-MM-DD] [--url URL] [--stage dev|prod]
  Without --stage it loads into the running local platform (.local/endpoints.json).`;
const cli: Command = command('backfill', USAGE);

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      provider: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      url: { type: 'string' },
      stage: { type: 'string' },
    },
  });
  const provider = values.provider ?? '';
  if (!isRateProviderName(provider)) cli.fail(`--provider must be one of ${RATE_PROVIDERS.join(', ')}`);
  if (!values.from) cli.fail('--from is required');
  const range = { from: values.from, to: values.to ?? new Date().toISOString().slice(0, 10) };
  try {
    checkDayRange(range);
  } catch (error) {
    cli.fail((error as Error).message);
  }
  const target = await platformTarget(values.stage);
  console.error(`Backfilling ${provider} ${range.from}..${range.to} into ${target.where}`);
  const summary = await backfillRates(
    {
      provider: createRateProvider(provider, { baseUrl: values.url }),
      lake: s3ObjectStore(target.s3, target.output(STACK_OUTPUTS.dataLakeBucket)),
      rawPrefix: LAKE_PREFIXES.rawRates,
      ratesQueue: sqsMessagePublisher(target.sqs, target.output(STACK_OUTPUTS.ratesQueueUrl)),
      onProgress: progressBar,
    },
    range,
  );
  console.log(JSON.stringify(summary, null, 2));
  console.error(`Queued ${summary.snapshots} snapshot(s), ${summary.rates} rate(s); process-rates stores them (re-running is safe).`);
}

function progressBar(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  cli.progress(`[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} snapshots`, done === total);
}

cli.run(main);
