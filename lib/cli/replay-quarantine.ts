import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { MessagePublisher } from '../../lambdas/ports/message-publisher';
import { LAKE_PREFIXES } from '../../lambdas/shared/lake-prefixes';
import { REPLAYED_ATTRIBUTE, type QuarantineLine } from '../../lambdas/use-cases/process-transactions';

export interface ReplayOptions {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly transactionsQueue: MessagePublisher;
  /** Only lines quarantined for this reason, e.g. NO_RATE_AT_TIME. */
  readonly reason: string;
  /** Quarantine days (the dt= partition: when the record first arrived), inclusive, "YYYY-MM-DD". */
  readonly from?: string;
  readonly to?: string;
  readonly onProgress?: (summary: ReplaySummary) => void;
  /** The transaction ids of each batch put back on the queue (to find them in the quarantine again). */
  readonly onRequeued?: (transactionIds: readonly string[]) => void;
}

export interface ReplaySummary {
  /** Quarantine objects read. */
  readonly objects: number;
  /** Lines with the reason. */
  readonly matched: number;
  /** Records put back on the transactions queue. */
  readonly requeued: number;
  /** The same transaction quarantined more than once: sent once. */
  readonly duplicates: number;
  /** Lines with the reason but no record to send (a body that was not a JSON object). */
  readonly unreplayable: number;
}

const BATCH = 100;
const DAY = /\/dt=(\d{4}-\d{2}-\d{2})\//;

/**
 * Re-queues quarantined transactions (after a backfill brought the rates they lacked): each
 * matching line's record goes back on the transactions queue marked as replayed, so
 * process-transactions accepts its user_id_hash in place of the user id it never keeps.
 * A record stored in the meantime is written again to the same item (keyed by transaction_id).
 */
export async function replayQuarantine(options: ReplayOptions): Promise<ReplaySummary> {
  const seen = new Set<string>();
  let pending: { id: string; body: string; attributes: Record<string, string> }[] = [];
  let pendingIds: string[] = [];
  const summary = { objects: 0, matched: 0, requeued: 0, duplicates: 0, unreplayable: 0 };
  const flush = async () => {
    await options.transactionsQueue.publish(pending);
    options.onRequeued?.(pendingIds);
    summary.requeued += pending.length;
    pending = [];
    pendingIds = [];
    options.onProgress?.({ ...summary });
  };
  for await (const key of quarantineKeys(options)) {
    summary.objects += 1;
    const text = await readText(options.s3, options.bucket, key);
    for (const line of text.split('\n').filter((l) => l.trim() !== '')) {
      const { reason, record } = JSON.parse(line) as QuarantineLine;
      if (reason !== options.reason) continue;
      summary.matched += 1;
      const id = record && typeof record.transaction_id === 'string' ? record.transaction_id : undefined;
      if (!record || !id) {
        summary.unreplayable += 1;
        continue;
      }
      if (seen.has(id)) {
        summary.duplicates += 1;
        continue;
      }
      seen.add(id);
      pending.push({ id: `r${seen.size}`, body: JSON.stringify(record), attributes: { [REPLAYED_ATTRIBUTE]: 'quarantine' } });
      pendingIds.push(id);
      if (pending.length >= BATCH) await flush();
    }
  }
  await flush();
  return summary;
}

async function* quarantineKeys(options: ReplayOptions): AsyncGenerator<string> {
  let ContinuationToken: string | undefined;
  do {
    const page = await options.s3.send(
      new ListObjectsV2Command({ Bucket: options.bucket, Prefix: `${LAKE_PREFIXES.quarantineTransactions}/dt=`, ContinuationToken }),
    );
    for (const { Key } of page.Contents ?? []) {
      const day = Key && DAY.exec(Key)?.[1];
      if (!day || (options.from && day < options.from) || (options.to && day > options.to)) continue;
      yield Key!;
    }
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
}

async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const { Body } = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Body ? Body.transformToString('utf8') : '';
}
