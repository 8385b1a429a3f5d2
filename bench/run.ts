import { readdirSync } from 'node:fs';
import * as path from 'node:path';

/**
 * `npm run bench [-- name-filter]`: runs every bench/*.bench.ts (each exports `run()`) one after
 * another and prints its figures. Speed and memory targets live here, never in timed tests.
 */
async function main(filter?: string): Promise<void> {
  const files = readdirSync(__dirname)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => !filter || f.includes(filter))
    .sort();
  for (const file of files) {
    const { run } = (await import(path.join(__dirname, file))) as { run: () => Promise<Record<string, unknown>> };
    const started = Date.now();
    const result = await run();
    console.log(JSON.stringify({ bench: file.replace('.bench.ts', ''), ...result, wallMs: Date.now() - started }));
  }
}

main(process.argv[2]).catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
