import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startPlatform } from '../lib/local-platform/platform';

const REQUESTS = 1_000;
const WARMUP = 50;
/** Below the dev stage limit (100/s) and, spread over the four partners, below each one's (50/s). */
const REQUESTS_PER_SECOND = 80;
const CONCURRENCY = 8;

/**
 * Latency of `GET /v1/convert` on the local platform over loopback HTTP: token verification
 * (aws-jwt-verify), API key and throttle checks, the proxy event, rates-api in its worker
 * against DynamoDB Local. Requests are paced below the partners' throttles, so no 429 skews it.
 */
export async function run(): Promise<{
  name: string;
  p50Ms: number;
  p99Ms: number;
  requests: number;
}> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fx-bench-api-'));
  const platform = await startPlatform({ dir, fresh: true });
  try {
    const { api, tokenUrl, clients } = platform.endpoints;
    const callers = await Promise.all(
      clients.map(async (c) => {
        const response = await fetch(tokenUrl!, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials&scope=fx-api%2Frates.read',
        });
        const { access_token: token } = (await response.json()) as { access_token: string };
        return { authorization: `Bearer ${token}`, 'x-api-key': c.apiKey };
      }),
    );
    await platform.invoke('fetch-rates');
    const url = `${api}/v1/convert?from=EUR&to=JPY&amount=1250.75`;
    const convert = async (i: number) => {
      const started = performance.now();
      const response = await fetch(url, { headers: callers[i % callers.length] });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`GET /v1/convert answered ${response.status}`);
      return performance.now() - started;
    };
    await waitFor(
      () =>
        convert(0).then(
          () => true,
          () => false,
        ),
      60_000,
    );
    for (let i = 0; i < WARMUP; i++) await convert(i);

    const latencies: number[] = [];
    const startedAt = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < REQUESTS) {
        const i = next++;
        const due = startedAt + (i * 1000) / REQUESTS_PER_SECOND;
        if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
        latencies.push(await convert(i));
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      Math.round(
        latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 100,
      ) / 100;
    return {
      name: `GET /v1/convert over local HTTP with token and API key checks, ${REQUESTS_PER_SECOND} req/s`,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      requests: latencies.length,
    };
  } finally {
    await platform.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitFor(probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline)
      throw new Error('the local platform never answered GET /v1/convert with 200');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
