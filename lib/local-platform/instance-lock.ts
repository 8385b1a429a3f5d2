import { linkSync, mkdirSync, readFileSync, readlinkSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

/** What a running platform writes into its lock file. */
export interface LockOwner {
  readonly pid: number;
  readonly startedAt: string;
  /** Emulator child processes, so a later start can stop the ones a killed platform left behind. */
  readonly children?: Readonly<Record<string, number>>;
}

export interface InstanceLock {
  readonly file: string;
  /** Records the emulators' pids (called once they run). */
  recordChildren(children: Readonly<Record<string, number>>): void;
  release(): void;
}

/** Another platform runs on the same folder. */
export class PlatformRunningError extends Error {
  override readonly name = 'PlatformRunningError';
  constructor(
    readonly dir: string,
    readonly owner: LockOwner,
  ) {
    super(
      `another local platform is running on ${dir} (pid ${owner.pid}, started ${owner.startedAt}). ` +
        'Use that one (npm run local -- status), stop it with Ctrl-C in its terminal, ' +
        'or start a second one on another folder: FX_LOCAL_DIR=/some/dir npm start',
    );
  }
}

export const LOCK_FILE = 'platform.lock';

/**
 * One platform per state folder: an exclusively created `<dir>/platform.lock` holding the owner's
 * pid. A lock whose pid is gone (the platform was killed) is taken over, and the emulators that
 * platform left running on this folder are stopped first (they would hold its ports and the
 * DynamoDB database file). Nothing else in the folder is touched before the lock is held.
 */
export function acquireInstanceLock(dir: string, options: { readonly isAlive?: (pid: number) => boolean } = {}): InstanceLock {
  const isAlive = options.isAlive ?? processIsAlive;
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, LOCK_FILE);
  let owner: LockOwner = { pid: process.pid, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    try {
      // Written whole, then linked into place: the lock never exists half-written.
      writeAtomically(file, owner, 'create');
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 2) throw error;
      const held = readOwner(file);
      if (held && isAlive(held.pid)) throw new PlatformRunningError(dir, held);
      for (const pid of Object.values(held?.children ?? {})) stopLeftover(pid, dir, isAlive);
      rmSync(file, { force: true });
    }
  }
  let released = false;
  return {
    file,
    recordChildren(children) {
      owner = { ...owner, children };
      writeAtomically(file, owner, 'replace');
    },
    release() {
      if (released) return;
      released = true;
      if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}

/** The platform holding the folder's lock, when it is still running. */
export function runningOwner(dir: string, isAlive: (pid: number) => boolean = processIsAlive): LockOwner | undefined {
  const owner = readOwner(path.join(dir, LOCK_FILE));
  return owner && isAlive(owner.pid) ? owner : undefined;
}

function writeAtomically(file: string, owner: LockOwner, mode: 'create' | 'replace'): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(owner), { mode: 0o600 });
  try {
    if (mode === 'create') linkSync(temporary, file);
    else renameSync(temporary, file);
  } finally {
    rmSync(temporary, { force: true });
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockOwner>;
    return Number.isInteger(parsed.pid) ? (parsed as LockOwner) : undefined;
  } catch {
    // Missing, or written by a start that died halfway: no owner.
    return undefined;
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the pid exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Kills a leftover emulator only if it is still one of ours: emulators run in the folder's data
 * directory, so a pid reused by another program (another working directory) is left alone.
 */
function stopLeftover(pid: number, dir: string, isAlive: (pid: number) => boolean): void {
  if (!isAlive(pid)) return;
  let workingDir: string;
  try {
    workingDir = readlinkSync(`/proc/${pid}/cwd`);
  } catch {
    return;
  }
  if (!workingDir.startsWith(`${path.resolve(dir)}${path.sep}`)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
