import { mkdirSync, readdirSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, paginateListObjectsV2, type S3Client } from '@aws-sdk/client-s3';

const DOWNLOADS_AT_ONCE = 8;

/**
 * Mirrors the `.parquet` objects under a lake prefix into `<dir>/<key>` through the S3 API
 * (DuckDB has no S3 access offline). An object already there with the same size and
 * modification time is not downloaded again; a file whose object is gone is removed. Files are
 * written to a temporary name and renamed, so a reader never sees half a file.
 */
export async function syncLakePrefix(s3: S3Client, bucket: string, prefix: string, dir: string): Promise<string[]> {
  const wanted = new Map<string, { size: number; modified: Date }>();
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: bucket, Prefix: prefix })) {
    for (const o of page.Contents ?? []) {
      if (o.Key?.endsWith('.parquet') && !o.Key.includes('..')) {
        wanted.set(o.Key, { size: o.Size ?? -1, modified: o.LastModified ?? new Date(0) });
      }
    }
  }
  const keys = [...wanted.keys()].sort();
  const stale = keys.filter((key) => {
    const file = path.join(dir, key);
    try {
      const stat = statSync(file);
      const want = wanted.get(key)!;
      return stat.size !== want.size || stat.mtimeMs !== want.modified.getTime();
    } catch {
      return true;
    }
  });
  for (let i = 0; i < stale.length; i += DOWNLOADS_AT_ONCE) {
    await Promise.all(
      stale.slice(i, i + DOWNLOADS_AT_ONCE).map(async (key) => {
        const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        const bytes = await object.Body!.transformToByteArray();
        const file = path.join(dir, key);
        mkdirSync(path.dirname(file), { recursive: true });
        const temporary = `${file}.${process.pid}.tmp`;
        writeFileSync(temporary, bytes);
        const modified = wanted.get(key)!.modified;
        utimesSync(temporary, modified, modified);
        renameSync(temporary, file);
      }),
    );
  }
  removeUnlisted(path.join(dir, prefix), new Set(keys.map((key) => path.join(dir, key))));
  return keys.map((key) => path.join(dir, key));
}

function removeUnlisted(root: string, keep: ReadonlySet<string>): void {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const full = path.join(root, entry.name);
    if (entry.isDirectory()) removeUnlisted(full, keep);
    else if (!keep.has(full) && !entry.name.endsWith('.tmp')) rmSync(full, { force: true });
  }
}
