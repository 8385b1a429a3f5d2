#!/usr/bin/env node
import { QUEUES } from '../lib/definitions/resources';
import { commandArgs, countsAfter, finish, progressLine, queueDepth, runCommand, unfinishedNote, usageError, waitWithProgress } from '../lib/cli/command-run';
import { deployedTarget, isQueueKey, localTarget, targetQueue } from '../lib/cli/platform-target';
import { messageMoveTask, receiveSendDelete } from '../lib/cli/redrive';

const USAGE = `Usage: npm run redrive -- <${Object.keys(QUEUES).join('|')}> [--stage dev|prod] [--wait MINUTES]
  Moves every message of the queue's DLQ back to the queue (deployed: SQS StartMessageMoveTask;
  locally the same with receive, send and delete), then waits until the queue has processed them
  (default 10 minutes; --wait 0 does not wait) and prints how many were processed and how many
  failed again. Exits 1 when any failed again or was not processed in time.
  Without --stage it works on the running local platform (.local/endpoints.json).`;
const fail: (message: string) => never = usageError(USAGE);

async function main(): Promise<number> {
  const { values, positionals, timeoutMs } = commandArgs(fail, {});
  const key = positionals[0] ?? '';
  if (positionals.length !== 1 || !isQueueKey(key))
    return fail(`name one queue: ${Object.keys(QUEUES).join(', ')}`);
  const deployed = values.stage !== undefined;
  const target = deployed ? await deployedTarget(values.stage!) : localTarget();
  const queue = targetQueue(target, key);
  const sqs = target.sqs;

  const before = await queueDepth(sqs, queue);
  if (before.deadLetters === 0) {
    console.error(`The ${key} DLQ on ${target.where} is empty: nothing to redrive.`);
    return finish({
      command: 'redrive',
      unit: 'message(s)',
      sent: 0,
      processed: 0,
      quarantined: 0,
      failed: 0,
      unfinished: 0,
      details: { queue: key, where: target.where },
    });
  }
  console.error(
    `Moving ${before.deadLetters} message(s) from the ${key} DLQ back to the ${key} queue on ${target.where}…`,
  );
  const line = progressLine();
  const move = deployed
    ? messageMoveTask(sqs, queue)
    : receiveSendDelete(sqs, queue, before.deadLetters);
  const moved = await move(({ moved: n, toMove }) => line.show(`moved ${n} of ${toMove}`));
  line.done();

  // What the DLQ gains from here on failed again.
  const afterMove = { ...before, deadLetters: before.deadLetters - moved.moved };
  const notes: string[] = [];
  if (moved.failure)
    notes.push(`The move stopped: ${moved.failure}. What was not moved is still in the DLQ.`);
  const consumer = `the ${key} queue's consumer`;
  const settlement = await waitWithProgress({ sqs, queue, consumer, before: afterMove, timeoutMs, deployed, line }, moved.moved);
  const counts = countsAfter(moved.moved, settlement);
  if (counts.failed > 0) {
    notes.push(
      `${counts.failed} failed again and are back in the DLQ: the cause is not fixed. Read the consumer's log before redriving again.`,
    );
  }
  const unfinished = unfinishedNote(queue, counts.unfinished, deployed);
  if (unfinished) notes.push(unfinished);
  return finish({
    command: 'redrive',
    unit: 'message(s)',
    sent: moved.moved,
    quarantined: 0,
    ...counts,
    failed:
      counts.failed +
      (moved.toMove - moved.moved > 0 && moved.failure ? moved.toMove - moved.moved : 0),
    details: { queue: key, where: target.where, moved: moved.moved, toMove: moved.toMove },
    notes,
  });
}

runCommand('redrive', main);
