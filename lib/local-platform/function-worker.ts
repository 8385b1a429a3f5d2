import './esm-only-packages';
import { parentPort, workerData } from 'node:worker_threads';
import * as path from 'node:path';

/**
 * One Lambda execution environment: the handler module is loaded once (cold start, with this
 * worker's own environment variables) and then invoked for each event the host sends.
 */
interface Invocation {
  readonly id: number;
  readonly event: unknown;
  readonly deadline: number;
}

const { entry, functionName } = workerData as { entry: string; functionName: string };
let requestCounter = 0;

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = require(path.resolve(entry)) as { handler: (event: unknown, context: unknown) => Promise<unknown> };
  parentPort!.on('message', async ({ id, event, deadline }: Invocation) => {
    const context = {
      functionName,
      awsRequestId: `local-${process.pid}-${++requestCounter}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      callbackWaitsForEmptyEventLoop: false,
    };
    try {
      const result = await mod.handler(event, context);
      parentPort!.postMessage({ id, ok: true, result });
    } catch (error) {
      const err = error as Error;
      parentPort!.postMessage({ id, ok: false, error: { name: err?.name, message: err?.message ?? String(error) } });
    }
  });
  parentPort!.postMessage({ ready: true });
}

main().catch((error: Error) => {
  parentPort!.postMessage({ initError: { name: error.name, message: error.message } });
});
