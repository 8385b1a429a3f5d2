import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { GetQueueAttributesCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { seriesMoves } from '../../lambdas/domain/rate-change';
import { seriesSnapshotOf, type RateSnapshot } from '../../lambdas/domain/rate-snapshot';
import { inboxEmails, type StoredEmail } from '../../lib/local-platform/email';
import { eventually, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';
import { snapshotOf } from '../support/rates';

jest.setTimeout(300_000);

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const TREASURY = 'treasury@example.com';
const OPERATIONS = 'fx-operations@fx-platform.local';
const RAW_USER = 'raw-user-e2e-7731';

/**
 * OXR is the platform's only rate source here, and its fetches go nowhere (no app id, a dead
 * URL): the test moves EUR/USD itself by putting OXR snapshots on the rates queue, the message
 * fetch-rates would queue, so every move is known and nothing depends on the clock's luck.
 */
describe('npm start: rate alerts and the high-value digest by e-mail', () => {
  let platform: PlatformProcess;
  let feed: Server;
  let feedPage: object[] = [];
  let sqs: SQSClient;
  let token: string;
  let apiKey: string;
  const published: RateSnapshot[] = [];
  /** In-force instants a second apart, ending well before now (the processor refuses the future). */
  const base = Math.floor(Date.now() / 1000) * 1000 - 10 * 60_000;
  const at = (i: number) => new Date(base + i * 1000).toISOString();

  const call = async (method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${platform.endpoints.api}${route}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'x-api-key': apiKey, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text ? JSON.parse(text) : undefined };
  };
  /** EUR/USD = 1 / (EUR per USD) from OXR's USD table. */
  const publish = async (i: number, eurPerUsd: string) => {
    const snapshot = snapshotOf(at(i), { EUR: eurPerUsd, JPY: '150.25', GBP: '0.7900' }, { provider: 'oxr', base: 'USD', fetchedAt: new Date() });
    published.push(snapshot);
    await sqs.send(new SendMessageCommand({ QueueUrl: platform.endpoints.resources.queues.rates.url, MessageBody: JSON.stringify(snapshot) }));
    return snapshot;
  };
  /** How often evaluate-alerts logged evaluating the event, once the rate-changes queue holds nothing more. */
  const evaluated = async (eventId: string, times: number) =>
    eventually(
      async () => {
        const log = path.join(platform.dir, 'logs', 'evaluate-alerts.log');
        const count = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l.includes('"rate change evaluated"') && l.includes(`"eventId":"${eventId}"`)).length : 0;
        const { Attributes } = await sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: platform.endpoints.resources.queues.rateChanges.url,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        const pending = Number(Attributes?.ApproximateNumberOfMessages) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible);
        return count >= times && pending === 0 ? count : undefined;
      },
      60_000,
      `evaluate-alerts evaluating ${eventId} ${times} time(s)`,
    );
  const mailTo = async (address: string): Promise<StoredEmail[]> =>
    (await inboxEmails(platform.endpoints.services.ses)).filter((e) => e.destination.to.includes(address));

  beforeAll(async () => {
    feed = createServer((req, res) => {
      const cursor = new URL(req.url ?? '/', 'http://feed').searchParams.get('cursor');
      const body = cursor === null && feedPage.length > 0 ? { transactions: feedPage, next_cursor: 'end' } : { transactions: [], next_cursor: null };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => feed.listen(0, '127.0.0.1', resolve));
    const feedUrl = `http://127.0.0.1:${(feed.address() as AddressInfo).port}/transactions`;
    platform = await startPlatformProcess(['--rates-provider', 'oxr', '--rates-url', 'http://127.0.0.1:9/', '--transactions-feed-url', feedUrl]);
    sqs = new SQSClient({ endpoint: platform.endpoints.services.sqs, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false });
    const partner = platform.endpoints.clients.find((c) => c.name === 'acme-payments')!;
    apiKey = partner.apiKey;
    token = (await platform.cli(['token', partner.name])).stdout.trim().split('\n').pop()!;
  });

  afterAll(async () => {
    await platform?.stop();
    feed?.closeAllConnections();
    await new Promise((resolve) => feed?.close(resolve));
  });

  it('e-mails a crossing once, again only after the rate moved back past the hysteresis (repeat mode)', async () => {
    const first = await publish(0, '0.9200'); // EUR/USD 1.08695…
    await evaluated(first.snapshotId, 1);

    const created = await call('POST', '/v1/alerts', { base: 'EUR', quote: 'USD', condition: 'above', threshold: '1.0900', email: TREASURY, mode: 'repeat' }, { 'Idempotency-Key': 'e2e-eurusd' });
    expect(created.status).toBe(201);
    const ruleId: string = created.json.id;
    expect(created.json).toMatchObject({ status: 'armed', hysteresisPercent: '0.1' });

    const crossing = await publish(1, '0.9100'); // 1.09890…: past 1.09
    const [alert] = await eventually(async () => {
      const sent = await mailTo(TREASURY);
      return sent.length > 0 ? sent : undefined;
    }, 60_000, 'the alert e-mail');
    await evaluated(crossing.snapshotId, 1);
    expect(alert.subject).toBe('Rate alert: EUR/USD rose above 1.0900');
    expect(alert.from).toBe('alerts@fx-platform.local');
    expect(alert.body.text).toContain('Rate:   1.0989010989010989010989010989010989011 USD per EUR (before: 1.08695652173913043478260869565217391304)');
    expect(alert.body.text).toContain(`Source: oxr, in force from ${at(1)}`);
    expect(alert.body.text).toContain(`PATCH or DELETE ${platform.endpoints.api}/v1/alerts/${ruleId}`);
    expect(alert.body.html).toContain('<b>1.0989010989010989010989010989010989011</b>');

    // The same change delivered again: still one e-mail.
    const [event] = seriesMoves(seriesSnapshotOf(first), [seriesSnapshotOf(crossing)]);
    await sqs.send(new SendMessageCommand({ QueueUrl: platform.endpoints.resources.queues.rateChanges.url, MessageBody: JSON.stringify(event) }));
    await evaluated(crossing.snapshotId, 2);
    expect(await mailTo(TREASURY)).toHaveLength(1);
    expect((await call('GET', `/v1/alerts/${ruleId}`)).json).toMatchObject({
      status: 'waiting',
      rearmLevel: '1.08891',
      triggerCount: 1,
      lastTriggered: { at: at(1), provider: 'oxr', emailed: true },
    });

    // Back under 1.09 but not to 1.08891: not re-armed, so the next rise sends nothing.
    await evaluated((await publish(2, '0.9180')).snapshotId, 1); // 1.08932…
    await evaluated((await publish(3, '0.9150')).snapshotId, 1); // 1.09289…
    expect(await mailTo(TREASURY)).toHaveLength(1);
    // Back past the hysteresis: re-armed; across again: the second e-mail.
    await evaluated((await publish(4, '0.9200')).snapshotId, 1); // 1.08695…
    expect((await call('GET', `/v1/alerts/${ruleId}`)).json.status).toBe('armed');
    await publish(5, '0.9100');
    const both = await eventually(async () => {
      const sent = await mailTo(TREASURY);
      return sent.length >= 2 ? sent : undefined;
    }, 60_000, 'the second alert e-mail');
    expect(both).toHaveLength(2);
    expect(both[1].body.text).toContain(`in force from ${at(5)}`);

    // npm run local -- inbox prints the newest e-mail.
    const inbox = await platform.cli(['inbox', '1']);
    expect(inbox.code).toBe(0);
    expect(inbox.stdout).toContain('Subject: Rate alert: EUR/USD rose above 1.0900');
    expect(inbox.stdout).toContain(`in force from ${at(5)}`);
    expect(inbox.stdout).toContain(platform.endpoints.inbox);
    expect((await fetch(platform.endpoints.inbox)).status).toBe(200);
  });

  it('e-mails the high-value transactions of a window as one digest to operations, with the user hashed, never raw', async () => {
    // In force at the first publication and settled (later ones are stored): the rate is known.
    const timestamp = new Date(base + 500).toISOString();
    const tx = (id: string, amount: string, currency: string) => ({ transaction_id: id, user_id: RAW_USER, amount, currency, timestamp, merchant: '<i>Atlas</i> & Co', country: 'DE' });
    feedPage = [tx('hv-usd-5000', '5000.00', 'USD'), tx('hv-eur-4000', '4000.00', 'EUR'), tx('hv-gbp-3000', '3000.00', 'GBP'), tx('small-eur-20', '20.00', 'EUR')];
    const fetched = await platform.cli(['invoke', 'fetch-transactions']);
    expect(fetched.code).toBe(0);
    expect(JSON.parse(fetched.stdout).results[0]).toMatchObject({ transactions: 4 });

    // 3,000 GBP is 3,797.47 USD at 0.79; 4,000 EUR is 4,347.83 USD; 20 EUR is not high value.
    const highValue = ['hv-usd-5000', 'hv-eur-4000', 'hv-gbp-3000'];
    const digests = await eventually(
      async () => {
        const sent = await mailTo(OPERATIONS);
        const listed = sent.flatMap((e) => highValue.filter((id) => e.body.text?.includes(`- ${id}:`)));
        return listed.length >= highValue.length ? sent : undefined;
      },
      180_000,
      'the digest e-mail(s) listing every high-value transaction',
    );
    // One e-mail per window, never one per transaction: each lists its window's transactions.
    expect(new Set(digests.map((e) => e.subject)).size).toBe(digests.length);
    expect(digests.length).toBeLessThan(highValue.length);
    for (const id of highValue) expect(digests.filter((e) => e.body.text?.includes(`- ${id}:`))).toHaveLength(1);
    const text = digests.map((e) => e.body.text).join('\n');
    expect(text).toContain('- hv-eur-4000: 4000.00 EUR = 4347.83 USD, <i>Atlas</i> & Co, user ');
    expect(text).toMatch(/- hv-usd-5000: 5000\.00 USD = 5000\.00 USD, .*, user [0-9a-f]{64}, /);
    expect(text).not.toContain('small-eur-20');
    expect(digests.map((e) => e.body.html).join('\n')).toContain('&lt;i&gt;Atlas&lt;/i&gt; &amp; Co');
    for (const e of digests) expect(JSON.stringify(e)).not.toContain(RAW_USER);
  });
});
