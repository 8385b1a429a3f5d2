#!/usr/bin/env node
import {
  createReadStream,
  createWriteStream,
  existsSync,
  writeFileSync,
  type WriteStream,
} from 'node:fs';
import { once } from 'node:events';
import * as path from 'node:path';
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import type { MessagePublisher } from '../lambdas/ports/message-publisher';
import { LAKE_PREFIXES } from '../lambdas/shared/lake-prefixes';
import { stageConfig } from '../lib/config/stage-config';
import { dynamoRateSeries } from '../lambdas/adapters/aws/dynamodb-rate-series';
import { finalNoRates, rateSourcesOf } from '../lambdas/use-cases/resolve-rates';
import {
  countsAfter,
  finish,
  outcomeJson,
  progressLine,
  queueDepth,
  runCommand,
  unfinishedNote,
  usageError,
  commandArgs,
  waitWithProgress,
  type CommandOutcome,
} from '../lib/cli/command-run';
import { platformTarget, targetQueue, type PlatformTarget } from '../lib/cli/platform-target';
import { quarantinedSince } from '../lib/cli/quarantine-lookup';
import { RATE_WAIT } from '../lib/definitions/resources';
import { STACK_OUTPUTS } from '../lib/definitions/stack-outputs';
import { csvRecords } from '../lib/import/csv';
import { importTransactions, type ImportOptions, type RejectedRow, type SourceFormat } from '../lib/import/import-transactions';
import { BUILT_IN_MAPPINGS, detectMapping, loadMapping } from '../lib/import/mapper';

const USAGE = `Usage: npm run import:transactions -- <file> [--mapping <${Object.keys(BUILT_IN_MAPPINGS).join('|')}|mapping.json>] [--format csv|ndjson] [--stage dev|prod] [--wait MINUTES] [--dry-run]
  Sends a partner's CSV or NDJSON export to the transactions queue, one message per valid row,
  then waits until process-transactions has taken them (default 10 minutes; --wait 0 does not wait).
  The mapping is detected from the CSV header when not given (NDJSON: native); see lib/import/README.md.
  Rejected rows (by the import, or quarantined by process-transactions) go to <file>.rejected.jsonl,
  the summary to <file>.summary.json. Exits 1 when any row was rejected, failed or not processed in time.
  Without --stage it sends to the running local platform (.local/endpoints.json); --dry-run sends nothing.`;
const fail: (message: string) => never = usageError(USAGE);

