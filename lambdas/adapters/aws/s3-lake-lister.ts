import { paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';
import type { LakeLister, LakeObject } from '../../ports/warehouse';

export function s3LakeLister(client: S3Client, bucket: string): LakeLister {
  return {
    async list(prefix) {
      const objects: LakeObject[] = [];
      for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
        for (const o of page.Contents ?? []) {
          if (o.Key && o.LastModified) objects.push({ key: o.Key, lastModified: o.LastModified.toISOString() });
        }
      }
      return objects;
    },
  };
}
