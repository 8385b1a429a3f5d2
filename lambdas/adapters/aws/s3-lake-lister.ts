import type { S3Client } from '@aws-sdk/client-s3';
import type { LakeLister, LakeObject } from '../../ports/warehouse';

/**
 * The lake's objects under a prefix. `client` may be a loader (load-warehouse lists only when it
 * plans): the S3 package is then loaded on the first listing, not at cold start, and the
 * paginator comes from a dynamic import for the same reason, as in s3-object-store.ts.
 */
export function s3LakeLister(client: S3Client | (() => Promise<S3Client>), bucket: string): LakeLister {
  return {
    async list(prefix) {
      const { paginateListObjectsV2 } = await import('@aws-sdk/client-s3');
      const s3 = typeof client === 'function' ? await client() : client;
      const objects: LakeObject[] = [];
      for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
        for (const o of page.Contents ?? []) {
          if (o.Key && o.LastModified) objects.push({ key: o.Key, lastModified: o.LastModified.toISOString() });
        }
      }
      return objects;
    },
  };
}
