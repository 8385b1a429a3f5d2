import { S3Client } from '@aws-sdk/client-s3';
import { s3ClientConfig } from './aws-client-config';

let s3Client: S3Client | undefined;

/** The S3 client of the execution environment (see clients.ts). */
export function s3(): S3Client {
  s3Client ??= new S3Client(s3ClientConfig());
  return s3Client;
}

