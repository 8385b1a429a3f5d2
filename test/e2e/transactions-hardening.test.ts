import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { QuarantineLine } from '../../lambdas/domain/quarantine';
import { inboxEmails } from '../../lib/local-platform/email';
import { getBytes, listKeys, localS3, queryParquet } from '../support/lake';
import { eventually, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';

jest.setTimeout(240_000);

/** Values that must never leave the ingress queue: each is planted in good and bad records. */
const PLANTED = {
  card: '4111111111111111',
  email: 'planted.person@example.com',
  nestedUserId: 'nested-user-778102',
  rawUserId: 'raw-user-552193',
};
const extras = {
  card_number: PLANTED.card,
  email: PLANTED.email,
  meta: { user_id: PLANTED.nestedUserId, contact: { email: PLANTED.email } },
};
const EUROS = '€'.repeat(1000);

/** The records of the feed's one page, as JSON text (one writes a key twice, which JSON.stringify cannot). */
function pageRecords(timestamp: string): string[] {
  const record = (fields: Record<string, unknown>) =>
    JSON.stringify({
      transaction_id: 'pii-ok',
      user_id: PLANTED.rawUserId,
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
    record({ transaction_id: 'pii-bad-amount', amount: 'twelve' }),
    record({ transaction_id: 'pii-bad-currency', currency: { email: PLANTED.email } }),
    record({ transaction_id: EUROS }),
    record({ transaction_id: 'pii-huge', notes: `${PLANTED.card} `.repeat(70_000) }),
    record({ transaction_id: 'pii-duplicate' }).replace('"amount":"12.50"', '"amount":"12.50","amount":"99999"'),
  ];
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

  it('stores the good records, quarantines each bad one with its reason, and no planted value reaches the lake, a queue, a table or a log', async () => {
    const { services, resources } = platform.endpoints;
    const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
    const documents = DynamoDBDocumentClient.from(new DynamoDBClient({ endpoint: services.dynamodb, region: 'us-east-1', credentials }));
    const sqs = new SQSClient({ endpoint: services.sqs, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false });
    const s3 = localS3(services.s3);
    const bucket = resources.buckets.dataLake;
    const scan = async (table: string) => (await documents.send(new ScanCommand({ TableName: table }))).Items ?? [];
    const quarantineLines = async () => {
      const keys = await listKeys(s3, bucket, 'quarantine/transactions/');
      const texts = await Promise.all(keys.map(async (k) => Buffer.from(await getBytes(s3, bucket, k)).toString('utf8')));
      return texts.flatMap((t) => t.trim().split('\n')).map((l) => JSON.parse(l) as QuarantineLine);
    };

    // The feed is read at start (rate schedules fire at once); the processor then takes the batch.
    const { stored, lines } = await eventually(
      async () => {
        const items = await scan(resources.tables.transactions);
        const quarantined = await quarantineLines();
        return items.length >= 2 && quarantined.length >= 5 ? { stored: items, lines: quarantined } : undefined;
      },
      90_000,
      'two stored and five quarantined transactions',
    );

    expect(stored.map((i) => i.transaction_id).sort()).toEqual(['pii-high-value', 'pii-ok']);
    expect(lines.map((l) => [String(l.record?.transaction_id).slice(0, 20), l.reason]).sort()).toEqual(
      [
        [EUROS.slice(0, 20), 'KEY_TOO_LONG'],
        ['pii-bad-amount', 'INVALID_AMOUNT'],
        ['pii-bad-currency', 'UNSUPPORTED_CURRENCY'],
        ['pii-duplicate', 'MALFORMED'],
        ['pii-huge', 'TOO_LARGE'],
      ].sort(),
    );
    for (const line of lines) {
      expect(Object.keys(line.record ?? {}).sort()).toEqual(
        expect.arrayContaining(['transaction_id', 'user_id_hash']),
      );
      expect(Object.keys(line.record ?? {}).every((k) => ['transaction_id', 'amount', 'currency', 'timestamp', 'merchant', 'merchant_category', 'country', 'user_id_hash'].includes(k))).toBe(true);
    }

    // Everything the platform holds outside the ingress transactions queue, decoded.
    const found: string[] = [];
    const lake = await listKeys(s3, bucket, '');
    const lakeTexts = await Promise.all(
      lake.map(async (key) => {
        const bytes = await getBytes(s3, bucket, key);
        return key.endsWith('.parquet')
          ? JSON.stringify(await queryParquet([bytes], (files) => `SELECT * FROM ${files}`))
          : Buffer.from(bytes).toString('utf8');
      }),
    );
    expect(lake.some((k) => k.startsWith('curated/transactions/') && k.endsWith('.parquet'))).toBe(true);
    found.push(...lakeTexts);

    // The high-value event reaches the operations digest, which holds the user as its hash only.
    const digestRows = await eventually(
      async () => {
        const rows = (await scan(resources.tables.alerts)).filter((i) => String(i.sk).includes('#ROW#'));
        return rows.length > 0 ? rows : undefined;
      },
      60_000,
      'the high-value transaction in the digest',
    );
    expect(digestRows.map((r) => [r.transactionId, /^[0-9a-f]{64}$/.test(String(r.userIdHash))])).toEqual([['pii-high-value', true]]);
    found.push(JSON.stringify(await inboxEmails(services.ses)));

    const { transactions, ...otherQueues } = resources.queues;
    const queueUrls = [transactions.dlqUrl, ...Object.values(otherQueues).flatMap((q) => [q.url, q.dlqUrl])];
    for (const url of queueUrls) {
      for (;;) {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 120 }));
        if (Messages.length === 0) break;
        found.push(...Messages.map((m) => m.Body ?? ''));
      }
    }

    for (const table of Object.values(resources.tables)) found.push(JSON.stringify(await scan(table)));
    const logDir = path.join(platform.dir, 'logs');
    const logs = readdirSync(logDir).filter((f) => f !== 'emulators.log');
    expect(logs).toEqual(expect.arrayContaining(['fetch-transactions.log', 'process-transactions.log']));
    found.push(...logs.map((f) => readFileSync(path.join(logDir, f), 'utf8')), platform.output());

    const everything = found.join('\n');
    for (const [what, value] of Object.entries(PLANTED)) {
      expect({ what, found: everything.includes(value) }).toEqual({ what, found: false });
    }

    // The fetcher counted the records it quarantined (EMF metric in its log).
    const fetchLog = readFileSync(path.join(logDir, 'fetch-transactions.log'), 'utf8');
    expect(fetchLog).toMatch(/"TransactionsQuarantined":2\b/);
  });
});
