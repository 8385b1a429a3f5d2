import type { ObjectStore } from '../ports/object-store';

/** What a stream exporter did with a batch of stream records. */
export interface StreamExportResult {
  readonly exported: number;
  /** Records to retry (their object could not be written): the stream's batchItemFailures. */
  readonly failedSequenceNumbers: readonly string[];
  readonly objectKeys: readonly string[];
}

/** One object a stream exporter writes, and the stream records it carries. */
export interface LakeWrite {
  readonly key: string;
  /** The object, or how to encode it (an encoding error then fails only this object's records). */
  readonly body: Uint8Array | string | (() => Uint8Array | string);
  readonly contentType: string;
  readonly sequenceNumbers: readonly string[];
}

/**
 * Writes the objects side by side. An object that cannot be encoded or written fails only its
 * own records: their sequence numbers come back sorted, for the stream's batchItemFailures.
 */
export async function writeToLake(
  lake: ObjectStore,
  writes: readonly LakeWrite[],
): Promise<{ readonly failedSequenceNumbers: string[]; readonly objectKeys: string[] }> {
  const failed: string[] = [];
  const objectKeys: string[] = [];
  await Promise.all(
    writes.map(async (write) => {
      try {
        await lake.put(write.key, typeof write.body === 'function' ? write.body() : write.body, write.contentType);
        objectKeys.push(write.key);
      } catch {
        failed.push(...write.sequenceNumbers);
      }
    }),
  );
  return { failedSequenceNumbers: [...new Set(failed)].sort(), objectKeys: objectKeys.sort() };
}
