import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ConsumerTotals } from '../../lib/local-platform/activity';
import type { EndpointsFile } from '../../lib/local-platform/platform';
import type { PlatformStatus } from '../../lib/local-platform/status';
import { destroyClients, emulatorClients, type EmulatorClients } from './emulator-resources';

const REPO_ROOT = path.join(__dirname, '..', '..');

export interface PlatformProcess {
  readonly dir: string;
  readonly endpoints: EndpointsFile;
  readonly output: () => string;
  /** SDK clients for its emulators (DynamoDB with wrapNumbers, SQS, S3), made on first use and destroyed by stop(). */
  readonly clients: EmulatorClients;
  /** Runs `npm run local -- <args>` against this platform and returns its stdout. */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs `npm run backfill -- <args>` against this platform. */
  backfill(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs `npm run query -- <args>` against this platform. */
  query(args: string[]): Promise<CliResult>;
  /** Runs another of the project's scripts (`bin/<script>.ts`) against this platform. */
  run(script: string, args: string[]): Promise<CliResult>;
  /**
   * Stops it as Ctrl-C in its terminal does (SIGINT to its whole process group) and waits for its
   * exit; the folder is removed unless `keepDir`.
   */
  stop(options?: { keepDir?: boolean }): Promise<number | null>;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface StartOptions {
  /** An existing state folder (a restart); default a new temporary one. */
  readonly dir?: string;
  /** Pass `--fresh`. @default true */
  readonly fresh?: boolean;
  readonly timeoutMs?: number;
}

/** Starts `npm start` (bin/local.ts) as a user would, in its own directory, and waits for endpoints.json. */
export async function startPlatformProcess(args: string[] = [], options: StartOptions = {}): Promise<PlatformProcess> {
  const dir = options.dir ?? mkdtempSync(path.join(tmpdir(), 'fx-e2e-'));
  const timeoutMs = options.timeoutMs ?? 90_000;
  const env = { ...process.env, FX_LOCAL_DIR: dir };
  const fresh = options.fresh === false ? [] : ['--fresh'];
  // Its own process group, like a terminal's foreground job: stop() sends Ctrl-C's SIGINT to all of it.
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'bin/local.ts', 'start', ...fresh, ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const endpointsPath = path.join(dir, 'endpoints.json');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(endpointsPath)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      signalGroup(child, 'SIGKILL');
      throw new Error(`local platform did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const endpoints = JSON.parse(readFileSync(endpointsPath, 'utf8')) as EndpointsFile;
  let clients: EmulatorClients | undefined;
  return {
    dir,
    endpoints,
    output: () => output,
    get clients() {
      clients ??= emulatorClients(endpoints.services);
      return clients;
    },
    cli: (cliArgs) => runCli(['bin/local.ts', ...cliArgs], env),
    backfill: (cliArgs) => runCli(['bin/backfill.ts', ...cliArgs], env),
    query: (cliArgs) => runCli(['bin/query.ts', ...cliArgs], env),
    run: (script, cliArgs) => runCli([`bin/${script}.ts`, ...cliArgs], env),
    stop: (stopOptions) => {
      if (clients) destroyClients(clients);
      return stopChild(child, dir, stopOptions?.keepDir ?? false);
    },
  };
}

/** Runs a project script (`bin/<script>.ts`) with the given local state folder, as `npm run` would. */
export function runScript(script: string, args: string[], dir: string): Promise<CliResult> {
  return runCli([`bin/${script}.ts`, ...args], { ...process.env, FX_LOCAL_DIR: dir });
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), ...args], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function stopChild(child: ChildProcess, dir: string, keepDir: boolean): Promise<number | null> {
  let code = child.exitCode;
  if (code === null && child.signalCode === null) {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
    signalGroup(child, 'SIGINT');
    const timer = setTimeout(() => signalGroup(child, 'SIGKILL'), 15_000);
    code = await exited;
    clearTimeout(timer);
  }
  if (!keepDir) rmSync(dir, { recursive: true, force: true });
  return code;
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    // the group is gone
  }
}

/** Polls `probe` until it returns a value that is not undefined. */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`timed out waiting for ${what}${lastError ? `: ${(lastError as Error).message}` : ''}`);
}

/** What `npm run local -- status` reads: the control server's status.json. */
export async function platformStatus(platform: PlatformProcess): Promise<PlatformStatus> {
  const response = await fetch(`${platform.endpoints.control}/status.json`);
  if (!response.ok) throw new Error(`status.json answered ${response.status}`);
  return (await response.json()) as PlatformStatus;
}

const NO_MESSAGES: ConsumerTotals = { batches: 0, processed: 0, failed: 0 };

/** The messages a queue's consumer has been delivered since start, and what the queue holds now. */
export async function queueActivity(platform: PlatformProcess, queue: string): Promise<ConsumerTotals & { waiting: number; inFlight: number; deadLetters: number }> {
  const status = await platformStatus(platform);
  const found = status.queues.find((q) => q.name === queue);
  if (!found?.consumer) throw new Error(`no consumed queue ${queue} in status.json`);
  return { ...(status.consumers[found.consumer] ?? NO_MESSAGES), waiting: found.waiting, inFlight: found.inFlight, deadLetters: found.deadLetters };
}

/**
 * Waits for the positive signal that what was sent to `queue` is processed: its consumer was
 * delivered at least `messages` more messages than `before` (processed or failed) and the queue
 * holds nothing, visible or in flight. Only then may a test assert that nothing changed.
 */
export async function queueSettled(
  platform: PlatformProcess,
  queue: string,
  before: ConsumerTotals,
  messages = 1,
  timeoutMs = 60_000,
): Promise<ConsumerTotals> {
  return eventually(async () => {
    const now = await queueActivity(platform, queue);
    const delivered = now.processed + now.failed - (before.processed + before.failed);
    return delivered >= messages && now.waiting === 0 && now.inFlight === 0 ? now : undefined;
  }, timeoutMs, `${queue} processed and drained`);
}