async function main(): Promise<number> {
  const args = commandArgs(fail, {
    mapping: { type: 'string' },
    format: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  });
  const { values, positionals } = args;
  const file = positionals[0];
  if (!file || positionals.length > 1) fail('give exactly one file');
  if (!existsSync(file)) fail(`no such file: ${file}`);
  const format = values.format ?? formatOf(file);
  if (format !== 'csv' && format !== 'ndjson')
    fail('--format must be csv or ndjson (or name the file .csv, .ndjson or .jsonl)');
  const rules = stageConfig(values.stage ?? 'local').transactions.rules;

  const mappingName =
    values.mapping ?? (format === 'ndjson' ? 'native' : detectMapping(await csvHeader(file)));
  if (!mappingName)
    fail(`no built-in mapping fits the header of ${file}: pass --mapping with a mapping file`);
  const { name, mapping } = loadMapping(mappingName);
  const timeoutMs = values['dry-run'] ? 0 : args.timeoutMs;
  const deployed = values.stage !== undefined;
  const platform = values['dry-run'] ? undefined : await platformTarget(values.stage);
  const queue = platform ? targetQueue(platform, 'transactions') : undefined;
  const before = platform && queue && timeoutMs > 0 ? await queueDepth(platform.sqs, queue) : undefined;
  // The ids sent, to find the processor's quarantine lines for them afterwards.
  const sentIds = new Set<string>();
  const publisher: MessagePublisher =
    platform && queue
      ? sqsMessagePublisher(platform.sqs, queue.url)
      : { publish: async () => undefined };
  const transactionsQueue: MessagePublisher = {
    async publish(messages) {
      await publisher.publish(messages);
      for (const m of messages) sentIds.add(m.id);
    },
  };
  const where = platform?.where ?? 'nowhere (dry run)';

  const rejectedFile = `${file}.rejected.jsonl`;
  const rejected = createWriteStream(rejectedFile);
  const startedAt = new Date();
  const line = progressLine();
  console.error(`Importing ${file} (${format}, mapping ${name}) into ${where}`);
  let summary;
  try {
    summary = await importTransactions({
      format,
      chunks: createReadStream(file, { encoding: 'utf8' }),
      mapping,
      transactionsQueue,
      reject: (row) => writeLine(rejected, row),
      now: startedAt,
      maxFutureSkewSeconds: rules.maxFutureSkewSeconds,
      noRateAt: platform && noRateCheck(platform, rules.baseCurrency),
      onProgress: ({ rows, accepted, quarantined }) =>
        line.show(`${rows} rows read, ${accepted} queued, ${quarantined} rejected`),
    });
  } finally {
    line.done();
  }

  // Queued is not stored: wait until process-transactions has taken them, then count what it quarantined.
  let processorQuarantined = 0;
  const notes: string[] = [];
  const settlement =
    platform && queue && before
      ? await waitWithProgress({ sqs: platform.sqs, queue, consumer: 'process-transactions', before, timeoutMs, deployed, line }, summary.accepted)
      : undefined;
  if (platform && settlement) {
    const lines = await quarantinedSince(platform.s3, platform.output(STACK_OUTPUTS.dataLakeBucket), LAKE_PREFIXES.quarantineTransactions, startedAt, sentIds);
    processorQuarantined = lines.length;
    for (const q of lines) await writeLine(rejected, { line: null, reason: q.reason, detail: q.detail, record: q.record, by: 'process-transactions' });
    if (processorQuarantined > 0) {
      notes.push(`${processorQuarantined} queued row(s) were quarantined by process-transactions (in ${rejectedFile} with "by": "process-transactions").`);
    }
  }
  // A dry run processes nothing: the rows it would send count as processed.
  const counts = values['dry-run'] ? { processed: summary.accepted, failed: 0, unfinished: 0 } : countsAfter(summary.accepted, settlement, processorQuarantined);
  if (counts.failed > 0) notes.push(`${counts.failed} in the transactions DLQ: read process-transactions' log, fix, then npm run redrive -- transactions.`);
  const unfinished = queue && unfinishedNote(queue, counts.unfinished, deployed);
  if (unfinished) notes.push(unfinished);
  await new Promise((resolve) => rejected.end(resolve));
  if (summary.quarantined > 0)
    notes.unshift(
      `${summary.quarantined} row(s) rejected before sending, with their reasons, in ${rejectedFile}.`,
    );
  if (values['dry-run']) notes.push('Dry run: nothing was sent.');

  const report = { file, format, mapping: name, target: where, ...summary, rejectedFile };
  const outcome: CommandOutcome = {
    command: 'import',
    unit: 'transaction(s)',
    sent: summary.accepted,
    quarantined: summary.quarantined + processorQuarantined,
    ...counts,
    details: report,
    notes,
  };
  writeFileSync(`${file}.summary.json`, `${JSON.stringify(outcomeJson(outcome), null, 2)}\n`);
  return finish(outcome);
}

function formatOf(file: string): SourceFormat | undefined {
  const extension = path.extname(file).toLowerCase();
  return extension === '.csv'
    ? 'csv'
    : extension === '.ndjson' || extension === '.jsonl'
      ? 'ndjson'
      : undefined;
}

async function csvHeader(file: string): Promise<string[]> {
  const stream = createReadStream(file, { encoding: 'utf8' });
  try {
    for await (const record of csvRecords(stream))
      return record.fields.map((field) => field.trim());
    return [];
  } finally {
    stream.destroy();
  }
}

/** A row the import rejected, or (`line: null`, `by`) one the processor quarantined after it was queued. */
type RejectsLine =
  RejectedRow | (Omit<RejectedRow, 'line'> & { readonly line: null; readonly by: string });

async function writeLine(stream: WriteStream, row: RejectsLine): Promise<void> {
  if (!stream.write(`${JSON.stringify(row)}\n`)) await once(stream, 'drain');
}

/** Finds rows no rate can ever be found for (before every source's first publication). */
function noRateCheck(target: PlatformTarget, baseCurrency: string): ImportOptions['noRateAt'] {
  const rates = rateSourcesOf(target.ratePolicy, dynamoRateSeries(target.dynamodb, target.output(STACK_OUTPUTS.ratesTableName)));
  return (transactions) => finalNoRates(rates, baseCurrency, transactions, RATE_WAIT);
}

runCommand('import', main);
