import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { sqsMessagePublisher } from '../../../lambdas/adapters/aws/sqs-message-publisher';
import type { OutgoingMessage } from '../../../lambdas/ports/message-publisher';
import type { RetryOptions } from '../../../lambdas/shared/retry';

const QUEUE_URL = 'http://127.0.0.1:4566/000000000000/rate-changes';
const sqsMock = mockClient(SQSClient);
const client = new SQSClient({ region: 'us-east-1' });

/** No real waiting between attempts; records the backoff delays asked for. */
function fastRetry(attempts: number) {
  const sleeps: number[] = [];
  const options: RetryOptions = {
    attempts,
    baseDelayMs: 100,
    maxDelayMs: 2_000,
    random: () => 0.5,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { options, sleeps };
}

const messages = (...ids: string[]): OutgoingMessage[] =>
  ids.map((id) => ({ id, body: JSON.stringify({ eventId: id }) }));

const bodiesOf = (call: number) =>
  (sqsMock.commandCalls(SendMessageBatchCommand)[call].args[0].input as SendMessageBatchCommandInput)
    .Entries!.map((e) => e.MessageBody);

/** SQS answers that the entries whose bodies are listed failed, the rest succeeded. */
const failing =
  (...failedIds: string[]) =>
  (input: SendMessageBatchCommandInput) => {
    const entries = input.Entries ?? [];
    const failed = entries.filter((e) => failedIds.includes(JSON.parse(e.MessageBody!).eventId));
    return {
      Successful: entries
        .filter((e) => !failed.includes(e))
        .map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
      Failed: failed.map((e) => ({ Id: e.Id, SenderFault: false, Code: 'InternalError' })),
    };
  };

beforeEach(() => sqsMock.reset());

describe('sqsMessagePublisher', () => {
  it('sends every message in one batch when SQS accepts them all', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake(failing());
    const { options, sleeps } = fastRetry(3);

    await sqsMessagePublisher(client, QUEUE_URL, { retry: options }).publish(messages('a', 'b', 'c'));

    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)[0].args[0].input.QueueUrl).toBe(QUEUE_URL);
    expect(bodiesOf(0)).toEqual(messages('a', 'b', 'c').map((m) => m.body));
    expect(sleeps).toEqual([]);
  });

  it('resends only the failed entries, with backoff, until SQS accepts them', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .callsFakeOnce(failing('b', 'c'))
      .callsFakeOnce(failing('c'))
      .callsFake(failing());
    const { options, sleeps } = fastRetry(6);

    await sqsMessagePublisher(client, QUEUE_URL, { retry: options }).publish(messages('a', 'b', 'c'));

    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
    expect(bodiesOf(1)).toEqual(messages('b', 'c').map((m) => m.body));
    expect(bodiesOf(2)).toEqual(messages('c').map((m) => m.body));
    // Exponential backoff with full jitter (random fixed at 0.5): 0.5 * 100 * 2^0, 0.5 * 100 * 2^1.
    expect(sleeps).toEqual([50, 100]);
  });

  it('gives up after the configured attempts with an error naming the ids still unsent', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake(failing('EUR#USD', 'EUR#JPY'));
    const { options } = fastRetry(4);

    await expect(
      sqsMessagePublisher(client, QUEUE_URL, { retry: options }).publish(messages('EUR#GBP', 'EUR#USD', 'EUR#JPY')),
    ).rejects.toThrow('SQS did not accept 2 message(s): EUR#USD, EUR#JPY');
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(4);
  });

  it('sends at most ten entries per call', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake(failing());
    const ids = Array.from({ length: 23 }, (_, i) => `e${i}`);

    await sqsMessagePublisher(client, QUEUE_URL, { retry: fastRetry(3).options }).publish(messages(...ids));

    const sizes = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!.length);
    expect(sizes).toEqual([10, 10, 3]);
    expect([0, 1, 2].flatMap(bodiesOf)).toEqual(messages(...ids).map((m) => m.body));
  });

  it('sends nothing for an empty list', async () => {
    await sqsMessagePublisher(client, QUEUE_URL, { retry: fastRetry(3).options }).publish([]);
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it('propagates an error of the call itself (throttling, network) to the caller', async () => {
    sqsMock.on(SendMessageBatchCommand).rejects(new Error('socket hang up'));
    await expect(
      sqsMessagePublisher(client, QUEUE_URL, { retry: fastRetry(3).options }).publish(messages('a')),
    ).rejects.toThrow('socket hang up');
  });

  it('splits by bytes as well as by count, so no call carries more than 1 MiB of bodies', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake(failing());
    // Ten 300 KB bodies: one call of ten would be 3 MB; SQS takes 1 MiB a call, so three fit.
    const big = Array.from({ length: 10 }, (_, i) => ({ id: `b${i}`, body: JSON.stringify({ eventId: `b${i}`, pad: 'x'.repeat(300_000) }) }));

    await sqsMessagePublisher(client, QUEUE_URL, { retry: fastRetry(3).options }).publish(big);

    const calls = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries!);
    expect(calls.map((entries) => entries.length)).toEqual([3, 3, 3, 1]);
    for (const entries of calls) {
      expect(entries.reduce((sum, e) => sum + Buffer.byteLength(e.MessageBody!, 'utf8'), 0)).toBeLessThanOrEqual(1_048_576);
    }
    expect(calls.flat().map((e) => e.MessageBody)).toEqual(big.map((m) => m.body));
  });

  it('refuses at once, sending nothing, a message larger than SQS takes', async () => {
    const huge = { id: 'huge', body: JSON.stringify({ eventId: 'huge', pad: 'é'.repeat(600_000) }) };

    await expect(
      sqsMessagePublisher(client, QUEUE_URL, { retry: fastRetry(3).options }).publish([...messages('a'), huge]),
    ).rejects.toThrow('1 message(s) larger than SQS takes (1048576 bytes): huge');
    expect(sqsMock.calls()).toHaveLength(0);
  });

  it('never retries an entry that is the sender’s fault, even beside one SQS failed on its side', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [],
      Failed: [
        { Id: '0', SenderFault: false, Code: 'InternalError' },
        { Id: '1', SenderFault: true, Code: 'InvalidParameterValue', Message: 'Message must be shorter than 262144 bytes' },
      ],
    });
    const { options, sleeps } = fastRetry(6);

    await expect(sqsMessagePublisher(client, QUEUE_URL, { retry: options }).publish(messages('a', 'b'))).rejects.toThrow(
      'SQS refused 1 message(s): b (InvalidParameterValue: Message must be shorter than 262144 bytes)',
    );
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('stamps every message with the correlation id current when publishing', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake(failing());
    let current = 'run-1';
    const publisher = sqsMessagePublisher(client, QUEUE_URL, { retry: fastRetry(3).options, correlationId: () => current });

    await publisher.publish(messages('a', 'b'));
    current = 'run-2';
    await publisher.publish(messages('c'));

    const attributesOf = (call: number) =>
      sqsMock.commandCalls(SendMessageBatchCommand)[call].args[0].input.Entries!.map((e) => e.MessageAttributes?.correlationId?.StringValue);
    expect(attributesOf(0)).toEqual(['run-1', 'run-1']);
    expect(attributesOf(1)).toEqual(['run-2']);
  });

  it('fails without retrying when SQS says an entry is the sender’s fault', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'm-0', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', SenderFault: true, Code: 'InvalidMessageContents', Message: 'Invalid characters found' }],
    });

    await expect(
      sqsMessagePublisher(client, QUEUE_URL, { retry: fastRetry(6).options }).publish(messages('a', 'b')),
    ).rejects.toThrow('SQS refused 1 message(s): b (InvalidMessageContents: Invalid characters found)');
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
  });
});
