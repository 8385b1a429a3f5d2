import { readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, paginateScan } from '@aws-sdk/lib-dynamodb';
import type { QuarantineLine } from '../../lambdas/domain/quarantine';
import { getBytes, listKeys, localS3, queryParquet } from '../support/lake';
import { eventually, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';

jest.setTimeout(240_000);

/** Values that must never leave the ingress queue: each is planted in good and bad records. */
const PLANTED = {
  card: '4111111111111111',
  email: 'planted.person@example.com',
  nestedUserId: 'nested-user-778102',
};
const extras = {
  card_number: PLANTED.card,
  email: PLANTED.email,
  meta: { user_id: PLANTED.nestedUserId, contact: { email: PLANTED.email } },
};
/** Every record's own raw user id (the one pii-ok shares with pii-bad-amount excepted). */
const rawUserId = (transactionId: string) => `raw-user-552193-${transactionId === 'pii-bad-amount' ? 'pii-ok' : transactionId.slice(0, 20)}`;
const EUROS = '€'.repeat(1000);

/** The records of the feed's one page, as JSON text (one writes a key twice, which JSON.stringify cannot). */
function pageRecords(timestamp: string): string[] {
  const record = (fields: Record<string, unknown> & { transaction_id: string }) =>
    JSON.stringify({
      user_id: rawUserId(fields.transaction_id),
      amount: '12.50',
      currency: 'USD',
      timestamp,
      merchant: 'Corner Shop',
      country: 'US',
      ...extras,
      ...fields,
    });
  return [
    record({ transaction_id: 'pii-ok' }),
    record({ transaction_id: 'pii-high-value', amount: '5000.00' }),
    // Exactly the stage's alertAbove (3,000 USD): high value, but not above it, so no alert.
    record({ transaction_id: 'pii-at-threshold', amount: '3000.00' }),
    record({ transaction_id: 'pii-bad-amount', amount: 'twelve' }),
    record({ transaction_id: 'pii-bad-currency', currency: { email: PLANTED.email } }),
    record({ transaction_id: EUROS }),
    record({ transaction_id: 'pii-huge', notes: `${PLANTED.card} `.repeat(70_000) }),
    record({ transaction_id: 'pii-duplicate' }).replace('"amount":"12.50"', '"amount":"12.50","amount":"99999"'),
  ];
}
const RAW_USER_IDS = ['pii-ok', 'pii-high-value', 'pii-at-threshold', 'pii-bad-currency', EUROS, 'pii-huge', 'pii-duplicate'].map(rawUserId);

/** Every row of a lake object, decoded by its format: an object the check cannot read fails it. */
async function decodeLakeObject(key: string, bytes: Uint8Array): Promise<unknown[]> {
  if (key.endsWith('.gz')) return decodeLakeObject(key.slice(0, -'.gz'.length), gunzipSync(bytes));
  if (key.endsWith('.parquet')) return queryParquet([bytes], (files) => `SELECT * FROM ${files}`);
  const text = Buffer.from(bytes).toString('utf8');
  if (key.endsWith('.jsonl')) return text.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as unknown);
  if (key.endsWith('.json')) return [JSON.parse(text) as unknown];
  throw new Error(`the PII check cannot decode lake object ${key}`);
}

