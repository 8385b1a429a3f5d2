import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { QUEUES, type QueueKey } from '../../../lib/definitions/resources';
import { LocalFunction } from '../../../lib/local-platform/function-host';
import { createQueueWithDlq, type QueueUrls } from '../../../lib/local-platform/provision';
import { startQueuePoller } from '../../../lib/local-platform/queue-poller';
import { approximateMessages, useEmulators } from '../../support/emulator-resources';
import { eventually } from '../../support/local-platform-process';
import type { Delivery } from '../../support/queue-test-handler';

jest.setTimeout(120_000);

const HANDLER = path.join(__dirname, '..', '..', 'support', 'queue-test-handler.ts');
const FUNCTION_TIMEOUT_SECONDS = 1;

const env = useEmulators('queue-poller-host');
let dir: string;
const stops: (() => Promise<void>)[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'queue-poller-host-'));
});

afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

interface Harness {
  readonly queue: QueueUrls;
  readonly batches: { received: number; failed: number; error?: string }[];
  readonly deliveries: () => Delivery[];
  readonly log: () => string;
  readonly send: (...bodies: string[]) => Promise<void>;
  /** The messages its DLQ holds (nothing consumes a DLQ, so receiving them takes nothing away). */
  readonly deadLetters: () => Promise<string[]>;
}

/**
 * A queue of the definitions (its DLQ and redrive policy as `npm start` provisions them, a short
 * visibility timeout) consumed by the real poller invoking the test handler in the real host.
 */
async function harness(key: QueueKey, options: { visibilityTimeoutSeconds: number; batchSize: number }): Promise<Harness> {
  const { sqs } = env.clients;
  const queue = await createQueueWithDlq(sqs, key);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl: queue.url, Attributes: { VisibilityTimeout: String(options.visibilityTimeoutSeconds) } }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['QueueArn'] }));
  const name = `test-${key}`;
  const deliveriesFile = path.join(dir, `${name}.jsonl`);
  const fn = new LocalFunction({ name, entry: HANDLER, timeoutSeconds: FUNCTION_TIMEOUT_SECONDS, env: { DELIVERIES_FILE: deliveriesFile } }, dir);
  const batches: Harness['batches'] = [];
  const poller = startQueuePoller({
    sqs,
    queueUrl: queue.url,
    queueArn: Attributes!.QueueArn!,
    region: 'us-east-1',
    batchSize: options.batchSize,
    maxBatchingWindowSeconds: 0,
    invoke: (event) => fn.invoke(event),
    onBatch: (batch) => batches.push(batch),
  });
  stops.push(() => fn.stop(), () => poller.stop());
  const deadLetters: string[] = [];
  return {
    queue,
    batches,
    deliveries: () =>
      existsSync(deliveriesFile)
        ? readFileSync(deliveriesFile, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Delivery)
        : [],
    log: () => readFileSync(path.join(dir, `${name}.log`), 'utf8'),
    send: async (...bodies) => {
      for (const body of bodies) await sqs.send(new SendMessageCommand({ QueueUrl: queue.url, MessageBody: body }));
    },
    deadLetters: async () => {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
      deadLetters.push(...Messages.map((m) => m.Body!));
      return [...deadLetters];
    },
  };
}

const bodiesOf = (deliveries: Delivery[], body: string) => deliveries.filter((d) => d.body === body);

