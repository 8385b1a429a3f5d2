import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { AthenaClient } from '@aws-sdk/client-athena';
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { S3Client } from '@aws-sdk/client-s3';
import { deployedTarget, localDir, readLocalEndpoints, TargetError } from '../cli/platform-target';
import { analyticsNames } from '../definitions/analytics';
import { STACK_OUTPUTS } from '../definitions/stack-outputs';
import { runAthenaQuery, runWarehouseQuery } from './deployed-engines';
import { openLocalAthena } from './local-athena';
import { namedQueries, namedQuery, UnknownQueryError } from './named-queries';
import { formatResult, QueryError, type OutputFormat, type QueryResult } from './query-result';

export const QUERY_USAGE = `Usage:
  npm run query -- athena "<sql>"            [--json | --csv] [--stage <stage>]
  npm run query -- athena --named <name>     [--json | --csv] [--stage <stage>]
  npm run query -- athena --list
  npm run query -- warehouse "<sql>"         [--json | --csv] [--stage <stage>]
Without --stage: the local platform (npm start), Athena on DuckDB as database fx_local, the warehouse on PGlite.
With --stage dev|prod: the deployed Athena workgroup and Redshift Serverless (AWS credentials from the usual chain).`;

export type Engine = 'athena' | 'warehouse';

/** Runs SQL on an engine; `close` releases it. */
export interface QueryEngine {
  run(sql: string): Promise<QueryResult>;
  close(): void;
}

export type EngineFactory = (engine: Engine, stage: string | undefined) => Promise<QueryEngine>;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

interface Io {
  out(text: string): void;
  err(text: string): void;
}

/** `npm run query -- …`; resolves to the exit code (0 ok, 1 the query failed, 2 a usage error). */
export async function runQueryCli(argv: readonly string[], io: Io, engines: EngineFactory = defaultEngines): Promise<number> {
  let engine: QueryEngine | undefined;
  try {
    const request = parseRequest(argv);
    if (request.list) {
      for (const q of namedQueries()) io.out(`${q.name.padEnd(26)} ${q.description}\n`);
      return 0;
    }
    engine = await engines(request.engine, request.stage);
    io.out(formatResult(await engine.run(request.sql), request.format));
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof UnknownQueryError) {
      io.err(`${error.message}\n\n${QUERY_USAGE}\n`);
      return 2;
    }
    if (error instanceof QueryError) {
      io.err(`query failed: ${error.message}\n`);
      return 1;
    }
    io.err(`${(error as Error).message}\n`);
    return 1;
  } finally {
    engine?.close();
  }
}

interface QueryRequest {
  readonly engine: Engine;
  readonly sql: string;
  readonly format: OutputFormat;
  readonly stage?: string;
  readonly list?: boolean;
}

export function parseRequest(argv: readonly string[]): QueryRequest {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        named: { type: 'string' },
        json: { type: 'boolean', default: false },
        csv: { type: 'boolean', default: false },
        stage: { type: 'string' },
        list: { type: 'boolean', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  const [engine, sql, ...extra] = positionals;
  if (engine !== 'athena' && engine !== 'warehouse') throw new UsageError(`say which engine: athena or warehouse${engine ? ` (not "${engine}")` : ''}`);
  if (values.json && values.csv) throw new UsageError('choose one of --json and --csv');
  const format: OutputFormat = values.json ? 'json' : values.csv ? 'csv' : 'table';
  if (values.list) {
    if (engine !== 'athena') throw new UsageError('named queries are Athena queries: npm run query -- athena --list');
    return { engine, sql: '', format, list: true };
  }
  if (extra.length > 0) throw new UsageError(`one SQL statement, quoted; unexpected ${JSON.stringify(extra.join(' '))}`);
  if (values.named !== undefined) {
    if (engine !== 'athena') throw new UsageError('named queries are Athena queries: npm run query -- athena --named <name>');
    if (sql !== undefined) throw new UsageError('give either SQL or --named <name>, not both');
    return { engine, sql: namedQuery(values.named).sql, format, stage: values.stage };
  }
  if (sql === undefined || sql.trim() === '') throw new UsageError(`no SQL: npm run query -- ${engine} "<sql>"`);
  return { engine, sql, format, stage: values.stage };
}

/** The running local platform, or a deployed stage's stack outputs. */
const defaultEngines: EngineFactory = async (engine, stage) => {
  if (stage !== undefined) return deployedEngine(engine, stage);
  const endpoints = readLocalEndpoints();
  if (engine === 'athena') {
    const s3 = new S3Client({
      region: 'us-east-1',
      endpoint: endpoints.services.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const athena = await openLocalAthena({
      s3,
      bucket: endpoints.resources.buckets.dataLake,
      cacheDir: path.join(localDir(), 'cache', 'athena'),
      database: analyticsNames('local').glueDatabase,
    });
    return { run: (sql) => athena.query(sql), close: () => (athena.close(), s3.destroy()) };
  }
  const url = endpoints.services.warehouse;
  if (!url) throw new TargetError('this local platform has no warehouse endpoint: restart it with `npm start`');
  return {
    async run(sql) {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ sql }) });
      const body = (await response.json()) as QueryResult & { error?: { message: string } };
      if (response.status === 400) throw new QueryError(body.error?.message ?? 'query failed');
      if (!response.ok) throw new Error(body.error?.message ?? `warehouse answered ${response.status}`);
      return body;
    },
    close: () => undefined,
  };
};

async function deployedEngine(engine: Engine, stage: string): Promise<QueryEngine> {
  const target = await deployedTarget(stage);
  if (engine === 'athena') {
    const client = new AthenaClient({});
    const where = { workgroup: target.output(STACK_OUTPUTS.athenaWorkgroup), database: target.output(STACK_OUTPUTS.glueDatabase) };
    return { run: (sql) => runAthenaQuery(client, where, sql), close: () => client.destroy() };
  }
  const client = new RedshiftDataClient({});
  const where = { workgroup: target.output(STACK_OUTPUTS.warehouseWorkgroup), database: target.output(STACK_OUTPUTS.warehouseDatabase) };
  return { run: (sql) => runWarehouseQuery(client, where, sql), close: () => client.destroy() };
}
