import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';

export function localS3(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const result = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (result.Contents ?? []).map((o) => o.Key!).sort();
}

export async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return result.Body!.transformToByteArray();
}

/** Runs SQL over Parquet objects copied from the lake to a temp dir (DuckDB, the Athena stand-in). */
export async function queryParquet(
  objects: readonly Uint8Array[],
  sql: (files: string) => string,
): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fx-parquet-'));
  try {
    const files = objects.map((bytes, i) => {
      const file = path.join(dir, `part-${i}.parquet`);
      writeFileSync(file, bytes);
      return file;
    });
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    const reader = await connection.runAndReadAll(sql(`read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`));
    const rows = reader.getRowObjectsJson() as Record<string, unknown>[];
    connection.closeSync();
    instance.closeSync();
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
