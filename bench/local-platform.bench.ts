import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { emulatorMemoryMb } from '../lib/local-platform/emulators';
import { LOCK_FILE, type LockOwner } from '../lib/local-platform/instance-lock';
import { invocableFunctions, type EndpointsFile } from '../lib/local-platform/platform';
import type { BenchFigure } from './figures';

/**
 * The project's own targets (the issue sets none): `npm start` is ready within 15 s, and the
 * whole platform (emulators, functions, gateway) stays within 1.5 GB once every function has run,
 * on a laptop-class 2-core machine.
 */
const MAX_START_MS = 15_000;
const MAX_WARM_MB = 1_536;
const REPO_ROOT = path.join(__dirname, '..');

/**
 * `npm start` as a user runs it, in a process of its own (so no other bench's memory counts):
 * the time until endpoints.json is written, fresh and again on its data, and the resident memory
 * of the platform process and its emulators (pids from its lock file) when ready and once every
 * function has run.
 */
export async function run(): Promise<BenchFigure[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fx-bench-'));
  try {
    const fresh = await start(dir, ['--fresh']);
    const readyMb = residentMb(dir);
    await warmEveryFunction(fresh.endpoints);
    const warmMb = residentMb(dir);
    await stop(fresh.child);
    const again = await start(dir, []);
    await stop(again.child);
    return [
      { figure: 'npm start on a fresh folder: ready', value: fresh.ms, unit: 'ms', target: `<= ${MAX_START_MS} ms`, met: fresh.ms <= MAX_START_MS },
      { figure: 'npm start again on its data: ready', value: again.ms, unit: 'ms', target: `<= ${MAX_START_MS} ms`, met: again.ms <= MAX_START_MS },
      { figure: 'local platform resident memory when ready', value: readyMb, unit: 'MB' },
      {
        figure: 'local platform resident memory once every function has run',
        value: warmMb,
        unit: 'MB',
        target: `<= ${MAX_WARM_MB} MB`,
        met: warmMb <= MAX_WARM_MB,
        note: 'the platform process (gateway, pollers, one worker thread per function environment) with DynamoDB Local (JVM), fauxqs and the SES emulator',
      },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function start(dir: string, args: string[]): Promise<{ child: ChildProcess; ms: number; endpoints: EndpointsFile }> {
  const started = Date.now();
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'bin/local.ts', 'start', ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, FX_LOCAL_DIR: dir },
    stdio: 'ignore',
    detached: true,
  });
  const file = path.join(dir, 'endpoints.json');
  while (!existsSync(file)) {
    if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
    if (Date.now() - started > 120_000) throw new Error('npm start was not ready in 2 minutes');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ms = Date.now() - started;
  return { child, ms, endpoints: JSON.parse(readFileSync(file, 'utf8')) as EndpointsFile };
}

/** Ctrl-C, as in a terminal: SIGINT to its process group. */
async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGINT');
  await exited;
}

/** The platform process (the lock's owner) and the emulators it records in its lock file. */
function residentMb(dir: string): number {
  const owner = JSON.parse(readFileSync(path.join(dir, LOCK_FILE), 'utf8')) as LockOwner;
  return emulatorMemoryMb([owner.pid, ...Object.values(owner.children ?? {})]);
}

/** Runs every function once: the scheduled ones, the consumers (through their queues) and the API's. */
async function warmEveryFunction(endpoints: EndpointsFile): Promise<void> {
  for (const name of invocableFunctions()) {
    const response = await fetch(`${endpoints.control}/invoke/${name}`, { method: 'POST' });
    if (!response.ok) throw new Error(`invoke ${name}: ${await response.text()}`);
  }
  const client = endpoints.clients.find((c) => c.name === 'acme-payments')!;
  const token = (await (
    await fetch(endpoints.tokenUrl!, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    })
  ).json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token.access_token}`, 'x-api-key': client.apiKey };
  for (const route of ['/v1/currencies', '/v1/rates/latest?base=EUR', '/v1/convert?from=EUR&to=USD&amount=1', '/v1/conversions', '/v1/openapi.json']) {
    await (await fetch(`${endpoints.api}${route}`, { headers })).arrayBuffer();
  }
  // The consumers have run once their queues are empty again.
  const sqs = new SQSClient({ endpoint: endpoints.services.sqs, region: 'us-east-1', credentials: { accessKeyId: 'l', secretAccessKey: 'l' }, useQueueUrlAsEndpoint: false });
  const deadline = Date.now() + 60_000;
  for (const queue of [endpoints.resources.queues.rates, endpoints.resources.queues.transactions]) {
    for (;;) {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: queue.url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
      );
      if (Attributes.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0') break;
      if (Date.now() > deadline) throw new Error(`${queue.url} did not drain`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  sqs.destroy();
}
