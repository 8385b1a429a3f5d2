import { PutObjectCommand } from '@aws-sdk/client-s3';
import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { LAKE_PREFIXES } from '../../../lambdas/shared/lake-prefixes';
import { queueDepth } from '../../../lib/cli/command-run';
import { quarantinedSince } from '../../../lib/cli/quarantine-lookup';
import { receiveSendDelete } from '../../../lib/cli/redrive';
import { createBucket, createQueue, uniqueName, useEmulators } from '../../support/emulator-resources';

jest.setTimeout(60_000);

const env = useEmulators('operations');

describe('moving a DLQ back to its queue on fauxqs (no StartMessageMoveTask there)', () => {
  it('moves every message with its body and attributes, deletes it from the DLQ, and reports progress', async () => {
    const { sqs } = env.clients;
    const dlq = await createQueue(env.clients, uniqueName('redrive-dlq'));
    const main = await createQueue(env.clients, uniqueName('redrive'), {
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 5 }),
    });
    const bodies = Array.from({ length: 23 }, (_, i) => `{"n":${i}}`);
    for (const body of bodies) {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: dlq.url,
          MessageBody: body,
          MessageAttributes: { correlationId: { DataType: 'String', StringValue: `c-${body}` } },
        }),
      );
    }
    const queue = { label: 'test', url: main.url, dlqUrl: dlq.url };
    const progress: number[] = [];
    const result = await receiveSendDelete(sqs, queue, 23)(({ moved }) => progress.push(moved));

    expect(result).toEqual({ moved: 23, toMove: 23 });
    expect(progress.at(-1)).toBe(23);
    expect(await queueDepth(sqs, queue)).toEqual({ waiting: 23, inFlight: 0, deadLetters: 0 });
    const moved: { body: string; attribute?: string }[] = [];
    while (moved.length < 23) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: main.url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }),
      );
      if (Messages.length === 0) break;
      moved.push(...Messages.map((m) => ({ body: m.Body!, attribute: m.MessageAttributes?.correlationId?.StringValue })));
    }
    expect(moved.map((m) => m.body).sort()).toEqual([...bodies].sort());
    for (const m of moved) expect(m.attribute).toBe(`c-${m.body}`);
  });

  it('moves no more than the DLQ held when it started', async () => {
    const { sqs } = env.clients;
    const dlq = await createQueue(env.clients, uniqueName('redrive-dlq'));
    const main = await createQueue(env.clients, uniqueName('redrive'));
    for (let i = 0; i < 5; i++) await sqs.send(new SendMessageCommand({ QueueUrl: dlq.url, MessageBody: `m${i}` }));
    const result = await receiveSendDelete(sqs, { label: 'test', url: main.url, dlqUrl: dlq.url }, 3)(() => undefined);
    expect(result).toEqual({ moved: 3, toMove: 3 });
    expect(await queueDepth(sqs, { label: 'test', url: main.url, dlqUrl: dlq.url })).toEqual({ waiting: 3, inFlight: 0, deadLetters: 2 });
  });
});

describe('finding what the processor quarantined for the records a command sent', () => {
  it('reads the quarantine lines written since the command started, for its own transaction ids only', async () => {
    const { s3 } = env.clients;
    const bucket = uniqueName('quarantine');
    await createBucket(env.clients, bucket);
    const since = new Date();
    const today = since.toISOString().slice(0, 10);
    const line = (id: string, reason: string) => JSON.stringify({ messageId: `m-${id}`, reason, detail: 'why', record: { transaction_id: id } });
    const put = (key: string, body: string) =>
      s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${LAKE_PREFIXES.quarantineTransactions}/${key}`, Body: body }));
    await put(`dt=${today}/a.jsonl`, `${line('mine-1', 'INVALID_AMOUNT')}\n${line('theirs', 'MALFORMED')}\n`);
    await put(`dt=${today}/b.jsonl`, `${line('mine-2', 'FUTURE_TIMESTAMP')}\n${JSON.stringify({ messageId: 'x', reason: 'MALFORMED', detail: 'd', record: null })}\n`);
    // An older day's partition is not listed at all.
    await put('dt=2020-01-01/old.jsonl', `${line('mine-3', 'INVALID_AMOUNT')}\n`);

    const found = await quarantinedSince(s3, bucket, LAKE_PREFIXES.quarantineTransactions, since, new Set(['mine-1', 'mine-2', 'mine-3']));
    expect(found.map((l) => [l.record?.transaction_id, l.reason]).sort()).toEqual([
      ['mine-1', 'INVALID_AMOUNT'],
      ['mine-2', 'FUTURE_TIMESTAMP'],
    ]);
  });
});
