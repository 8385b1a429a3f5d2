import {
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
  type AthenaClient,
} from '@aws-sdk/client-athena';
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  type Field,
  type RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { defaultSleep } from '../../lambdas/shared/retry';
import { QueryError, type QueryResult } from './query-result';

export interface PollOptions {
  /** @default 10 minutes */
  readonly timeoutMs?: number;
  /** @default defaultSleep */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** Waits 250 ms, then up to 2 s between looks at a running query, until the deadline. */
async function pollUntil<T>(look: () => Promise<T | undefined>, what: string, options: PollOptions): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10 * 60 * 1000);
  const sleep = options.sleep ?? defaultSleep;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
    const done = await look();
    if (done !== undefined) return done;
    if (Date.now() > deadline) throw new Error(`${what} still running after ${Math.round((options.timeoutMs ?? 600_000) / 1000)} s`);
    await sleep(delay);
  }
}

/** Runs SQL in the stage's Athena workgroup (its settings: result location, encryption, bytes limit). */
export async function runAthenaQuery(
  client: AthenaClient,
  target: { readonly workgroup: string; readonly database: string },
  sql: string,
  options: PollOptions = {},
): Promise<QueryResult> {
  const { QueryExecutionId } = await client.send(
    new StartQueryExecutionCommand({ QueryString: sql, WorkGroup: target.workgroup, QueryExecutionContext: { Database: target.database } }),
  );
  await pollUntil(
    async () => {
      const { QueryExecution } = await client.send(new GetQueryExecutionCommand({ QueryExecutionId }));
      const state = QueryExecution?.Status?.State;
      if (state === 'FAILED' || state === 'CANCELLED') {
        throw new QueryError(QueryExecution?.Status?.StateChangeReason ?? `query ${state?.toLowerCase()}`);
      }
      return state === 'SUCCEEDED' ? true : undefined;
    },
    `Athena query ${QueryExecutionId}`,
    options,
  );
  let columns: QueryResult['columns'] = [];
  const rows: (string | null)[][] = [];
  let NextToken: string | undefined;
  let first = true;
  do {
    const page = await client.send(new GetQueryResultsCommand({ QueryExecutionId, NextToken }));
    if (first) columns = (page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []).map((c) => ({ name: c.Name ?? '', type: c.Type ?? '' }));
    const pageRows = (page.ResultSet?.Rows ?? []).map((r) => (r.Data ?? []).map((d) => d.VarCharValue ?? null));
    // A SELECT's first row repeats the column names.
    if (first && pageRows.length > 0 && pageRows[0].every((v, i) => v === columns[i]?.name)) pageRows.shift();
    rows.push(...pageRows);
    NextToken = page.NextToken;
    first = false;
  } while (NextToken);
  return { columns, rows };
}

/** Runs SQL in the stage's Redshift Serverless workgroup through the Data API (the caller's IAM identity). */
export async function runWarehouseQuery(
  client: RedshiftDataClient,
  target: { readonly workgroup: string; readonly database: string },
  sql: string,
  options: PollOptions = {},
): Promise<QueryResult> {
  const { Id } = await client.send(new ExecuteStatementCommand({ WorkgroupName: target.workgroup, Database: target.database, Sql: sql }));
  const hasResult = await pollUntil(
    async () => {
      const statement = await client.send(new DescribeStatementCommand({ Id }));
      if (statement.Status === 'FAILED' || statement.Status === 'ABORTED') {
        throw new QueryError(statement.Error ?? `statement ${statement.Status.toLowerCase()}`);
      }
      return statement.Status === 'FINISHED' ? Boolean(statement.HasResultSet) : undefined;
    },
    `warehouse statement ${Id}`,
    options,
  );
  if (!hasResult) return { columns: [], rows: [] };
  let columns: QueryResult['columns'] = [];
  const rows: (string | null)[][] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(new GetStatementResultCommand({ Id, NextToken }));
    if (columns.length === 0) columns = (page.ColumnMetadata ?? []).map((c) => ({ name: c.name ?? '', type: c.typeName ?? '' }));
    rows.push(...(page.Records ?? []).map((record) => record.map(fieldText)));
    NextToken = page.NextToken;
  } while (NextToken);
  return { columns, rows };
}

/** A Data API field as text; DECIMAL columns arrive as strings, so no digit is lost. */
function fieldText(field: Field): string | null {
  if (field.isNull) return null;
  if (field.stringValue !== undefined) return field.stringValue;
  if (field.longValue !== undefined) return String(field.longValue);
  if (field.doubleValue !== undefined) return String(field.doubleValue);
  if (field.booleanValue !== undefined) return String(field.booleanValue);
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue).toString('base64');
  return null;
}
