import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { QuarantineLine } from '../../lambdas/domain/quarantine';

/**
 * The quarantine lines the processors wrote since `since` for the given transaction ids: what a
 * command that queued those transactions reports as quarantined after processing. Quarantine
 * objects are partitioned by the day the message first arrived (`dt=YYYY-MM-DD`), so only that
 * day onwards is listed.
 */
export async function quarantinedSince(
  s3: S3Client,
  bucket: string,
  prefix: string,
  since: Date,
  transactionIds: ReadonlySet<string>,
): Promise<QuarantineLine[]> {
  const found: QuarantineLine[] = [];
  // Objects written a moment before `since` by a clock a little behind are still ours.
  const notBefore = since.getTime() - 5_000;
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({
        Bucket: bucket,
        Prefix: `${prefix}/`,
        StartAfter: `${prefix}/dt=${new Date(notBefore).toISOString().slice(0, 10)}`,
        ContinuationToken: token,
      }),
    );
    for (const object of page.Contents ?? []) {
      if (!object.Key || (object.LastModified && object.LastModified.getTime() < notBefore)) continue;
      const body = await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: object.Key }))).Body!.transformToString();
      for (const text of body.split('\n')) {
        if (!text) continue;
        const line = JSON.parse(text) as QuarantineLine;
        const id = line.record?.transaction_id;
        if (typeof id === 'string' && transactionIds.has(id)) found.push(line);
      }
    }
    token = page.NextContinuationToken;
  } while (token);
  return found;
}
