import { PutObjectCommand } from '@aws-sdk/client-s3';
import { sqsMessagePublisher } from '../../../lambdas/adapters/aws/sqs-message-publisher';
import { userIdHash } from '../../../lambdas/domain/pii';
import type { QuarantineLine } from '../../../lambdas/use-cases/process-transactions';
import { replayQuarantine } from '../../../lib/cli/replay-quarantine';
import { createBucket, createQueue, drainQueue, uniqueName, useEmulators } from '../../support/emulator-resources';
import { feedTransaction, HMAC_KEY } from '../../support/transactions';

jest.setTimeout(60_000);

const env = useEmulators('replay');

const quarantined = (id: string, overrides: Record<string, unknown> = {}) => ({
  ...feedTransaction({ transaction_id: id, user_id: undefined, ...overrides }),
  user_id_hash: userIdHash(HMAC_KEY, 'user-42'),
});
const line = (messageId: string, reason: QuarantineLine['reason'], record: Record<string, unknown> | null): string =>
  `${JSON.stringify({ messageId, reason, detail: 'why', record })}\n`;

describe('npm run replay -- quarantine (replayQuarantine against fauxqs)', () => {
  it('re-queues the records quarantined for the reason in the days asked, once each, marked as replayed', async () => {
    const bucket = uniqueName('lake');
    await createBucket(env.clients, bucket);
    const { url } = await createQueue(env.clients, uniqueName('transactions'));
    const objects = {
      'quarantine/transactions/dt=2024-01-09/a.jsonl': line('m1', 'NO_RATE_AT_TIME', quarantined('too-early')),
      'quarantine/transactions/dt=2024-01-10/b.jsonl':
        line('m2', 'NO_RATE_AT_TIME', quarantined('old-1', { currency: 'KWD' })) +
        line('m3', 'INVALID_AMOUNT', quarantined('bad', { amount: 'lots' })) +
        line('m4', 'NO_RATE_AT_TIME', quarantined('old-2')),
      'quarantine/transactions/dt=2024-01-11/c.jsonl': line('m5', 'NO_RATE_AT_TIME', quarantined('old-1', { currency: 'KWD' })) + line('m6', 'MALFORMED', null),
      'quarantine/transactions/dt=2024-01-13/d.jsonl': line('m7', 'NO_RATE_AT_TIME', quarantined('too-late')),
    };
    for (const [Key, Body] of Object.entries(objects)) await env.clients.s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));

    const summary = await replayQuarantine({
      s3: env.clients.s3,
      bucket,
      transactionsQueue: sqsMessagePublisher(env.clients.sqs, url),
      reason: 'NO_RATE_AT_TIME',
      from: '2024-01-10',
      to: '2024-01-12',
    });

    expect(summary).toEqual({ objects: 2, matched: 3, requeued: 2, duplicates: 1, unreplayable: 0 });
    const messages = await drainQueue(env.clients, url);
    expect(messages.map((m) => JSON.parse(m.Body!)).sort((a, b) => (a.transaction_id < b.transaction_id ? -1 : 1))).toEqual([
      quarantined('old-1', { currency: 'KWD' }),
      quarantined('old-2'),
    ]);
    for (const m of messages) expect(m.MessageAttributes).toEqual({ 'fx-replayed': expect.objectContaining({ DataType: 'String', StringValue: 'quarantine' }) });
    // The raw user id was never in the quarantine, so it is not in what is replayed either.
    expect(messages.map((m) => m.Body).join()).not.toContain('user-42');
  });
});
