#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import { checkDayRange } from '../lambdas/domain/rate-snapshot';
import { command, type Command } from '../lib/cli/command';
import { platformTarget } from '../lib/cli/platform-target';
import { replayQuarantine, type ReplaySummary } from '../lib/cli/replay-quarantine';
import { STACK_OUTPUTS } from '../lib/definitions/stack-outputs';

const USAGE = `Usage: npm run replay -- quarantine --reason <REASON> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--stage dev|prod]
  Puts quarantined transactions back on the transactions queue, e.g. --reason NO_RATE_AT_TIME after
  a backfill brought the rates they lacked. --from/--to select quarantine days (dt=, when the record
  arrived). Without --stage it replays into the running local platform (.local/endpoints.json).`;
const cli: Command = command('replay', USAGE);

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { reason: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, stage: { type: 'string' } },
  });
  if (positionals[0] !== 'quarantine' || positionals.length !== 1) cli.fail('the only thing to replay is "quarantine"');
  if (!values.reason || !/^[A-Z_]+$/.test(values.reason)) cli.fail('--reason is required, e.g. NO_RATE_AT_TIME');
  try {
    checkDayRange({ from: values.from ?? '0001-01-01', to: values.to ?? '9999-12-31' });
  } catch (error) {
    cli.fail((error as Error).message);
  }
  const target = await platformTarget(values.stage);
  console.error(`Replaying ${values.reason} quarantine of ${target.where}${values.from || values.to ? ` (days ${values.from ?? '…'}..${values.to ?? '…'})` : ''}`);
  const summary = await replayQuarantine({
    s3: target.s3,
    bucket: target.output(STACK_OUTPUTS.dataLakeBucket),
    transactionsQueue: sqsMessagePublisher(target.sqs, target.output(STACK_OUTPUTS.transactionsQueueUrl)),
    reason: values.reason!,
    from: values.from,
    to: values.to,
    onProgress: (s: ReplaySummary) => cli.progress(`${s.objects} object(s) read, ${s.matched} matched, ${s.requeued} re-queued`),
  });
  cli.progress(`${summary.objects} object(s) read, ${summary.matched} matched, ${summary.requeued} re-queued`, true);
  console.log(JSON.stringify({ reason: values.reason, from: values.from ?? null, to: values.to ?? null, ...summary }, null, 2));
  console.error(`Re-queued ${summary.requeued} record(s) of ${summary.matched} quarantined as ${values.reason}; process-transactions stores them or quarantines them again (re-running is safe).`);
  if (summary.unreplayable > 0) process.exitCode = 1;
}

cli.run(main);
