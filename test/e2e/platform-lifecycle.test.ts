import { readFileSync, rmSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { FUNCTIONS } from '../../lib/definitions/functions';
import { LOCAL_TASKS } from '../../lib/local-platform/platform';
import { eventually, runScript, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';

jest.setTimeout(240_000);

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const sqsOf = (platform: PlatformProcess) =>
  new SQSClient({ endpoint: platform.endpoints.services.sqs, region: 'us-east-1', credentials, useQueueUrlAsEndpoint: false });

/** The function names the usage text offers after `invoke`. */
function invokable(usage: string): string[] {
  const line = /npm run local -- invoke <([^>]+)>/.exec(usage);
  if (!line) throw new Error(`no invoke line in the usage text:\n${usage}`);
  return line[1].split('|');
}

describe('the local platform on one folder', () => {
  let platform: PlatformProcess;

  beforeAll(async () => {
    platform = await startPlatformProcess();
  });
  afterAll(async () => {
    await platform?.stop();
  });

  it('a second npm start on the same folder exits non-zero saying where the first runs, and touches nothing', async () => {
    const endpointsFile = path.join(platform.dir, 'endpoints.json');
    const before = readFileSync(endpointsFile, 'utf8');
    const modifiedBefore = statSync(endpointsFile).mtimeMs;

    const second = await runScript('local', ['start'], platform.dir);
    expect(second.code).not.toBe(0);
    expect(second.stderr).toMatch(/another local platform is running on .* \(pid \d+/);

    const fresh = await runScript('local', ['start', '--fresh'], platform.dir);
    expect(fresh.code).not.toBe(0);

    expect(readFileSync(endpointsFile, 'utf8')).toBe(before);
    expect(statSync(endpointsFile).mtimeMs).toBe(modifiedBefore);
    // The first one still answers: a token, and its invoke.
    const token = await platform.cli(['token', 'rates-viewer']);
    expect(token.code).toBe(0);
    expect(token.stdout.trim().split('.')).toHaveLength(3);
    expect((await platform.cli(['invoke', 'fetch-rates'])).code).toBe(0);
  });

  it('npm run local without a command prints the usage, with every start option, instead of starting anything', async () => {
    const result = await runScript('local', [], platform.dir);
    expect(result.code).toBe(0);
    const usage = result.stdout;
    for (const option of ['--fresh', '--rates-provider', '--rates-url', '--transactions-feed-url', '--verbose']) {
      expect(usage).toContain(option);
    }
    for (const command of ['invoke', 'token', 'status', 'inbox']) expect(usage).toContain(`npm run local -- ${command}`);
  });

  it('invoke works for every function the usage offers, and they come from the function definitions', async () => {
    const { stdout } = await runScript('local', ['help'], platform.dir);
    const offered = invokable(stdout);
    expect(offered.length).toBeGreaterThan(0);
    for (const name of offered) expect([...Object.keys(FUNCTIONS), ...LOCAL_TASKS]).toContain(name);
    // Queue and stream consumers need their source's event: they are not offered.
    for (const [name, def] of Object.entries(FUNCTIONS)) {
      if ('sqsTrigger' in def || 'streamTrigger' in def) expect(offered).not.toContain(name);
    }
    for (const name of offered) {
      const result = await platform.cli(['invoke', name]);
      expect({ name, code: result.code, stderr: result.stderr }).toEqual({ name, code: 0, stderr: '' });
    }
    const consumer = await platform.cli(['invoke', 'process-rates']);
    expect(consumer.code).not.toBe(0);
    expect(consumer.stderr).toContain('rates queue');
  });
});

describe('stopping and restarting', () => {
  it('Ctrl-C stops cleanly, and messages in flight at the stop are delivered right after a restart', async () => {
    const first = await startPlatformProcess();
    const dir = first.dir;
    try {
      // A dead-letter queue has no consumer: what is received here stays in flight until we say otherwise.
      const url = first.endpoints.resources.queues.highValueTransactions.dlqUrl;
      const body = `{"inFlight":"${Date.now()}"}`;
      const sqs = sqsOf(first);
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body }));
      const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 600, WaitTimeSeconds: 5 }));
      expect(received.Messages?.map((m) => m.Body)).toEqual([body]);
      sqs.destroy();

      const code = await first.stop({ keepDir: true });
      expect(code).toBe(0);
      const stopping = first.output().slice(first.output().indexOf('Stopping'));
      expect(stopping).not.toMatch(/ECONNREFUSED|Error\b|failed[:(]| [1-9]\d* failed/);

      const second = await startPlatformProcess([], { dir, fresh: false });
      try {
        const again = sqsOf(second);
        const redelivered = await eventually(async () => {
          const result = await again.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
          return result.Messages?.find((m) => m.Body === body);
        }, 15_000, 'the in-flight message after the restart');
        expect(redelivered.Body).toBe(body);
        again.destroy();
      } finally {
        await second.stop({ keepDir: true });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps emulator request logs out of emulators.log unless --verbose', async () => {
    const quiet = await startPlatformProcess();
    const verbose = await startPlatformProcess(['--verbose']);
    try {
      for (const p of [quiet, verbose]) expect((await p.cli(['invoke', 'fetch-rates'])).code).toBe(0);
      const requestLine = /"reqId"|incoming request|request completed/;
      const log = (p: PlatformProcess) => readFileSync(path.join(p.dir, 'logs', 'emulators.log'), 'utf8');
      await eventually(async () => (requestLine.test(log(verbose)) ? true : undefined), 10_000, 'request logs with --verbose');
      expect(log(quiet)).not.toMatch(requestLine);
    } finally {
      await quiet.stop();
      await verbose.stop();
    }
  });
});
