import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoCursorStore } from '../../../lambdas/adapters/aws/dynamodb-cursor-store';
import { simulatedFeedPage } from '../../../lambdas/adapters/simulated/transaction-feed-simulator';
import { CursorConflictError } from '../../../lambdas/ports/cursor-store';
import { ENV } from '../../../lambdas/shared/env-names';
import type { FetchTransactionsResult } from '../../../lambdas/use-cases/fetch-transactions';
import { singleSourcePolicy } from '../../../lib/config/stage-config';
import { TABLES } from '../../../lib/definitions/resources';
import { awsEndpointEnv } from '../../../lib/local-platform/emulators';
import { startSecretsEmulator, type SecretsEmulator } from '../../../lib/local-platform/secrets-emulator';
import { startTransactionFeedServer, type RunningTransactionFeedServer } from '../../../lib/local-platform/transaction-feed-server';
import {
  createQueue,
  createTableFrom,
  drainQueue,
  type CreatedQueue,
  useEmulators,
} from '../../support/emulator-resources';
import { QUIET_POWERTOOLS, setEnv } from '../../support/env';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..', '..');
const STATE_TABLE = 'state';
const T0 = new Date('2026-11-05T10:00:00.000Z');
const FEED = { seed: 11, perMinute: 30, startAt: T0 };
const lambdaContext = { getRemainingTimeInMillis: () => 120_000 };

const env = useEmulators('transactions-feed');
let secrets: SecretsEmulator;
let simulator: RunningTransactionFeedServer;
let now = T0;
let downServer: Server;
const downRequests: string[] = [];
let transactionsQueue: CreatedQueue;
let handler: (event: { feed?: string }, context?: typeof lambdaContext) => Promise<FetchTransactionsResult>;
let restoreEnv = () => undefined as void;

