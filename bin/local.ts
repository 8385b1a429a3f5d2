#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FUNCTIONS } from '../lib/definitions/functions';
import { invocableFunctions, startPlatform, type EndpointsFile } from '../lib/local-platform/platform';
import { PlatformRunningError } from '../lib/local-platform/instance-lock';
import { statusText, type PlatformStatus } from '../lib/local-platform/status';
import { isRateProviderName, RATE_PROVIDERS, type RateProviderName } from '../lambdas/domain/rate-snapshot';
import { localDir, readLocalEndpoints } from '../lib/cli/platform-target';
import { formatInbox, inboxEmails } from '../lib/local-platform/email';

const LOCAL_DIR = localDir();
const USAGE = `Usage:
  npm start -- [--fresh] [--rates-provider ${RATE_PROVIDERS.join('|')}] [--rates-url URL]
               [--transactions-feed-url URL] [--verbose]
      --fresh                   wipe the folder's data first
      --rates-provider, --rates-url
                                the rate source, and a mirror of it (same wire format)
      --transactions-feed-url   a partner feed to read instead of the built-in simulator
      --verbose                 emulator request logs in .local/logs/emulators.log
  npm run local -- invoke <${invocableFunctions().join('|')}>
      run a scheduled function now, with its scheduled input
  npm run local -- token <client-name>     an access token for a configured partner
  npm run local -- status                  queues, latest rates, transactions, emails, last errors
  npm run local -- inbox [count]           the newest emails the platform sent (default 5)
The platform keeps its state in ${LOCAL_DIR} (FX_LOCAL_DIR=<dir> to use another folder).`;

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    console.log(USAGE);
    return;
  }
  if (command === 'start') return start(rest);
  if (command === 'invoke') return invoke(rest[0]);
  if (command === 'token') return token(rest[0]);
  if (command === 'status') return status();
  if (command === 'inbox') return inbox(rest[0]);
  fail(`unknown command "${command}"`);
}

async function start(args: string[]): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        fresh: { type: 'boolean', default: false },
        'rates-provider': { type: 'string' },
        'rates-url': { type: 'string' },
        'transactions-feed-url': { type: 'string' },
        verbose: { type: 'boolean', default: false },
      },
    }));
  } catch (error) {
    return fail((error as Error).message);
  }
  const provider = values['rates-provider'];
  if (provider !== undefined && !isRateProviderName(provider)) fail(`unknown rates provider "${provider}"`);
  const startedAt = Date.now();
  console.log(`Starting the FX platform locally${values.fresh ? ' (fresh)' : ''}…`);
  let platform;
  try {
    platform = await startPlatform({
      dir: LOCAL_DIR,
      fresh: values.fresh,
      ratesProvider: provider as RateProviderName | undefined,
      ratesUrl: values['rates-url'],
      transactionsFeedUrl: values['transactions-feed-url'],
      verbose: values.verbose,
      log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
    });
  } catch (error) {
    if (!(error instanceof PlatformRunningError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
  const running = platform;
  console.log(summary(running.endpoints, Date.now() - startedAt, running.memoryMb()));

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await running.stop();
    console.log('Stopped.');
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function summary(e: EndpointsFile, ms: number, memoryMb: number): string {
  const { tables, queues, buckets } = e.resources;
  return [
    `Ready in ${(ms / 1000).toFixed(1)} s, ${Math.round(memoryMb)} MB resident (emulators + platform).`,
    `  Status page      ${e.status}   (npm run local -- status)`,
    `  DynamoDB Local   ${e.services.dynamodb}   tables: ${Object.values(tables).join(', ')}`,
    `  SQS (fauxqs)     ${e.services.sqs}   queues: ${Object.keys(queues).join(', ')} (each with a DLQ)`,
    `  S3 (fauxqs)      ${e.services.s3}   buckets: ${Object.values(buckets).join(', ')}`,
    `  SES inbox        ${e.inbox}   (npm run local -- inbox)`,
    `  Secrets Manager  ${e.services.secretsmanager}`,
    `  Transaction feed ${e.services.transactionFeed}`,
    `  Control          ${e.control}   (npm run local -- invoke <${invocableFunctions().join('|')}>)`,
    `  Warehouse        PGlite in .local/data/warehouse   (npm run query -- warehouse "<sql>"; load: npm run local -- invoke load-warehouse)`,
    `  Athena           DuckDB over the lake, database fx_local   (npm run query -- athena "<sql>" | --named <name>)`,
    `  Partner API      ${e.api}/v1/...   docs: ${e.api}/v1/docs   (bearer token + x-api-key)`,
    `  Token service    ${e.tokenUrl}   clients: ${e.clients.map((c) => c.name).join(', ')}   (npm run local -- token <client>)`,
    `  Functions        ${Object.keys(FUNCTIONS).join(', ')}   logs: .local/logs/<function>.log, emulators.log`,
    `  Endpoints file   .local/endpoints.json`,
    'Ctrl-C stops everything.',
  ].join('\n');
}

async function invoke(name: string | undefined): Promise<void> {
  if (!name) fail('invoke needs a function name');
  const endpoints = readEndpoints();
  const response = await fetch(`${endpoints.control}/invoke/${name}`, { method: 'POST' });
  const body = JSON.parse(await response.text()) as { error?: { message: string } };
  if (!response.ok) {
    console.error(body.error?.message ?? JSON.stringify(body));
    process.exitCode = 1;
    return;
  }
  console.log(JSON.stringify(body, null, 2));
}

/** Prints an access token for a partner, from the running platform's token service. */
async function token(clientName: string | undefined): Promise<void> {
  if (!clientName) fail('token needs a client name');
  const endpoints = readEndpoints();
  const client = endpoints.clients.find((c) => c.name === clientName || c.clientId === clientName);
  if (!client || !endpoints.tokenUrl) {
    return fail(`no client "${clientName}": use one of ${endpoints.clients.map((c) => c.name).join(', ')}`);
  }
  const response = await fetch(endpoints.tokenUrl, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ grant_type: 'client_credentials' }).toString(),
  });
  const body = (await response.json()) as { access_token?: string; error?: string };
  if (!response.ok || !body.access_token) {
    console.error(`token service refused: ${JSON.stringify(body)}`);
    process.exitCode = 1;
    return;
  }
  console.log(body.access_token);
}

/** What the status page shows, as text. */
async function status(): Promise<void> {
  const endpoints = readEndpoints();
  const response = await fetch(`${endpoints.control}/status.json`);
  if (!response.ok) throw new Error(`the platform answered ${response.status}: ${await response.text()}`);
  console.log(statusText((await response.json()) as PlatformStatus, endpoints.status));
}

/** Prints the newest e-mails of the SES emulator (the inbox page is `inbox` in endpoints.json). */
async function inbox(count = '5'): Promise<void> {
  if (!/^\d{1,3}$/.test(count) || Number(count) < 1) fail(`inbox takes a count of e-mails, 1 to 999; got "${count}"`);
  const endpoints = readEndpoints();
  console.log(formatInbox(await inboxEmails(endpoints.services.ses), Number(count)));
  console.log(`\nAll e-mails, with their HTML: ${endpoints.inbox}`);
}

function readEndpoints(): EndpointsFile {
  try {
    return readLocalEndpoints();
  } catch (error) {
    return fail((error as Error).message);
  }
}

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

main(process.argv.slice(2)).catch((error: Error) => {
  console.error(error.message);
  process.exit(1);
});