describe('npm start: poison and PII-laden records from a partner feed', () => {
  let feed: Server;
  let platform: PlatformProcess;

  beforeAll(async () => {
    feed = createServer((req, res) => {
      const cursor = new URL(req.url ?? '/', 'http://feed').searchParams.get('cursor');
      const timestamp = new Date(Date.now() - 60_000).toISOString();
      const body =
        cursor === null
          ? `{"transactions":[${pageRecords(timestamp).join(',')}],"next_cursor":"p2"}`
          : '{"transactions":[],"next_cursor":null}';
      res.writeHead(200, { 'content-type': 'application/json' }).end(body);
    });
    await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/transactions`;
    platform = await startPlatformProcess(['--transactions-feed-url', url]);
  });

  afterAll(async () => {
    await platform?.stop();
    feed?.closeAllConnections();
    await new Promise((resolve) => feed?.close(resolve));
  });

  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const clients = () => {
    const { services, resources } = platform.endpoints;
    return {
      resources,
      documents: DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: services.dynamodb, region: 'us-east-1', credentials })),
      sqs: new SQSClient({ endpoint: services.sqs, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false }),
      s3: localS3(services.s3),
      bucket: resources.buckets.dataLake,
    };
  };
  const scan = async (table: string) => {
    const items: Record<string, unknown>[] = [];
    for await (const page of paginateScan({ client: clients().documents }, { TableName: table })) items.push(...(page.Items ?? []));
    return items;
  };
  const quarantineObjects = async () => {
    const { s3, bucket } = clients();
    const keys = await listKeys(s3, bucket, 'quarantine/transactions/');
    return Promise.all(
      keys.map(async (key) => ({
        key,
        lines: Buffer.from(await getBytes(s3, bucket, key)).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as QuarantineLine),
      })),
    );
  };
  /** Messages waiting on a queue plus those being processed. */
  const depth = async (url: string) => {
    const { Attributes = {} } = await clients().sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
    );
    return Number(Attributes.ApproximateNumberOfMessages) + Number(Attributes.ApproximateNumberOfMessagesNotVisible);
  };
  let stored: Record<string, unknown>[];

  it('stores the good records and quarantines each bad one, in its own object line with the reason the README documents', async () => {
    const { resources } = clients();
    // The feed is read at start (rate schedules fire at once); the processor then takes the batch.
    const objects = await eventually(
      async () => {
        const quarantined = await quarantineObjects();
        stored = await scan(resources.tables.transactions);
        return stored.length >= 3 && quarantined.flatMap((o) => o.lines).length >= 5 ? quarantined : undefined;
      },
      90_000,
      'three stored and five quarantined transactions',
    );

    // The bad records' batch-mates are stored.
    expect(stored.map((i) => i.transaction_id).sort()).toEqual(['pii-at-threshold', 'pii-high-value', 'pii-ok']);
    for (const { key } of objects) expect(key).toMatch(/^quarantine\/transactions\/dt=\d{4}-\d{2}-\d{2}\/[0-9a-f]{64}\.jsonl$/);
    const lines = objects.flatMap((o) => o.lines);
    // Reasons as the README's Transactions section names them; the fetcher's lines name the feed record (index on the page).
    const byId = (id: string) => lines.filter((l) => l.record?.transaction_id === id);
    const expected: [string, string, RegExp][] = [
      [EUROS, 'KEY_TOO_LONG', /^(?!feed:)/],
      ['pii-bad-amount', 'INVALID_AMOUNT', /^(?!feed:)/],
      ['pii-bad-currency', 'UNSUPPORTED_CURRENCY', /^(?!feed:)/],
      ['pii-huge', 'TOO_LARGE', /^feed:.+:6$/],
      ['pii-duplicate', 'MALFORMED', /^feed:.+:7$/],
    ];
    expect(lines).toHaveLength(expected.length);
    for (const [id, reason, messageId] of expected) {
      expect(byId(id)).toEqual([expect.objectContaining({ reason, messageId: expect.stringMatching(messageId), detail: expect.any(String) })]);
    }
    expect(byId('pii-bad-amount')[0].detail).toContain('"twelve"');
    for (const line of lines) {
      expect(Object.keys(line.record ?? {})).toEqual(expect.arrayContaining(['transaction_id', 'user_id_hash']));
      expect(Object.keys(line.record ?? {}).every((k) => ['transaction_id', 'amount', 'currency', 'timestamp', 'merchant', 'merchant_category', 'country', 'user_id_hash'].includes(k))).toBe(true);
    }
    // The same user, stored and quarantined, has the same hash (a replayed record joins its history).
    expect(byId('pii-bad-amount')[0].record?.user_id_hash).toBe(stored.find((i) => i.transaction_id === 'pii-ok')?.user_id_hash);
  });

  it('puts only a transaction above alertAbove on the high-value queue into the digest: not one exactly at it', async () => {
    const { resources } = clients();
    const item = (id: string) => stored.find((i) => i.transaction_id === id)!;
    expect([item('pii-high-value').category, item('pii-high-value').high_value_alert]).toEqual(['high_value', true]);
    expect([item('pii-at-threshold').category, item('pii-at-threshold').high_value_alert]).toEqual(['high_value', false]);

    // The high-value event reaches the operations digest, which holds the user as its hash only;
    // once the high-value queue is drained, nothing else will.
    await eventually(
      async () => ((await depth(resources.queues.highValueTransactions.url)) === 0 && (await scan(resources.tables.alerts)).some((i) => String(i.sk).includes('#ROW#')) ? true : undefined),
      60_000,
      'the high-value transaction in the digest and the high-value queue drained',
    );
    const digestRows = (await scan(resources.tables.alerts)).filter((i) => String(i.sk).includes('#ROW#'));
    expect(digestRows.map((r) => [r.transactionId, /^[0-9a-f]{64}$/.test(String(r.userIdHash))])).toEqual([['pii-high-value', true]]);
  });

  it('no raw user id of the run nor a planted value reaches a log, a queue other than the ingress one, a table or a lake object (decoded)', async () => {
    const { resources, sqs, s3, bucket } = clients();
    const { transactions, ...otherQueues } = resources.queues;
    // Everything was processed: the ingress queue and the high-value queue are empty.
    await eventually(
      async () => ((await depth(transactions.url)) + (await depth(otherQueues.highValueTransactions.url)) === 0 ? true : undefined),
      60_000,
      'the transactions and high-value queues drained',
    );
    const found: { where: string; text: string }[] = [];

    const lake = await listKeys(s3, bucket, '');
    expect(lake.some((k) => k.startsWith('curated/transactions/') && k.endsWith('.parquet'))).toBe(true);
    expect(lake.some((k) => k.startsWith('quarantine/transactions/') && k.endsWith('.jsonl'))).toBe(true);
    for (const key of lake) {
      found.push({ where: `s3://${bucket}/${key}`, text: JSON.stringify(await decodeLakeObject(key, await getBytes(s3, bucket, key))) });
    }

    // A peek (visibility timeout 0) takes nothing from the platform's consumers; it counts a receive,
    // so it comes only after the queues drained.
    for (const url of [transactions.dlqUrl, ...Object.values(otherQueues).flatMap((q) => [q.url, q.dlqUrl])]) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
      expect({ url, peeked: Messages.length < 10 }).toEqual({ url, peeked: true });
      found.push(...Messages.map((m) => ({ where: url, text: m.Body ?? '' })));
    }

    for (const table of Object.values(resources.tables)) found.push({ where: `table ${table}`, text: JSON.stringify(await scan(table)) });

    const logDir = path.join(platform.dir, 'logs');
    const logs = readdirSync(logDir, { recursive: true, withFileTypes: true }).filter((f) => f.isFile());
    expect(logs.map((f) => f.name)).toEqual(expect.arrayContaining(['emulators.log', 'fetch-transactions.log', 'process-transactions.log']));
    for (const f of logs) found.push({ where: path.join(f.parentPath, f.name), text: readFileSync(path.join(f.parentPath, f.name), 'utf8') });
    found.push({ where: 'npm start output', text: platform.output() });

    const leaks = [...RAW_USER_IDS, ...Object.values(PLANTED)].flatMap((value) => found.filter((f) => f.text.includes(value)).map((f) => ({ value, where: f.where })));
    expect(leaks).toEqual([]);

    // The fetcher counted the records it quarantined (EMF metric in its log).
    const fetchLog = readFileSync(path.join(logDir, 'fetch-transactions.log'), 'utf8');
    expect(fetchLog).toMatch(/"TransactionsQuarantined":2\b/);
  });
});
