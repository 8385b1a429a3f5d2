import type { S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '../../ports/object-store';

/**
 * Objects in one bucket. `client` may be a loader, for a function that writes rarely: the S3
 * package is then loaded on the first put, not at cold start (README "Lean bundles"). The
 * command comes from a dynamic import for the same reason (Node caches the module).
 */
export function s3ObjectStore(client: S3Client | (() => Promise<S3Client>), bucket: string): ObjectStore {
  return {
    async put(key, body, contentType) {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      const s3 = typeof client === 'function' ? await client() : client;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
    },
  };
}
