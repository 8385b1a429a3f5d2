import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { acquireInstanceLock, LOCK_FILE, PlatformRunningError, runningOwner } from '../../../lib/local-platform/instance-lock';

describe('one local platform per folder', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fx-lock-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second platform on the same folder, naming the running one, and leaves its lock as it was', () => {
    const first = acquireInstanceLock(dir);
    const before = readFileSync(first.file, 'utf8');

    let refusal: unknown;
    try {
      acquireInstanceLock(dir);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(PlatformRunningError);
    expect((refusal as Error).message).toContain(`pid ${process.pid}`);
    expect((refusal as Error).message).toContain(dir);
    expect(readFileSync(first.file, 'utf8')).toBe(before);
    expect(runningOwner(dir)?.pid).toBe(process.pid);

    first.release();
    expect(existsSync(first.file)).toBe(false);
    expect(runningOwner(dir)).toBeUndefined();
  });

  it('takes over the lock of a platform that was killed', () => {
    writeFileSync(path.join(dir, LOCK_FILE), JSON.stringify({ pid: 999_999_999, startedAt: '2026-01-01T00:00:00Z' }));
    const lock = acquireInstanceLock(dir);
    expect(JSON.parse(readFileSync(lock.file, 'utf8')).pid).toBe(process.pid);
    lock.release();
  });

  it('stops the emulators a killed platform left running in this folder, and only those', async () => {
    const dataDir = path.join(dir, 'data');
    const elsewhere = mkdtempSync(path.join(tmpdir(), 'fx-lock-other-'));
    mkdirSync(dataDir);
    const sleeper = (cwd: string) => spawn('sleep', ['60'], { cwd, stdio: 'ignore' });
    const leftover = sleeper(dataDir);
    const stranger = sleeper(elsewhere);
    const leftoverExit = new Promise((resolve) => leftover.once('exit', (_code, signal) => resolve(signal)));
    try {
      writeFileSync(
        path.join(dir, LOCK_FILE),
        JSON.stringify({ pid: 999_999_999, startedAt: '2026-01-01T00:00:00Z', children: { dynamodb: leftover.pid, other: stranger.pid } }),
      );
      const lock = acquireInstanceLock(dir);
      expect(await leftoverExit).toBe('SIGKILL');
      expect(stranger.exitCode).toBeNull();
      expect(stranger.signalCode).toBeNull();
      lock.release();
    } finally {
      leftover.kill('SIGKILL');
      stranger.kill('SIGKILL');
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('records the emulators it starts so a later start can find them', () => {
    const lock = acquireInstanceLock(dir);
    lock.recordChildren({ dynamodb: 123, fauxqs: 456 });
    expect(runningOwner(dir)).toMatchObject({ pid: process.pid, children: { dynamodb: 123, fauxqs: 456 } });
    lock.release();
  });
});
