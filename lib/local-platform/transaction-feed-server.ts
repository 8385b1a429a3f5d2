import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  FeedRequestError,
  simulatedFeedPage,
  type FeedSimulatorOptions,
} from '../../lambdas/adapters/simulated/transaction-feed-simulator';

export interface TransactionFeedServerOptions {
  /** @default 42 */
  readonly seed?: number;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** 0 = a free port. @default 0 */
  readonly port?: number;
  /** @default 30 */
  readonly perMinute?: number;
  /** Where a reader without a cursor starts. @default the clock's time at start */
  readonly startAt?: Date;
  /** When set, requests must carry `Authorization: Bearer <token>`. */
  readonly token?: string;
}

export interface RunningTransactionFeedServer {
  /** The feed URL: `GET {url}?cursor=&limit=`. */
  readonly url: string;
  stop(): Promise<void>;
}

const DEFAULT_LIMIT = 100;

/** The built-in partner feed on 127.0.0.1, speaking the contract of README, "Partner transaction feed". */
export async function startTransactionFeedServer(
  options: TransactionFeedServerOptions = {},
): Promise<RunningTransactionFeedServer> {
  const clock = options.clock ?? (() => new Date());
  const simulator: FeedSimulatorOptions = {
    seed: options.seed ?? 42,
    perMinute: options.perMinute ?? 30,
    startAt: options.startAt ?? clock(),
  };
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const error = (status: number, code: string, message: string) => reply(status, { error: { code, message } });
    const url = new URL(req.url ?? '/', 'http://feed');
    if (url.pathname !== '/transactions') return error(404, 'NOT_FOUND', 'GET /transactions?cursor=&limit=');
    if (req.method !== 'GET') return error(405, 'METHOD_NOT_ALLOWED', 'GET /transactions?cursor=&limit=');
    if (options.token && req.headers.authorization !== `Bearer ${options.token}`) {
      return error(401, 'UNAUTHORIZED', 'a valid bearer token is required');
    }
    const limit = url.searchParams.get('limit') ?? String(DEFAULT_LIMIT);
    try {
      const page = simulatedFeedPage(
        simulator,
        url.searchParams.get('cursor') || null,
        /^\d{1,5}$/.test(limit) ? Number(limit) : Number.NaN,
        clock(),
      );
      reply(200, page);
    } catch (caught) {
      if (caught instanceof FeedRequestError) error(400, caught.code, caught.message);
      else error(500, 'INTERNAL', (caught as Error).message);
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/transactions`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
