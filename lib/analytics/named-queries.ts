import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';

/** The named queries: one `.sql` file each, read by CDK (AWS::Athena::NamedQuery) and the local runner. */
export const NAMED_QUERIES_DIR = path.join(__dirname, 'queries');

export interface NamedQuery {
  /** The file name without `.sql`: `daily-ohlc`. */
  readonly name: string;
  /** The file's leading `--` comment lines. */
  readonly description: string;
  /** The whole file, comment included. */
  readonly sql: string;
}

export function namedQueries(dir = NAMED_QUERIES_DIR): NamedQuery[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const sql = readFileSync(path.join(dir, file), 'utf8');
      const comments = sql.split('\n').filter((line) => line.startsWith('--'));
      return {
        name: file.slice(0, -'.sql'.length),
        description: comments.map((line) => line.replace(/^--\s?/, '')).join(' ').trim(),
        sql,
      };
    });
}

export class UnknownQueryError extends Error {
  override readonly name = 'UnknownQueryError';
}

export function namedQuery(name: string, dir = NAMED_QUERIES_DIR): NamedQuery {
  const all = namedQueries(dir);
  const found = all.find((q) => q.name === name);
  if (!found) throw new UnknownQueryError(`no named query "${name}": use one of ${all.map((q) => q.name).join(', ')}`);
  return found;
}
