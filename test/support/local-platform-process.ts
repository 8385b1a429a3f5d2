import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { EndpointsFile } from '../../lib/local-platform/platform';

const REPO_ROOT = path.join(__dirname, '..', '..');

export interface PlatformProcess {
  readonly dir: string;
  readonly endpoints: EndpointsFile;
  readonly output: () => string;
  /** Runs `npm run local -- <args>` against this platform and returns its stdout. */
  cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs `npm run backfill -- <args>` against this platform. */
  backfill(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  /** Runs `npm run query -- <args>` against this platform. */
  query(args: string[]): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Starts `npm start` (bin/local.ts) as a user would, in its own directory, and waits for endpoints.json. */
export async function startPlatformProcess(args: string[] = [], timeoutMs = 90_000): Promise<PlatformProcess> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fx-e2e-'));
  const env = { ...process.env, FX_LOCAL_DIR: dir };
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'bin/local.ts', 'start', '--fresh', ...args], {
    cwd: REPO_ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const endpointsPath = path.join(dir, 'endpoints.json');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(endpointsPath)) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`local platform did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const endpoints = JSON.parse(readFileSync(endpointsPath, 'utf8')) as EndpointsFile;
  return {
    dir,
    endpoints,
    output: () => output,
    cli: (cliArgs) => runCli(['bin/local.ts', ...cliArgs], env),
    backfill: (cliArgs) => runCli(['bin/backfill.ts', ...cliArgs], env),
    query: (cliArgs) => runCli(['bin/query.ts', ...cliArgs], env),
    stop: () => stopChild(child, dir),
  };
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [require.resolve('tsx/cli'), ...args], { cwd: REPO_ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

async function stopChild(child: ChildProcess, dir: string): Promise<void> {
  if (child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
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