describe('the local queue poller and function host (npm start’s Lambda stand-ins) on fauxqs', () => {
  it('kills a handler at its timeout in a fresh environment each time; the message comes back counted and is dead-lettered after maxReceiveCount', async () => {
    const maxReceiveCount = QUEUES.rates.maxReceiveCount;
    const h = await harness('rates', { visibilityTimeoutSeconds: 2, batchSize: 1 });
    await h.send('hang');
    // Back after its first timeout: the message is visible again and a new environment takes the next one.
    await eventually(async () => (bodiesOf(h.deliveries(), 'hang').length >= 2 ? true : undefined), 20_000, 'the hung message delivered again');
    await h.send('after-timeout');

    const dead = await eventually(async () => {
      const letters = await h.deadLetters();
      return letters.includes('hang') ? letters : undefined;
    }, 60_000, 'the hung message in the DLQ');
    expect(dead).toEqual(['hang']);

    const deliveries = h.deliveries();
    const hung = bodiesOf(deliveries, 'hang');
    expect(hung.map((d) => d.receiveCount)).toEqual(Array.from({ length: maxReceiveCount }, (_, i) => i + 1));
    // Each timeout killed its environment: no two deliveries ran in the same one.
    expect(new Set(hung.map((d) => d.threadId)).size).toBe(maxReceiveCount);
    expect(bodiesOf(deliveries, 'after-timeout')).toEqual([expect.objectContaining({ receiveCount: 1 })]);
    expect(h.batches.filter((b) => b.error !== undefined)).toEqual(
      Array.from({ length: maxReceiveCount }, () => ({ received: 1, failed: 1, error: `test-rates timed out after ${FUNCTION_TIMEOUT_SECONDS} s` })),
    );
    expect(h.log().match(/"message":"Invoke Error".*timed out after 1 s/g)).toHaveLength(maxReceiveCount);
    expect(await approximateMessages(env.clients, h.queue.url)).toBe(0);
  });

  it('replaces an environment a handler crashed (process.exit or an uncaught exception): the crash is logged, the message comes back and the next one is processed', async () => {
    const h = await harness('rateChanges', { visibilityTimeoutSeconds: 2, batchSize: 1 });
    await h.send('exit', 'after-exit', 'throw-async', 'after-throw');

    const deliveries = await eventually(async () => {
      const seen = h.deliveries();
      const done = ['exit', 'throw-async'].every((body) => bodiesOf(seen, body).some((d) => d.receiveCount === 2));
      return done && ['after-exit', 'after-throw'].every((body) => bodiesOf(seen, body).length > 0) ? seen : undefined;
    }, 30_000, 'both crashing messages delivered twice and both others once');

    for (const body of ['after-exit', 'after-throw']) expect(bodiesOf(deliveries, body)).toEqual([expect.objectContaining({ receiveCount: 1 })]);
    // Each crash ended its environment: the next delivery ran in a new one.
    for (const crash of ['exit', 'throw-async']) {
      const [first] = bodiesOf(deliveries, crash);
      const next = deliveries[deliveries.indexOf(first) + 1];
      expect(next.threadId).not.toBe(first.threadId);
    }
    const errors = h.batches.map((b) => b.error).filter(Boolean);
    expect(errors).toEqual(expect.arrayContaining([expect.stringMatching(/exited/), expect.stringMatching(/crashed outside the invocation/)]));
    expect(h.log()).toMatch(/"message":"Invoke Error".*crashed outside the invocation/);
    expect(h.log()).toMatch(/"message":"Invoke Error".*exited/);
  });

  it('deletes what succeeded, redelivers a batch item failure and dead-letters it after maxReceiveCount; its batch-mates are processed once', async () => {
    const maxReceiveCount = QUEUES.highValueTransactions.maxReceiveCount;
    const h = await harness('highValueTransactions', { visibilityTimeoutSeconds: 1, batchSize: 10 });
    await env.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: h.queue.url,
        Entries: ['ok-1', 'poison', 'ok-2'].map((body, i) => ({ Id: String(i), MessageBody: body })),
      }),
    );

    await eventually(async () => ((await h.deadLetters()).includes('poison') ? true : undefined), 60_000, 'the poison message in the DLQ');
    const deliveries = h.deliveries();
    expect(bodiesOf(deliveries, 'poison').map((d) => d.receiveCount)).toEqual(Array.from({ length: maxReceiveCount }, (_, i) => i + 1));
    for (const body of ['ok-1', 'ok-2']) expect(bodiesOf(deliveries, body)).toEqual([expect.objectContaining({ receiveCount: 1 })]);
    expect(await h.deadLetters()).toEqual(['poison']);
    expect(await approximateMessages(env.clients, h.queue.url)).toBe(0);
  });
});
