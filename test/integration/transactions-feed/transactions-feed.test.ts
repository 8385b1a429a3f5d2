import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { dynamoCursorStore } from '../../../lambdas/adapters/aws/dynamodb-cursor-store';
import { userIdHash } from '../../../lambdas/domain/pii';
import type { QuarantineLine } from '../../../lambdas/domain/quarantine';
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
  createBucket,
  createQueue,
  createTableFrom,
  drainQueue,
  type CreatedQueue,
  useEmulators,
} from '../../support/emulator-resources';
import { getBytes, listKeys } from '../../support/lake';
import { QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { feedTransaction, HMAC_KEY } from '../../support/transactions';

jest.setTimeout(120_000);

const ROOT = join(__dirname, '..', '..', '..');
const STATE_TABLE = 'state';
const BUCKET = 'lake-feed';
const T0 = new Date('2026-11-05T10:00:00.000Z');
const FEED = { seed: 11, perMinute: 30, startAt: T0 };
const lambdaContext = { getRemainingTimeInMillis: () => 120_000 };

const env = useEmulators('transactions-feed');
let secrets: SecretsEmulator;
let simulator: RunningTransactionFeedServer;
let now = T0;
let downServer: Server;
const downRequests: string[] = [];
let poison: PagedFeed;
let movingFrom: PagedFeed;
let movingTo: PagedFeed;

interface PagedFeed {
  readonly url: string;
  readonly requests: string[];
}

/** A partner feed on 127.0.0.1 serving fixed pages by cursor ('' = no cursor); unknown cursors get 400. */
async function pagedFeed(pages: Record<string, unknown>): Promise<PagedFeed> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const cursor = new URL(req.url ?? '/', 'http://feed').searchParams.get('cursor') ?? '';
    const page = Object.hasOwn(pages, cursor) ? pages[cursor] : undefined;
    res.writeHead(page ? 200 : 400, { 'content-type': 'application/json' });
    res.end(JSON.stringify(page ?? { error: { code: 'INVALID_CURSOR' } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  const feed = { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/feed`, requests };
  return feed;
}
const servers: Server[] = [];
const emptyPage = { transactions: [], next_cursor: null };
const feedsEnv = (moving: PagedFeed) =>
  JSON.stringify({
    simulator: { url: simulator.url, pageSize: 25, credentialsSecretName: 'feeds/simulator-token' },
    down: { url: `http://127.0.0.1:${(downServer.address() as AddressInfo).port}/feed`, pageSize: 25 },
    poison: { url: poison.url, pageSize: 25 },
    moving: { url: moving.url, pageSize: 25 },
  });
const PLANTED_CARD = '4111111111111111';
const HUGE = feedTransaction({ transaction_id: 'huge', card_number: PLANTED_CARD, notes: 'n'.repeat(1_100_000) });
let transactionsQueue: CreatedQueue;
let handler: (event: { feed?: string }, context?: typeof lambdaContext) => Promise<FetchTransactionsResult>;
let restoreEnv = () => undefined as void;

beforeAll(async () => {
  await createTableFrom(env.clients, TABLES.state, STATE_TABLE);
  await createBucket(env.clients, BUCKET);
  transactionsQueue = await createQueue(env.clients, 'transactions');
  secrets = await startSecretsEmulator(join(env.dir, 'secrets.json'));
  secrets.ensure('feeds/simulator-token', () => 'sim-token');
  secrets.ensure('pii-hmac-key', () => HMAC_KEY);
  poison = await pagedFeed({
    '': { transactions: [feedTransaction({ transaction_id: 't0' }), HUGE, feedTransaction({ transaction_id: 't2' })], next_cursor: 'p2' },
    p2: emptyPage,
  });
  movingFrom = await pagedFeed({ '': { transactions: [feedTransaction({ transaction_id: 'a1' })], next_cursor: 'a-2' }, 'a-2': emptyPage });
  movingTo = await pagedFeed({ '': { transactions: [feedTransaction({ transaction_id: 'b1' })], next_cursor: 'b-2' }, 'b-2': emptyPage });
  simulator = await startTransactionFeedServer({ ...FEED, clock: () => now, token: 'sim-token' });
  downServer = createServer((req, res) => {
    downRequests.push(req.url ?? '');
    res.writeHead(503).end();
  });
  await new Promise<void>((resolve) => downServer.listen(0, '127.0.0.1', resolve));

  restoreEnv = setEnv({
    ...awsEndpointEnv(env.emulators.endpoints),
    PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secrets.extensionPort),
    ...QUIET_POWERTOOLS,
    [ENV.stateTable]: STATE_TABLE,
    [ENV.transactionsQueue]: transactionsQueue.url,
    [ENV.dataLakeBucket]: BUCKET,
    [ENV.piiHmacKeySecret]: 'pii-hmac-key',
    [ENV.transactionFeeds]: feedsEnv(movingFrom),
  });
  ({ handler } = await import('../../../lambdas/handlers/fetch-transactions'));
});

afterAll(async () => {
  restoreEnv();
  await simulator?.stop();
  downServer?.closeAllConnections();
  await new Promise((resolve) => downServer?.close(resolve));
  await secrets?.stop();
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
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
    const downUrl = `http://127.0.0.1:${(downServer.address() as AddressInfo).port}/feed`;
    await dynamoCursorStore(env.clients.dynamodb, STATE_TABLE).save({ name: 'down', url: downUrl }, null, 'c-41');

    await expect(handler({ feed: 'down' }, lambdaContext)).rejects.toThrow(/unavailable after 3 attempt\(s\): HTTP 503/);

    expect(downRequests).toEqual(Array(3).fill('/feed?cursor=c-41&limit=25'));
    expect(await storedCursor('down')).toBe('c-41');
    expect(await drainQueue(env.clients, transactionsQueue.url)).toEqual([]);
  });

  it('names the configured feeds when asked for another one', async () => {
    await expect(handler({ feed: 'nope' }, lambdaContext)).rejects.toThrow('feed "nope" is not configured (configured: simulator, down, poison, moving)');
  });

  it('lets only one of two runs that read the same cursor advance it', async () => {
    const store = dynamoCursorStore(env.clients.dynamodb, STATE_TABLE);
    const race = { name: 'race', url: 'https://a.example/feed' };
    await store.save(race, null, 'a');
    await expect(store.save(race, null, 'a2')).rejects.toThrow(CursorConflictError);

    await store.save(race, 'a', 'b');
    await expect(store.save(race, 'a', 'c')).rejects.toThrow(CursorConflictError);
    expect(await store.load(race)).toEqual({ cursor: 'b', urlChanged: false });
    expect(await store.load({ name: 'never-read', url: race.url })).toEqual({ cursor: null, urlChanged: false });
  });

  it('does not hand a feed the cursor saved for its previous URL, or for no recorded URL, and lets the new URL take the item over', async () => {
    const store = dynamoCursorStore(env.clients.dynamodb, STATE_TABLE);
    const before = { name: 'switch', url: 'https://a.example/feed' };
    const after = { name: 'switch', url: 'https://b.example/feed?key=secret' };
    await store.save(before, null, 'a-9');

    expect(await store.load(after)).toEqual({ cursor: null, urlChanged: true });
    await expect(store.save(after, 'a-9', 'b-1')).rejects.toThrow(CursorConflictError);
    await store.save(after, null, 'b-1');
    expect(await store.load(after)).toEqual({ cursor: 'b-1', urlChanged: false });
    expect(await store.load(before)).toEqual({ cursor: null, urlChanged: true });
    const item = (await env.clients.dynamodb.send(new GetCommand({ TableName: STATE_TABLE, Key: { pk: 'CURSOR#switch' } }))).Item;
    expect(JSON.stringify(item)).not.toContain('secret');

    // A cursor saved before URLs were recorded cannot be told apart from another feed's.
    await env.clients.dynamodb.send(new PutCommand({ TableName: STATE_TABLE, Item: { pk: 'CURSOR#legacy', feed: 'legacy', cursor: 'old' } }));
    expect(await store.load({ name: 'legacy', url: before.url })).toEqual({ cursor: null, urlChanged: true });
    await store.save({ name: 'legacy', url: before.url }, null, 'new');
    expect(await store.load({ name: 'legacy', url: before.url })).toEqual({ cursor: 'new', urlChanged: false });
  });

  it('queues a page’s valid records, quarantines the 1.1 MB one with its reason, and moves the cursor on', async () => {
    const result = await handler({ feed: 'poison' }, lambdaContext);

    expect(result).toMatchObject({ pages: 2, transactions: 2, quarantined: 1, cursor: 'p2', stoppedBecause: 'caught-up' });
    const bodies = (await drainQueue(env.clients, transactionsQueue.url)).map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    expect(bodies.map((b) => b.transaction_id).sort()).toEqual(['t0', 't2']);
    const keys = await listKeys(env.clients.s3, BUCKET, 'quarantine/transactions/');
    expect(keys).toEqual([expect.stringMatching(/^quarantine\/transactions\/dt=\d{4}-\d{2}-\d{2}\/[0-9a-f]{64}\.jsonl$/)]);
    const text = Buffer.from(await getBytes(env.clients.s3, BUCKET, keys[0])).toString('utf8');
    expect(text).not.toContain(PLANTED_CARD);
    expect(JSON.parse(text) as QuarantineLine).toEqual({
      messageId: expect.stringMatching(/^feed:poison:/),
      reason: 'TOO_LARGE',
      detail: `the record is ${Buffer.byteLength(JSON.stringify(HUGE))} bytes of JSON; a queue message holds at most 1048576`,
      record: { ...feedTransaction({ transaction_id: 'huge', user_id: undefined }), user_id_hash: userIdHash(HMAC_KEY, 'user-42') },
    });

    // The next run reads on from the saved cursor instead of failing on the same page again.
    expect(await handler({ feed: 'poison' }, lambdaContext)).toMatchObject({ pages: 1, transactions: 0, cursor: 'p2' });
    expect(poison.requests).toEqual(['/feed?limit=25', '/feed?cursor=p2&limit=25', '/feed?cursor=p2&limit=25']);
  });

  it('starts a feed moved to another URL at the new feed’s beginning, not at the old feed’s cursor', async () => {
    expect(await handler({ feed: 'moving' }, lambdaContext)).toMatchObject({ cursor: 'a-2' });

    const restore = setEnv({ [ENV.transactionFeeds]: feedsEnv(movingTo) });
    let moved: typeof handler | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      moved = (require('../../../lambdas/handlers/fetch-transactions') as { handler: typeof handler }).handler;
    });
    const result = await moved!({ feed: 'moving' }, lambdaContext).finally(restore);

    expect(result).toMatchObject({ transactions: 1, cursor: 'b-2', cursorReset: true });
    expect(movingTo.requests).toEqual(['/feed?limit=25', '/feed?cursor=b-2&limit=25']);
    const bodies = (await drainQueue(env.clients, transactionsQueue.url)).map((m) => JSON.parse(m.Body!).transaction_id);
    expect(bodies.sort()).toEqual(['a1', 'b1']);
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

    // No consumer here: --wait 0 leaves the queue as the import filled it.
    const result = spawnSync(join(ROOT, 'node_modules/.bin/tsx'), [join(ROOT, 'bin/import-transactions.ts'), file, '--wait', '0'], {
      encoding: 'utf8',
      env: { ...process.env, FX_LOCAL_DIR: dir },
    });

    expect(result.stderr).toContain('into the local platform');
    // The refund was rejected, and nothing was processed yet: not a success.
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ accepted: 4, quarantined: 1 });
    const bodies = (await drainQueue(env.clients, transactionsQueue.url)).map((m) => JSON.parse(m.Body!) as Record<string, unknown>);
    expect(bodies.map((b) => b.amount).sort()).toEqual(['1200.55', '134.09', '3.99', '38.48']);
  });
});
