import { appendFileSync } from 'node:fs';
import { threadId } from 'node:worker_threads';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';

/** One delivery of a message to the handler, as written to `$DELIVERIES_FILE`. */
export interface Delivery {
  readonly body: string;
  readonly receiveCount: number;
  /** The execution environment (worker thread) that ran it. */
  readonly threadId: number;
}

/**
 * A handler for tests of the local queue poller and function host: each record's body says
 * what to do (`hang`: never answer; `exit`: end the execution environment; `throw-async`: an
 * uncaught exception outside the invocation; `poison`: report the record as a batch item
 * failure; anything else succeeds). Every delivery is appended to `$DELIVERIES_FILE` first.
 */
export async function handler(event: SQSEvent): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  for (const record of event.Records) {
    const delivery: Delivery = { body: record.body, receiveCount: Number(record.attributes.ApproximateReceiveCount), threadId };
    appendFileSync(process.env.DELIVERIES_FILE!, `${JSON.stringify(delivery)}\n`);
    if (record.body === 'hang') await new Promise(() => undefined);
    if (record.body === 'exit') process.exit(1);
    if (record.body === 'throw-async') {
      setImmediate(() => {
        throw new Error('crashed outside the invocation');
      });
      await new Promise(() => undefined);
    }
    if (record.body === 'poison') batchItemFailures.push({ itemIdentifier: record.messageId });
  }
  return { batchItemFailures };
}
