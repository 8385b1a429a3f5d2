// PGlite (PostgreSQL in WebAssembly) in its own thread: it loads its WebAssembly with a dynamic
// import that jest's module sandbox refuses, and a load's CPU work stays off the caller's thread.
// Plain JavaScript so it runs under any loader. Protocol: see local-warehouse.ts.
import { Blob } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

const pg = await PGlite.create(workerData.dataDir ? { dataDir: workerData.dataDir } : {});
const types = await pg.query('SELECT oid::int AS oid, format_type(oid, NULL) AS name FROM pg_type');
const typeNames = new Map(types.rows.map((t) => [t.oid, t.name]));
// Every type as PostgreSQL prints it: numerics keep every digit, timestamps their microseconds.
const asText = Object.fromEntries(types.rows.map((t) => [t.oid, (value) => value]));

async function query(sql) {
  const results = await pg.exec(sql, { parsers: asText });
  const last = results.filter((r) => r.fields.length > 0).at(-1);
  if (!last) return { columns: [], rows: [] };
  return {
    columns: last.fields.map((f) => ({ name: f.name, type: typeNames.get(f.dataTypeID) ?? String(f.dataTypeID) })),
    rows: last.rows.map((row) => last.fields.map((f) => row[f.name] ?? null)),
  };
}

/** One transaction: statements, and COPY … FROM '/dev/blob' with the CSV handed over. */
async function transaction(parts) {
  await pg.transaction(async (tx) => {
    for (const part of parts) {
      if (part.csv === undefined) await tx.exec(part.sql);
      else await tx.query(part.sql, [], { blob: new Blob([part.csv]) });
    }
  });
}

parentPort.on('message', async ({ id, op, sql, parts }) => {
  try {
    if (op === 'close') {
      await pg.close();
      parentPort.postMessage({ id, ok: true });
      parentPort.close();
      return;
    }
    const result = op === 'query' ? await query(sql) : await transaction(parts);
    parentPort.postMessage({ id, ok: true, result });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, error: { message: error?.message ?? String(error) } });
  }
});
parentPort.postMessage({ ready: true });
