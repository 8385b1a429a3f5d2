#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { usageError } from '../lib/cli/command-run';
import { startEcbMirror } from '../lib/cli/ecb-mirror';

const USAGE = `Usage: npm run mirror -- <eurofxref-hist file> [--port 8000]
  Serves an ECB history file on 127.0.0.1 the way www.ecb.europa.eu does (eurofxref-hist.xml,
  eurofxref-hist-90d.xml, and its newest day as eurofxref-daily.xml), for
  npm run backfill -- --provider ecb --url <directory>   and
  npm start -- --rates-provider ecb --rates-url <daily file>   with no network.
  A real file ships in test/fixtures/rates/ (see its SOURCES.md). Ctrl-C stops it.`;
const fail: (message: string) => never = usageError(USAGE);

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { port: { type: 'string', default: '8000' } } });
  } catch (error) {
    return fail((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length !== 1) fail('give one ECB history file');
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be a port number, not "${values.port}"`);
  const mirror = await startEcbMirror(readFileSync(positionals[0], 'utf8'), port);
  console.log(
    [
      `Mirroring ${positionals[0]}: ${mirror.days.count} publication day(s), ${mirror.days.first} to ${mirror.days.last}`,
      `  ${mirror.url}   (npm run backfill -- --provider ecb --url ${mirror.url} --from ${mirror.days.first} --to ${mirror.days.last})`,
      `  ${mirror.dailyUrl}   (npm start -- --rates-provider ecb --rates-url ${mirror.dailyUrl})`,
      'Ctrl-C stops it.',
    ].join('\n'),
  );
  const stop = () => void mirror.stop().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: Error) => {
  console.error(`mirror failed: ${error.message}`);
  process.exit(1);
});
