import type { SQSClient } from '@aws-sdk/client-sqs';
import { chunk } from '../../shared/retry';

/**
 * Sets when received messages come back (ChangeMessageVisibilityBatch, ten a call). A message
 * whose visibility could not be changed keeps the queue's timeout: it comes back later, never
 * lost. Returns the receipt handles left unchanged. The client may be given as a loader, so SQS
 * stays out of the cold start of a function that defers only now and then.
 */
export function sqsRetryLater(client: SQSClient | (() => Promise<SQSClient>), queueUrl: string) {
  return async (entries: readonly { readonly receiptHandle: string; readonly seconds: number }[]): Promise<string[]> => {
    if (entries.length === 0) return [];
    const { ChangeMessageVisibilityBatchCommand } = await import('@aws-sdk/client-sqs');
    const sqs = typeof client === 'function' ? await client() : client;
    const unchanged: string[] = [];
    for (const batch of chunk(entries, 10)) {
      try {
        const result = await sqs.send(
          new ChangeMessageVisibilityBatchCommand({
            QueueUrl: queueUrl,
            Entries: batch.map((e, i) => ({ Id: String(i), ReceiptHandle: e.receiptHandle, VisibilityTimeout: e.seconds })),
          }),
        );
        unchanged.push(...(result.Failed ?? []).map((f) => batch[Number(f.Id)].receiptHandle));
      } catch {
        unchanged.push(...batch.map((e) => e.receiptHandle));
      }
    }
    return unchanged;
  };
}
