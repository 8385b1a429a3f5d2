import { S3Client } from '@aws-sdk/client-s3';
import { AWS_CLIENT_CONFIG } from './clients';

let s3Client: S3Client | undefined;

/** The S3 client of the execution environment (see clients.ts). */
export function s3(): S3Client {
  // Emulators serve buckets path-style; AWS uses virtual-hosted style.
  s3Client ??= new S3Client({ ...AWS_CLIENT_CONFIG, forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL_S3) });
  return s3Client;
}
