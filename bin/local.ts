#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { FUNCTIONS } from '../lib/definitions/functions';
import { startPlatform, type EndpointsFile } from '../lib/local-platform/platform';
import { isRateProviderName, RATE_PROVIDERS, type RateProviderName } from '../lambdas/domain/rate-snapshot';
import { localDir, readLocalEndpoints } from '../lib/cli/platform-target';
import { formatInbox, inboxEmails } from '../lib/local-platform/email';

const LOCAL_DIR = localDir();
const USAGE = `Usage:
  npm start -- [--fresh] [--rates-provider ${RATE_PROVIDERS.join('|')}] [--rates-url URL]
  npm run local -- invoke <${Object.keys(FUNCTIONS).join('|')}>
  npm run local -- token <client-name>
  npm run local -- inbox [count]`;

async function main(argv: string[]): Promise<void> {
  const [command = 'start', ...rest] = argv;
  if (command === 'start') return start(rest);
  if (command === 'invoke') return invoke(rest[0]);
  if (command === 'token') return token(rest[0]);
  if (command === 'inbox') return inbox(rest[0]);
  fail(`unknown command "${command}"`);
}

async function start(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      fresh: { type: 'boolean', default: false },
      'rates-provider': { type: 'string' },
      'rates-url': { type: 'string' },
      'transactions-feed-url': { type: 'string' },
    },
  });
  const provider = values['rates-provider'];
  if (provider !== undefined && !isRateProviderName(provider)) fail(`unknown rates provider "${provider}"`);
  const startedAt = Date.now();
  console.log(`Starting the FX platform locally${values.fresh ? ' (fresh)' : ''}…`);
  const platform = await startPlatform({
    dir: LOCAL_DIR,
    fresh: values.fresh,
    ratesProvider: provider as RateProviderName | undefined,
    ratesUrl: values['rates-url'],
    transactionsFeedUrl: values['transactions-feed-url'],
    log: (line) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`),
  });
  const { endpoints } = platform;
  console.log(summary(endpoints, Date.now() - startedAt, platform.memoryMb()));

  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping…');
    await platform.stop();
    process.exit(0);
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

function summary(e: EndpointsFile, ms: number, memoryMb: number): string {
  const { tables, queues, buckets } = e.resources;
  return [
    `Ready in ${(ms / 1000).toFixed(1)} s, ${Math.round(memoryMb)} MB resident (emulators + platform).`,
    `  DynamoDB Local   ${e.services.dynamodb}   tables: ${Object.values(tables).join(', ')}`,
    `  SQS (fauxqs)     ${e.services.sqs}   queues: ${Object.keys(queues).join(', ')} (each with a DLQ)`,
    `  S3 (fauxqs)      ${e.services.s3}   buckets: ${Object.values(buckets).join(', ')}`,
    `  SES inbox        ${e.inbox}   (npm run local -- inbox)`,
    `  Secrets Manager  ${e.services.secretsmanager}`,
    `  Transaction feed ${e.services.transactionFeed}`,
    `  Control          ${e.control}   (npm run local -- invoke <function>)`,
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
  const body = await response.text();
  console.log(JSON.stringify(JSON.parse(body), null, 2));
  if (!response.ok) process.exitCode = 1;
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
