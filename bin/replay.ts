#!/usr/bin/env node
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import { checkDayRange } from '../lambdas/domain/rate-snapshot';
import { LAKE_PREFIXES } from '../lambdas/shared/lake-prefixes';
import { commandArgs, countsAfter, finish, progressLine, queueDepth, runCommand, unfinishedNote, usageError, waitWithProgress } from '../lib/cli/command-run';
import { platformTarget, targetQueue } from '../lib/cli/platform-target';
import { quarantinedSince } from '../lib/cli/quarantine-lookup';
import { replayQuarantine, type ReplaySummary } from '../lib/cli/replay-quarantine';
import { STACK_OUTPUTS } from '../lib/definitions/stack-outputs';

const USAGE = `Usage: npm run replay -- quarantine --reason <REASON> [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--stage dev|prod] [--wait MINUTES]
  Puts quarantined transactions back on the transactions queue, e.g. --reason NO_RATE_AT_TIME after
  a backfill brought the rates they lacked, then waits until process-transactions has taken them
  (default 10 minutes; --wait 0 does not wait). --from/--to select quarantine days (dt=, when the
  record arrived). Exits 1 when any was quarantined again, could not be replayed, failed or was not
  processed in time. Without --stage it replays into the running local platform (.local/endpoints.json).`;
const fail: (message: string) => never = usageError(USAGE);

async function main(): Promise<number> {
  const { values, positionals, timeoutMs } = commandArgs(fail, { reason: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } });
  if (positionals[0] !== 'quarantine' || positionals.length !== 1) fail('the only thing to replay is "quarantine"');
  if (!values.reason || !/^[A-Z_]+$/.test(values.reason)) fail('--reason is required, e.g. NO_RATE_AT_TIME');
  try {
    checkDayRange({ from: values.from ?? '0001-01-01', to: values.to ?? '9999-12-31' });
  } catch (error) {
    fail((error as Error).message);
  }
  const deployed = values.stage !== undefined;
  const target = await platformTarget(values.stage);
  const bucket = target.output(STACK_OUTPUTS.dataLakeBucket);
  const queue = targetQueue(target, 'transactions');
  const before = await queueDepth(target.sqs, queue);
  console.error(`Replaying ${values.reason} quarantine of ${target.where}${values.from || values.to ? ` (days ${values.from ?? '…'}..${values.to ?? '…'})` : ''}`);
  const line = progressLine();
  const shown = (s: ReplaySummary) => `${s.objects} object(s) read, ${s.matched} matched, ${s.requeued} re-queued`;
  const startedAt = new Date();
  const requeuedIds = new Set<string>();
  const summary = await replayQuarantine({
    s3: target.s3,
    bucket,
    transactionsQueue: sqsMessagePublisher(target.sqs, queue.url),
    reason: values.reason!,
    from: values.from,
    to: values.to,
    onProgress: (s) => line.show(shown(s)),
    onRequeued: (ids) => ids.forEach((id) => requeuedIds.add(id)),
  });
  line.show(shown(summary));
  line.done();

  // Re-queued is not stored: wait until process-transactions has taken them, then count what it quarantined again.
  const settlement = await waitWithProgress({ sqs: target.sqs, queue, consumer: 'process-transactions', before, timeoutMs, deployed, line }, summary.requeued);
  const again = settlement ? await quarantinedSince(target.s3, bucket, LAKE_PREFIXES.quarantineTransactions, startedAt, requeuedIds) : [];
  const counts = countsAfter(summary.requeued, settlement, again.length);
  const notes: string[] = [];
  if (again.length > 0) {
    const reasons = [...new Set(again.map((q) => q.reason))].join(', ');
    notes.push(`${again.length} record(s) were quarantined again (${reasons}): the cause is not fixed yet.`);
  }
  if (summary.unreplayable > 0) notes.push(`${summary.unreplayable} quarantined line(s) with the reason hold no record to send (a body that was not a JSON object).`);
  if (counts.failed > 0) notes.push(`${counts.failed} in the transactions DLQ: read process-transactions' log, fix, then npm run redrive -- transactions.`);
  const unfinished = unfinishedNote(queue, counts.unfinished, deployed);
  if (unfinished) notes.push(unfinished);
  notes.push('Re-running is safe: a record stored in the meantime is written again to the same item.');
  return finish({
    command: 'replay',
    unit: 'record(s)',
    sent: summary.requeued,
    quarantined: again.length + summary.unreplayable,
    ...counts,
    details: { reason: values.reason, from: values.from ?? null, to: values.to ?? null, where: target.where, ...summary },
    notes,
  });
}

runCommand('replay', main);
