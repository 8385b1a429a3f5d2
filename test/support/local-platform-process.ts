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
  return {
    dir,
    endpoints,
    output: () => output,
    cli: (cliArgs) => runCli(['bin/local.ts', ...cliArgs], env),
    backfill: (cliArgs) => runCli(['bin/backfill.ts', ...cliArgs], env),
    query: (cliArgs) => runCli(['bin/query.ts', ...cliArgs], env),
    run: (script, cliArgs) => runCli([`bin/${script}.ts`, ...cliArgs], env),
    stop: (stopOptions) => stopChild(child, dir, stopOptions?.keepDir ?? false),
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
