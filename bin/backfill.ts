#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { s3ObjectStore } from '../lambdas/adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import { createRateProvider } from '../lambdas/adapters/http/rate-providers';
import { checkDayRange, isRateProviderName, RATE_PROVIDERS } from '../lambdas/domain/rate-snapshot';
import { LAKE_PREFIXES } from '../lambdas/shared/lake-prefixes';
import { backfillRates } from '../lambdas/use-cases/backfill-rates';
import { STACK_OUTPUTS, stackNames } from '../lib/definitions/stack-outputs';
import type { EndpointsFile } from '../lib/local-platform/platform';

const USAGE = `Usage: npm run backfill -- --provider <${RATE_PROVIDERS.join('|')}> --from YYYY-MM-DD [--to YYYY-MM-DD] [--url URL] [--stage dev|prod]
  Without --stage it loads into the running local platform (.local/endpoints.json).`;

interface Target {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  readonly bucket: string;
  readonly queueUrl: string;
  readonly where: string;
}

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
  if (!isRateProviderName(provider)) fail(`--provider must be one of ${RATE_PROVIDERS.join(', ')}`);
  if (!values.from) fail('--from is required');
  const range = { from: values.from, to: values.to ?? new Date().toISOString().slice(0, 10) };
  try {
    checkDayRange(range);
  } catch (error) {
    fail((error as Error).message);
  }
  const target = values.stage ? await deployedTarget(values.stage) : localTarget();
  console.error(`Backfilling ${provider} ${range.from}..${range.to} into ${target.where}`);
  const summary = await backfillRates(
    {
      provider: createRateProvider(provider, { baseUrl: values.url }),
      lake: s3ObjectStore(target.s3, target.bucket),
      rawPrefix: LAKE_PREFIXES.rawRates,
      ratesQueue: sqsMessagePublisher(target.sqs, target.queueUrl),
      onProgress: progressBar,
    },
    range,
  );
  console.log(JSON.stringify(summary, null, 2));
  console.error(`Queued ${summary.snapshots} snapshot(s), ${summary.rates} rate(s); process-rates stores them (re-running is safe).`);
}

function localTarget(): Target {
  const dir = process.env.FX_LOCAL_DIR ?? path.join(__dirname, '..', '.local');
  let endpoints: EndpointsFile;
  try {
    endpoints = JSON.parse(readFileSync(path.join(dir, 'endpoints.json'), 'utf8')) as EndpointsFile;
  } catch {
    return fail('the local platform is not running (no .local/endpoints.json): start it with `npm start`, or pass --stage');
  }
  const common = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  return {
    s3: new S3Client({ ...common, endpoint: endpoints.services.s3, forcePathStyle: true }),
    sqs: new SQSClient({ ...common, endpoint: endpoints.services.sqs, useQueueUrlAsEndpoint: false }),
    bucket: endpoints.resources.buckets.dataLake,
    queueUrl: endpoints.resources.queues.rates.url,
    where: 'the local platform',
  };
}

async function deployedTarget(stage: string): Promise<Target> {
  const cloudformation = new CloudFormationClient({});
  const outputs = async (stackName: string) => {
    const result = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    return Object.fromEntries((result.Stacks?.[0]?.Outputs ?? []).map((o) => [o.OutputKey, o.OutputValue]));
  };
  const names = stackNames(stage);
  const [stateful, stateless] = await Promise.all([outputs(names.stateful), outputs(names.stateless)]);
  const bucket = stateful[STACK_OUTPUTS.dataLakeBucket];
  const queueUrl = stateless[STACK_OUTPUTS.ratesQueueUrl];
  if (!bucket || !queueUrl) fail(`stage ${stage} has no ${STACK_OUTPUTS.dataLakeBucket}/${STACK_OUTPUTS.ratesQueueUrl} outputs: deploy it first`);
  return { s3: new S3Client({}), sqs: new SQSClient({}), bucket, queueUrl, where: `stage ${stage}` };
}

function progressBar(done: number, total: number): void {
  const width = 30;
  const filled = Math.round((done / Math.max(total, 1)) * width);
  const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} snapshots`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}${done === total ? '\n' : ''}`);
  else console.error(line);
}

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

main().catch((error: Error) => {
  console.error(`backfill failed: ${error.message}`);
  process.exit(1);
});
