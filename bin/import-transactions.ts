#!/usr/bin/env node
import { createReadStream, createWriteStream, existsSync, writeFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import type { MessagePublisher } from '../lambdas/ports/message-publisher';
import { stageConfig } from '../lib/config/stage-config';
import { platformTarget, type PlatformTarget } from '../lib/cli/platform-target';
import { STACK_OUTPUTS } from '../lib/definitions/stack-outputs';
import { csvRecords } from '../lib/import/csv';
import { importTransactions, type ImportOptions, type ImportProgress, type RejectedRow, type SourceFormat } from '../lib/import/import-transactions';
import { dynamoRateSeries } from '../lambdas/adapters/aws/dynamodb-rate-series';
import { finalNoRates, rateSourcesOf } from '../lambdas/use-cases/resolve-rates';
import { RATE_WAIT } from '../lib/definitions/resources';
import { BUILT_IN_MAPPINGS, detectMapping, loadMapping } from '../lib/import/mapper';

const USAGE = `Usage: npm run import:transactions -- <file> [--mapping <${Object.keys(BUILT_IN_MAPPINGS).join('|')}|mapping.json>] [--format csv|ndjson] [--stage dev|prod] [--dry-run]
  Sends a partner's CSV or NDJSON export to the transactions queue, one message per valid row.
  The mapping is detected from the CSV header when not given (NDJSON: native); see lib/import/README.md.
  Rejected rows go to <file>.rejected.jsonl, the summary to <file>.summary.json.
  Without --stage it sends to the running local platform (.local/endpoints.json); --dry-run sends nothing.`;

interface Target {
  readonly queue: MessagePublisher;
  readonly where: string;
  /** Finds rows no rate can ever be found for (before every source's first publication). */
  readonly noRateAt?: ImportOptions['noRateAt'];
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      mapping: { type: 'string' },
      format: { type: 'string' },
      stage: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  });
  const file = positionals[0];
  if (!file || positionals.length > 1) fail('give exactly one file');
  if (!existsSync(file)) fail(`no such file: ${file}`);
  const format = values.format ?? formatOf(file);
  if (format !== 'csv' && format !== 'ndjson') fail('--format must be csv or ndjson (or name the file .csv, .ndjson or .jsonl)');
  const rules = stageConfig(values.stage ?? 'local').transactions.rules;

  const mappingName = values.mapping ?? (format === 'ndjson' ? 'native' : detectMapping(await csvHeader(file)));
  if (!mappingName) fail(`no built-in mapping fits the header of ${file}: pass --mapping with a mapping file`);
  const { name, mapping } = loadMapping(mappingName);
  const target: Target = values['dry-run']
    ? { queue: { publish: async () => undefined }, where: 'nowhere (dry run)' }
    : queueOf(await platformTarget(values.stage), rules.baseCurrency);

  const rejectedFile = `${file}.rejected.jsonl`;
  const rejected = createWriteStream(rejectedFile);
  console.error(`Importing ${file} (${format}, mapping ${name}) into ${target.where}`);
  const summary = await importTransactions({
    format,
    chunks: createReadStream(file, { encoding: 'utf8' }),
    mapping,
    transactionsQueue: target.queue,
    reject: (row) => writeLine(rejected, row),
    now: new Date(),
    maxFutureSkewSeconds: rules.maxFutureSkewSeconds,
    noRateAt: target.noRateAt,
    onProgress: progressLine,
  }).finally(() => new Promise((resolve) => rejected.end(resolve)));
  if (process.stderr.isTTY) process.stderr.write('\n');

  const report = { file, format, mapping: name, target: target.where, ...summary, rejectedFile };
  writeFileSync(`${file}.summary.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(JSON.stringify(report, null, 2));
  console.error(`Accepted ${summary.accepted}, quarantined ${summary.quarantined} (see ${rejectedFile}); process-transactions stores them (re-running is safe).`);
}

function formatOf(file: string): SourceFormat | undefined {
  const extension = path.extname(file).toLowerCase();
  return extension === '.csv' ? 'csv' : extension === '.ndjson' || extension === '.jsonl' ? 'ndjson' : undefined;
}

async function csvHeader(file: string): Promise<string[]> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    for await (const record of csvRecords(stream)) return record.fields.map((field) => field.trim());
    return [];
  } finally {
    stream.destroy();
  }
}

async function writeLine(stream: WriteStream, row: RejectedRow): Promise<void> {
  if (!stream.write(`${JSON.stringify(row)}\n`)) await once(stream, 'drain');
}

function queueOf(target: PlatformTarget, baseCurrency: string): Target {
  const rates = rateSourcesOf(target.ratePolicy, dynamoRateSeries(target.dynamodb, target.output(STACK_OUTPUTS.ratesTableName)));
  return {
    queue: sqsMessagePublisher(target.sqs, target.output(STACK_OUTPUTS.transactionsQueueUrl)),
    where: target.where,
    noRateAt: (transactions) => finalNoRates(rates, baseCurrency, transactions, RATE_WAIT),
  };
}

let lastProgress = 0;
function progressLine({ rows, accepted, quarantined }: ImportProgress): void {
  const line = `${rows} rows read, ${accepted} accepted, ${quarantined} quarantined`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
  else if (Date.now() - lastProgress > 5_000) {
    lastProgress = Date.now();
    console.error(line);
  }
}

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

main().catch((error: Error) => {
  console.error(`import failed: ${error.message}`);
  process.exit(1);
});
