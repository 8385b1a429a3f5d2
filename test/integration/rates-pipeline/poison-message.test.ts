import {
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
} from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { ENV } from '../../../lambdas/shared/env-names';
import { TABLES } from '../../../lib/definitions/resources';
import { awsEndpointEnv } from '../../../lib/local-platform/emulators';
import {
  approximateMessages,
  createQueue,
  createTableFrom,
  drainQueue,
  scanAll,
  type CreatedQueue,
  useEmulators,
} from '../../support/emulator-resources';
import { QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { snapshotOf, snapshotWithZeroRate } from '../../support/rates';
import { sqsEventFromMessages } from '../../support/sqs-events';

jest.setTimeout(120_000);

const TABLE = 'rates-poison';
const MAX_RECEIVE_COUNT = 2;
/**
 * Short, so a failed message comes back quickly; not 1 s, so a slow first (cold) batch cannot
 * outlive its visibility and get a healthy message received a second time.
 */
const VISIBILITY_TIMEOUT_SECONDS = 2;

const env = useEmulators('rates-poison');
let ratesQueue: CreatedQueue;
let dlq: CreatedQueue;
let rateChanges: CreatedQueue;
let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let restoreEnv = () => undefined as void;

beforeAll(async () => {
  await createTableFrom(env.clients, TABLES.rates, TABLE);
  rateChanges = await createQueue(env.clients, 'rate-changes');
  dlq = await createQueue(env.clients, 'rates-dlq');
  ratesQueue = await createQueue(env.clients, 'rates', {
    VisibilityTimeout: String(VISIBILITY_TIMEOUT_SECONDS),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: MAX_RECEIVE_COUNT }),
  });

  restoreEnv = setEnv({
    ...awsEndpointEnv(env.emulators.endpoints),
    ...QUIET_POWERTOOLS,
    [ENV.ratesTable]: TABLE,
    [ENV.rateChangesQueue]: rateChanges.url,
  });
  // A cold start with this environment, as the Lambda runtime would do it.
  await jest.isolateModulesAsync(async () => {
    ({ handler } = await import('../../../lambdas/handlers/process-rates'));
  });
});

afterAll(async () => {
  restoreEnv();
});

describe('process-rates handler on a queue with a DLQ', () => {
  it('dead-letters a poison message after maxReceiveCount while its batch siblings are stored once', async () => {
    const valid = [
      snapshotOf('2022-07-06', { USD: '1.0177', JPY: '137.78' }),
      snapshotOf('2022-07-07', { USD: '1.0180', JPY: '137.50' }),
      snapshotOf('2022-07-08', { USD: '1.0163', JPY: '138.05' }),
    ];
    const poisonBody = JSON.stringify(snapshotWithZeroRate('2022-07-09'));
    const bodies = [JSON.stringify(valid[0]), poisonBody, JSON.stringify(valid[1]), JSON.stringify(valid[2])];
    const sent = await env.clients.sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: ratesQueue.url,
        Entries: bodies.map((MessageBody, i) => ({ Id: String(i), MessageBody })),
      }),
    );
    expect(sent.Failed ?? []).toEqual([]);
    const idOf = (body: string) => sent.Successful!.find((s) => s.Id === String(bodies.indexOf(body)))!.MessageId!;
    const poisonId = idOf(poisonBody);

    // Poll like the Lambda event source mapping: receive a batch, invoke, delete what succeeded,
    // leave the reported failures to come back after the visibility timeout.
    const succeeded: string[] = [];
    const failures: { messageId: string; receiveCount: string }[] = [];
    const deadline = Date.now() + 60_000;
    while ((await approximateMessages(env.clients, dlq.url)) === 0) {
      if (Date.now() > deadline) throw new Error('the poison message never reached the DLQ');
      const { Messages = [] } = await env.clients.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: ratesQueue.url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) continue;
      const event = sqsEventFromMessages(Messages, ratesQueue.arn);

      const { batchItemFailures } = await handler(event);

      const failed = new Set(batchItemFailures.map((f) => f.itemIdentifier));
      for (const record of event.Records) {
        if (failed.has(record.messageId)) {
          failures.push({ messageId: record.messageId, receiveCount: record.attributes.ApproximateReceiveCount });
        } else {
          succeeded.push(record.messageId);
        }
      }
      const done = Messages.filter((m) => !failed.has(m.MessageId!));
      if (done.length > 0) {
        await env.clients.sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: ratesQueue.url,
            Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
          }),
        );
      }
    }

    // Only the poison failed, once per receive it was allowed; each sibling succeeded exactly once.
    expect(failures).toEqual([
      { messageId: poisonId, receiveCount: '1' },
      { messageId: poisonId, receiveCount: '2' },
    ]);
    expect(succeeded.sort()).toEqual(valid.map((s) => idOf(JSON.stringify(s))).sort());

    // The poison waits in the DLQ, unchanged; the rates queue is empty.
    const dead = await drainQueue(env.clients, dlq.url);
    expect(dead.map((m) => m.Body)).toEqual([poisonBody]);
    expect(await approximateMessages(env.clients, ratesQueue.url)).toBe(0);

    // The siblings are stored: one history item per day (export-rates takes each to the lake), the newest day as latest.
    const items = await scanAll(env.clients, TABLE);
    expect(items.filter((i) => String(i.pk).startsWith('SERIES#'))).toHaveLength(3);
    expect(items.some((i) => String(i.rateDate) === '2022-07-09')).toBe(false);
    const { Item } = await env.clients.dynamodb.send(new GetCommand({ TableName: TABLE, Key: { pk: 'LATEST#ecb#EUR', sk: 'LATEST' } }));
    expect(Item).toMatchObject({ snapshotId: valid[2].snapshotId, rates: { USD: { published: '1.0163' }, JPY: { published: '138.05' } } });
    // And nothing of the poison reached the rate-change stream.
    const events = await drainQueue(env.clients, rateChanges.url);
    expect(events.length).toBeGreaterThan(0);
    expect(events.some((m) => m.Body!.includes('20220709'))).toBe(false);
  });
});
