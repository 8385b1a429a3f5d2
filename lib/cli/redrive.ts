import {
  DeleteMessageBatchCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { TargetQueue } from './platform-target';

export interface MoveProgress {
  readonly moved: number;
  /** What the move set out to move (the DLQ's count when it started). */
  readonly toMove: number;
}

export interface MoveResult extends MoveProgress {
  /** Why the move stopped early (the task failed or was cancelled). */
  readonly failure?: string;
}

/** Moves a DLQ's messages back to its source queue. */
export type MessageMover = (onProgress: (progress: MoveProgress) => void) => Promise<MoveResult>;

/**
 * SQS's own redrive (what the console's "Start DLQ redrive" runs): StartMessageMoveTask from the
 * DLQ to the queue, followed with ListMessageMoveTasks until it completes, fails or is cancelled.
 */
export function messageMoveTask(sqs: SQSClient, queue: TargetQueue, pollMs = 5_000): MessageMover {
  if (!queue.arn || !queue.dlqArn) throw new Error(`no ARNs for ${queue.label}: StartMessageMoveTask needs a deployed queue`);
  const { arn, dlqArn } = queue;
  return async (onProgress) => {
    const { TaskHandle } = await sqs.send(new StartMessageMoveTaskCommand({ SourceArn: dlqArn, DestinationArn: arn }));
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
      const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: dlqArn, MaxResults: 10 }));
      const task = Results.find((t) => t.TaskHandle === TaskHandle) ?? Results[0];
      if (!task) continue;
      const progress = { moved: task.ApproximateNumberOfMessagesMoved ?? 0, toMove: task.ApproximateNumberOfMessagesToMove ?? 0 };
      onProgress(progress);
      if (task.Status === 'COMPLETED') return progress;
      if (task.Status === 'FAILED' || task.Status === 'CANCELLED') {
        return { ...progress, failure: `the move task ${task.Status.toLowerCase()}${task.FailureReason ? `: ${task.FailureReason}` : ''}` };
      }
    }
  };
}

/**
 * The same effect with the plain SQS API, for an emulator without StartMessageMoveTask (fauxqs):
 * receive from the DLQ, send body and attributes to the queue, delete from the DLQ what was sent.
 * A message is deleted only after its copy is on the queue, so a crash may duplicate, never lose.
 * It moves at most the `toMove` messages the DLQ held when it started.
 */
export function receiveSendDelete(sqs: SQSClient, queue: TargetQueue, toMove: number): MessageMover {
  return async (onProgress) => {
    let moved = 0;
    while (moved < toMove) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queue.dlqUrl,
          MaxNumberOfMessages: Math.min(10, toMove - moved),
          VisibilityTimeout: 60,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      const sent = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queue.url,
          Entries: Messages.map((m, i) => ({ Id: String(i), MessageBody: m.Body ?? '', MessageAttributes: m.MessageAttributes })),
        }),
      );
      const ok = new Set((sent.Successful ?? []).map((s) => Number(s.Id)));
      const done = Messages.filter((_, i) => ok.has(i));
      if (done.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queue.dlqUrl,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
      moved += done.length;
      onProgress({ moved, toMove });
      const refused = sent.Failed ?? [];
      if (refused.length > 0) {
        return { moved, toMove, failure: `the queue refused ${refused.length} message(s): ${refused[0].Code} ${refused[0].Message ?? ''}`.trim() };
      }
    }
    return { moved, toMove };
  };
}
