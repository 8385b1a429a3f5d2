import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DuckDBInstance, type Json } from '@duckdb/node-api';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { rational, type Rational } from './rational';

/** An S3 client for the local S3 emulator (path-style, dummy credentials). */
export function localS3(endpoint: string): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** Every key under `prefix`, sorted, following continuation tokens past 1,000 keys. */
export async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken }));
    keys.push(...(page.Contents ?? []).map((o) => o.Key!));
    ContinuationToken = page.NextContinuationToken;
  } while (ContinuationToken);
  return keys.sort();
}

export async function getBytes(s3: S3Client, bucket: string, key: string): Promise<Uint8Array> {
  const result = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return result.Body!.transformToByteArray();
}

/**
 * Runs SQL over Parquet objects with DuckDB (the local Athena stand-in), from copies in a temp
 * dir: `sql` gets the `read_parquet([...])` of all of them, e.g.
 * `(parquet) => \`SELECT rate::VARCHAR AS rate FROM ${parquet}\``.
 */
export async function queryParquet(
  objects: Uint8Array | readonly Uint8Array[],
  sql: (parquet: string) => string,
): Promise<Record<string, Json>[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fx-parquet-'));
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    const files = (objects instanceof Uint8Array ? [objects] : objects).map((bytes, i) => {
      const file = path.join(dir, `part-${i}.parquet`);
      writeFileSync(file, bytes);
      return file;
    });
    const reader = await connection.runAndReadAll(sql(`read_parquet([${files.map((f) => `'${f}'`).join(', ')}])`));
    return reader.getRowObjectsJson();
  } finally {
    connection.closeSync();
    instance.closeSync();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One publication of a JSON provider (the simulator), read back from its raw payload. */
export interface Publication {
  readonly inForceFrom: string;
  /** Units of each currency per EUR, from the published digits and their orientation. */
  readonly perEur: ReadonlyMap<string, Rational>;
}

/**
 * The simulated provider's publications (EUR base) as its payloads were kept, verbatim, under
 * raw/rates/provider=simulated/ of the lake, oldest first: the source data e2e expectations are computed from.
 */
export async function rawPublications(s3: S3Client, bucket: string): Promise<Publication[]> {
  const publications: Publication[] = [];
  for (const key of await listKeys(s3, bucket, 'raw/rates/provider=simulated/')) {
    const payload = JSON.parse(Buffer.from(await getBytes(s3, bucket, key)).toString('utf8')) as {
      snapshots: { base: string; inForceFrom: string; rates: { quote: string; rate: string; orientation?: string }[] }[];
    };
    for (const snapshot of payload.snapshots) {
      if (snapshot.base !== 'EUR') throw new Error(`${key}: base ${snapshot.base}, not EUR`);
      const perEur = new Map<string, Rational>([['EUR', rational('1')]]);
      for (const { quote, rate, orientation } of snapshot.rates) {
        perEur.set(quote, orientation === 'base-per-quote' ? rational('1').dividedBy(rate) : rational(rate));
      }
      publications.push({ inForceFrom: snapshot.inForceFrom, perEur });
    }
  }
  return publications.sort((a, b) => a.inForceFrom.localeCompare(b.inForceFrom));
}

/** An object store in memory, for exporters' unit tests: a key `failKeys` names refuses the write. */
export function memoryLake(failKeys: (key: string) => boolean = () => false) {
  const objects = new Map<string, Uint8Array | string>();
  const contentTypes = new Map<string, string>();
  return {
    objects,
    contentTypes,
    /** An object's body as text (the stand-in encoders write text). */
    text: (key: string) => {
      const body = objects.get(key);
      return typeof body === 'string' || body === undefined ? body : new TextDecoder().decode(body);
    },
    lake: {
      async put(key: string, body: Uint8Array | string, contentType: string) {
        if (failKeys(key)) throw new Error('S3 is down');
        objects.set(key, body);
        contentTypes.set(key, contentType);
      },
    },
  };
}

