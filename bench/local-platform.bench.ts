import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { startPlatform } from '../lib/local-platform/platform';

/** Start time of the local platform on a fresh directory, and the memory it holds once up. */
export async function run(): Promise<{ name: string; startMs: number; residentMb: number }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'fx-bench-'));
  const started = Date.now();
  const platform = await startPlatform({ dir, fresh: true });
  const startMs = Date.now() - started;
  // Let the first scheduled runs warm the function workers before reading memory.
  await new Promise((resolve) => setTimeout(resolve, 8_000));
  const residentMb = Math.round(platform.memoryMb());
  await platform.stop();
  rmSync(dir, { recursive: true, force: true });
  return { name: 'npm start (fresh): emulators + functions ready', startMs, residentMb };
}