beforeAll(async () => {
  await createTableFrom(env.clients, TABLES.state, STATE_TABLE);
  transactionsQueue = await createQueue(env.clients, 'transactions');
  secrets = await startSecretsEmulator(join(env.dir, 'secrets.json'));
  secrets.ensure('feeds/simulator-token', () => 'sim-token');
  simulator = await startTransactionFeedServer({ ...FEED, clock: () => now, token: 'sim-token' });
  downServer = createServer((req, res) => {
    downRequests.push(req.url ?? '');
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => downServer.listen(0, '127.0.0.1', resolve));

  restoreEnv = setEnv({
    ...awsEndpointEnv(env.emulators.endpoints),
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    ...QUIET_POWERTOOLS,
    [ENV.stateTable]: STATE_TABLE,
    [ENV.transactionsQueue]: transactionsQueue.url,
    [ENV.transactionFeeds]: JSON.stringify({
      simulator: { url: simulator.url, pageSize: 25, credentialsSecretName: 'feeds/simulator-token' },
      down: { url: `http://127.0.0.1:${(downServer.address() as AddressInfo).port}/feed`, pageSize: 25 },
    }),
  });
  ({ handler } = await import('../../../lambdas/handlers/fetch-transactions'));
});

afterAll(async () => {
  restoreEnv();
  await simulator?.stop();
  downServer?.closeAllConnections();
  await new Promise((resolve) => downServer?.close(resolve));
  await secrets?.stop();
});

const storedCursor = async (feed: string) =>
  (await env.clients.dynamodb.send(new GetCommand({ TableName: STATE_TABLE, Key: { pk: `CURSOR#${feed}` } }))).Item?.cursor;

describe('fetch-transactions against DynamoDB Local, fauxqs and the feed simulator', () => {
  it('delivers exactly the feed’s transactions, each once and as sent, over two runs, and stores the cursor', async () => {
    now = new Date(T0.getTime() + 3 * 60_000);
    const first = await handler({ feed: 'simulator' }, lambdaContext);
    now = new Date(T0.getTime() + 5 * 60_000);
    const second = await handler({ feed: 'simulator' }, lambdaContext);
    const third = await handler({ feed: 'simulator' }, lambdaContext);

    expect(first).toMatchObject({ feed: 'simulator', pages: 5, transactions: 90, stoppedBecause: 'caught-up' });
    expect(second).toMatchObject({ pages: 4, transactions: 60, stoppedBecause: 'caught-up' });
    expect(third).toMatchObject({ pages: 1, transactions: 0, cursor: second.cursor });

    const expected = simulatedFeedPage(FEED, null, 150, now);
    const bodies = (await drainQueue(env.clients, transactionsQueue.url)).map((m) => m.Body!);
    expect(bodies).toHaveLength(150);
    expect(new Set(bodies).size).toBe(150);
    expect(bodies.sort()).toEqual(expected.transactions.map((t) => JSON.stringify(t)).sort());
    // Amounts sent as JSON numbers keep their digits on the queue.
    expect(bodies.some((b) => /"amount":\d+\.\d0,/.test(b))).toBe(true);
    expect(await storedCursor('simulator')).toBe(expected.next_cursor);
  });

  it('retries a feed that answers 503, then fails with the cursor where it was and nothing queued', async () => {
    await dynamoCursorStore(env.clients.dynamodb, STATE_TABLE).save('down', null, 'c-41');

    await expect(handler({ feed: 'down' }, lambdaContext)).rejects.toThrow(/unavailable after 3 attempt\(s\): HTTP 503/);

    expect(downRequests).toEqual(Array(3).fill('/feed?cursor=c-41&limit=25'));
    expect(await storedCursor('down')).toBe('c-41');
    expect(await drainQueue(env.clients, transactionsQueue.url)).toEqual([]);
  });

  it('names the configured feeds when asked for another one', async () => {
    await expect(handler({ feed: 'nope' }, lambdaContext)).rejects.toThrow('feed "nope" is not configured (configured: simulator, down)');
  });

  it('lets only one of two runs that read the same cursor advance it', async () => {
    const store = dynamoCursorStore(env.clients.dynamodb, STATE_TABLE);
    await store.save('race', null, 'a');
    await expect(store.save('race', null, 'a2')).rejects.toThrow(CursorConflictError);

    await store.save('race', 'a', 'b');
    await expect(store.save('race', 'a', 'c')).rejects.toThrow(CursorConflictError);
    expect(await store.load('race')).toBe('b');
    expect(await store.load('never-read')).toBeNull();
  });
});

describe('npm run import:transactions into the local platform’s queue', () => {
  it('queues the valid TabFormer rows and quarantines the refund', async () => {
    const dir = mkdtempSync(join(env.dir, 'import-'));
    const file = join(dir, 'export.csv');
    copyFileSync(join(ROOT, 'test/fixtures/transactions/card_transactions_ibm_tabformer_format_mini.csv'), file);
    // The parts of the running platform's endpoints.json the import reads: the queue, and the
    // rates table and policy it checks rates with (empty here: USD rows need none).
    const ratesTable = 'rates-import';
    await createTableFrom(env.clients, TABLES.rates, ratesTable);
    writeFileSync(
      join(dir, 'endpoints.json'),
      JSON.stringify({
        services: env.emulators.endpoints,
        resources: { queues: { transactions: { url: transactionsQueue.url } }, tables: { rates: ratesTable } },
        ratePolicy: singleSourcePolicy('simulated'),
      }),
    );

    const result = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/import-transactions.ts'), file], {
      encoding: 'utf8',
      env: { ...process.env, FX_LOCAL_DIR: dir },
    });

    expect(result.stderr).toContain('into the local platform');
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 4, quarantined: 1 });
    const bodies = (await drainQueue(env.clients, transactionsQueue.url)).map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    expect(bodies.map((b) => b.amount).sort()).toEqual(['1200.55', '134.09', '3.99', '38.48']);
  });
});
