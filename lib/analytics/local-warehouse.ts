import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { S3Client } from '@aws-sdk/client-s3';
import { quoteIdentifier as q } from '../../lambdas/adapters/parquet/column-types';
import type { LoadStep, WarehouseExecutor } from '../../lambdas/ports/warehouse';
import { openDuckDb, sqlLiteral } from './duckdb';
import { syncLakePrefix } from './lake-cache';
import { parquetSource } from './local-athena';
import { QueryError, type QueryResult } from './query-result';

/** Fills a load step's staging table: the rows of its lake partition as CSV (undefined: none). */
export interface PartitionStager {
  csv(step: LoadStep): Promise<string | undefined>;
}

export interface LocalWarehouse {
  query(sql: string): Promise<QueryResult>;
  /** Runs load steps in PGlite; the staging table is filled from the lake instead of Redshift's COPY. */
  executor(stager: PartitionStager): WarehouseExecutor;
  close(): Promise<void>;
}

type Part = { readonly sql: string; readonly csv?: string };

/**
 * The warehouse on one machine: PostgreSQL (PGlite) persisted in `dataDir` (in memory when
 * absent), in a worker thread. Values come back as PostgreSQL prints them, so numerics keep
 * every digit. Requests run one at a time, like statements on one connection.
 */
export async function openLocalWarehouse(dataDir?: string): Promise<LocalWarehouse> {
  const worker = new Worker(path.join(__dirname, 'warehouse-worker.mjs'), { workerData: { dataDir } });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let exited: Error | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    worker.on('message', (message: { ready?: boolean; id: number; ok: boolean; result?: unknown; error?: { message: string } }) => {
      if (message.ready) return resolve();
      const request = pending.get(message.id);
      pending.delete(message.id);
      if (message.ok) request?.resolve(message.result);
      else request?.reject(new QueryError(message.error?.message ?? 'warehouse request failed'));
    });
    worker.on('error', (error) => {
      exited = error;
      reject(error);
    });
    worker.on('exit', (code) => {
      exited ??= new Error(`the warehouse worker exited (code ${code})`);
      reject(exited);
      for (const request of pending.values()) request.reject(exited);
      pending.clear();
    });
  });
  await ready;
  const send = <T>(message: Record<string, unknown>): Promise<T> => {
    if (exited) return Promise.reject(exited);
    const id = ++nextId;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      worker.postMessage({ id, ...message });
    });
  };
  const transaction = (parts: readonly Part[]) => send<void>({ op: 'transaction', parts });
  return {
    query: (sql) => send<QueryResult>({ op: 'query', sql }),
    executor(stager) {
      return {
        run: (_name, statements) => transaction(statements.map((sql) => ({ sql }))),
        async load(step) {
          const csv = await stager.csv(step);
          const columns = step.stagingColumns.map(q).join(', ');
          await transaction([
            ...step.before.map((sql) => ({ sql })),
            // Locally in place of Redshift's COPY from S3; the MERGE that follows is the same SQL.
            ...(csv === undefined
              ? []
              : [{ sql: `COPY ${q(step.staging)} (${columns}) FROM '/dev/blob' WITH (FORMAT csv, HEADER true)`, csv }]),
            ...step.after.map((sql) => ({ sql })),
          ]);
        },
      };
    },
    async close() {
      if (exited) return;
      await send({ op: 'close' }).catch(() => undefined);
      await worker.terminate();
    },
  };
}

/**
 * Reads a partition's Parquet objects (mirrored from the S3 emulator) with DuckDB and writes
 * the staging columns as CSV; a column older objects lack is empty (NULL).
 */
export function lakeStager(options: { readonly s3: S3Client; readonly bucket: string; readonly cacheDir: string }): PartitionStager {
  return {
    async csv(step) {
      const files = await syncLakePrefix(options.s3, options.bucket, step.prefix, options.cacheDir);
      if (files.length === 0) return undefined;
      const db = await openDuckDb();
      const dir = mkdtempSync(path.join(tmpdir(), 'fx-stage-'));
      try {
        const source = parquetSource(files);
        const present = new Set((await db.query(`DESCRIBE SELECT * FROM ${source}`)).rows.map((r) => r[0]));
        const select = step.stagingColumns.map((c) => (present.has(c) ? q(c) : `NULL AS ${q(c)}`)).join(', ');
        const file = path.join(dir, 'stage.csv');
        await db.query(`COPY (SELECT ${select} FROM ${source}) TO ${sqlLiteral(file)} (FORMAT csv, HEADER true)`);
        return readFileSync(file, 'utf8');
      } finally {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
