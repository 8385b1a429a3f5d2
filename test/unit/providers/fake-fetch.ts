import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const fixture = (name: string): string =>
  readFileSync(join(__dirname, '../../fixtures/rates', name), 'utf8');

type Reply = Response | Error | ((signal: AbortSignal) => Promise<Response>);

/** A fetch that answers from a queue and records every URL and header set it was called with. */
export function fakeFetch(...replies: Reply[]) {
  const calls: { url: string; headers: Record<string, string> }[] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(input), headers: { ...(init?.headers as Record<string, string>) } });
    const reply = replies.shift();
    if (reply === undefined) throw new Error(`unexpected request ${String(input)}`);
    if (reply instanceof Error) throw reply;
    if (typeof reply === 'function') return reply(init!.signal!);
    return reply;
  }) as typeof fetch;
  return { fetchImpl, calls };
}

export const reply = (status: number, body: string, headers: Record<string, string> = {}) =>
  new Response(body, { status, headers });

/** HTTP options for tests: no real waiting between attempts. */
export const fastHttp = (fetchImpl: typeof fetch) => ({
  fetchImpl,
  sleep: async () => undefined,
  maxAttempts: 3,
});
