import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { singleSourcePolicy, stageConfig, type RateSourceConfig, type StageConfig } from '../config/stage-config';
import { FUNCTIONS, type FunctionDefinition, type FunctionName } from '../definitions/functions';
import { scheduledInvocations, settingsEnv } from '../definitions/function-settings';
import { PARTNER_FACING_FUNCTIONS, SEED_CURRENCIES, apiDocsEnv } from '../definitions/partner-api';
import { writeApiDocs } from '../api-docs/api-docs-files';
import {
  BUCKETS,
  QUEUES,
  SECRETS,
  TABLES,
  type BucketKey,
  type QueueKey,
  type SecretDefinition,
  type SecretKey,
  type TableKey,
} from '../definitions/resources';
import { ENV } from '../../lambdas/shared/env-names';
import type { RatePolicy } from '../../lambdas/domain/rate-policy';
import type { RateProviderName } from '../../lambdas/domain/rate-snapshot';
import { startLocalPartnerApi } from './api-gateway';
import { awsEndpointEnv, emulatorMemoryMb, startEmulators, type EmulatorEndpoints } from './emulators';
import { provisionEmailTemplates } from './email';
import { LocalFunction } from './function-host';
import { apiKeyOwnersJson, loadPartnerClients } from './partner-clients';
import { localNames, provisionLocalResources, type LocalResources } from './provision';
import { startQueuePoller } from './queue-poller';
import { parseScheduleExpression } from './schedule-expression';
import { startSecretsEmulator } from './secrets-emulator';
import { startTransactionFeedServer } from './transaction-feed-server';

export interface PlatformOptions {
  /** Root of local state; data persists under `<dir>/data`. */
  readonly dir: string;
  readonly fresh?: boolean;
  readonly ratesProvider?: RateProviderName;
  /** Points the chosen provider at a mirror speaking its wire format. */
  readonly ratesUrl?: string;
  /** A partner feed to read instead of the built-in simulator. */
  readonly transactionsFeedUrl?: string;
  readonly log?: (line: string) => void;
}

export interface EndpointsFile {
  readonly api: string | null;
  readonly tokenUrl: string | null;
  readonly inbox: string;
  readonly control: string;
  readonly services: EmulatorEndpoints & { readonly secretsmanager: string; readonly transactionFeed: string };
  readonly resources: LocalResources;
  readonly clients: readonly { name: string; clientId: string; clientSecret: string; scopes: string[]; apiKey: string }[];
  /** The source policy the platform runs with (the provider it was started with answers for every currency). */
  readonly ratePolicy: RatePolicy;
}

export interface RunningPlatform {
  readonly endpoints: EndpointsFile;
  readonly memoryMb: () => number;
  invoke(name: FunctionName): Promise<unknown[]>;
  stop(): Promise<void>;
}

const REGION = 'us-east-1';
const REPO_ROOT = path.join(__dirname, '..', '..');

/** The `local` stage config with the command line's sources and feed. */
export function localStageConfig(options: {
  ratesProvider?: RateProviderName;
  ratesUrl?: string;
  transactionsFeedUrl: string;
}): StageConfig {
  const local = stageConfig('local');
  return {
    ...local,
    rates: {
      sources: localRateSources(options.ratesProvider, options.ratesUrl),
      // The provider the platform was started with answers for every currency.
      policy: singleSourcePolicy(options.ratesProvider ?? 'simulated'),
    },
    transactions: {
      ...local.transactions,
      feeds: local.transactions.feeds.map((f) => ({ ...f, url: options.transactionsFeedUrl })),
    },
  };
}

/** The rate sources the local platform schedules: the simulated feed unless told otherwise. */
export function localRateSources(provider?: RateProviderName, url?: string): RateSourceConfig[] {
  const local = stageConfig('local').rates.sources;
  if (!provider || provider === 'simulated') {
    return local.map((s) => ({ ...s, baseUrl: url ?? s.baseUrl }));
  }
  const dev = stageConfig('dev').rates.sources.find((s) => s.provider === provider);
  return [{ provider, schedule: dev?.schedule ?? 'rate(1 hour)', baseUrl: url }];
}

/**
 * Starts the whole platform on one machine: emulators, the resources of the CDK definitions,
 * every function in its own execution environment, the schedules and the queue pollers.
 */
export async function startPlatform(options: PlatformOptions): Promise<RunningPlatform> {
  const log = options.log ?? (() => undefined);
  const dataDir = path.join(options.dir, 'data');
  const logDir = path.join(options.dir, 'logs');
  if (options.fresh) rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });

  const emulatorLog = path.join(logDir, 'emulators.log');
  const emulators = await startEmulators({ dataDir, log: (line) => appendFileSync(emulatorLog, `${line}\n`) });
  const stops: (() => Promise<void>)[] = [() => emulators.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const awsEnv = awsEndpointEnv(emulators.endpoints);
    const clientConfig = {
      region: REGION,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    };
    const sqs = new SQSClient({ ...clientConfig, endpoint: emulators.endpoints.sqs, useQueueUrlAsEndpoint: false });
    const resources = await provisionLocalResources({
      dynamodb: new DynamoDBClient({ ...clientConfig, endpoint: emulators.endpoints.dynamodb }),
      sqs,
      s3: new S3Client({ ...clientConfig, endpoint: emulators.endpoints.s3, forcePathStyle: true }),
    });

    const secrets = await startSecretsEmulator(path.join(dataDir, 'secrets.json'));
    stops.push(() => secrets.stop());
    for (const [key, def] of Object.entries(SECRETS) as [SecretKey, SecretDefinition][]) {
      secrets.ensure(localNames.secret(key), () => randomBytes(def.generatedLength / 2).toString('hex'));
    }
    let feedUrl: string;
    if (options.transactionsFeedUrl) {
      feedUrl = options.transactionsFeedUrl;
    } else {
      const feed = await startTransactionFeedServer({});
      stops.push(() => feed.stop());
      feedUrl = feed.url;
    }
    const config = localStageConfig({ ...options, transactionsFeedUrl: feedUrl });
    // Before any function runs: the SES emulator keeps templates in memory only.
    await provisionEmailTemplates(emulators.endpoints.ses, config.stage);
    const schedules = scheduledInvocations(config);
    const functionAwsEnv = { ...awsEnv, AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint };
    const partnerClients = loadPartnerClients(path.join(dataDir, 'partner-clients.json'), config.api.partners);
    const partnerEnv = (name: FunctionName): Record<string, string> =>
      (PARTNER_FACING_FUNCTIONS as readonly string[]).includes(name)
        ? { [ENV.partnerApiKeys]: apiKeyOwnersJson(partnerClients) }
        : {};

    const functions = new Map<FunctionName, LocalFunction>();
    // Read by each function's worker when it first starts; the API docs' URLs are added below,
    // once the gateway and token service have their ports.
    const envs = new Map<FunctionName, Record<string, string>>();
    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]) {
      const env = { ...functionEnv(name, def, resources, functionAwsEnv), ...settingsEnv(name, config), ...partnerEnv(name) };
      if (def.shipsApiDocs) env[ENV.apiDocsDir] = writeApiDocs(path.join(dataDir, 'api-docs'));
      envs.set(name, env);
      const fn = new LocalFunction({ name, entry: path.join(REPO_ROOT, def.entry), timeoutSeconds: def.timeoutSeconds, env }, logDir);
      functions.set(name, fn);
      stops.push(() => fn.stop());
    }

    const invoke = async (name: FunctionName) => {
      const fn = functions.get(name);
      if (!fn) throw new Error(`unknown function ${name}`);
      const inputs = schedules.filter((s) => s.functionName === name).map((s) => s.input);
      return Promise.all((inputs.length > 0 ? inputs : [{}]).map((input) => fn.invoke(input)));
    };

    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]) {
      if (def.sqsTrigger) {
        const queueUrl = resources.queues[def.sqsTrigger.queue].url;
        const arn = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
        const poller = startQueuePoller({
          sqs,
          queueUrl,
          queueArn: arn.Attributes?.QueueArn ?? queueUrl,
          region: REGION,
          batchSize: def.sqsTrigger.batchSize,
          maxBatchingWindowSeconds: def.sqsTrigger.maxBatchingWindowSeconds,
          invoke: (event) => functions.get(name)!.invoke(event),
          onBatch: ({ received, failed, error }) =>
            log(`${name}: ${received} message(s), ${failed} failed${error ? ` (${error})` : ''}`),
        });
        stops.push(() => poller.stop());
      }
    }

    for (const invocation of schedules) {
      const stop = runSchedule(invocation.expression, async () => {
        const label = `${invocation.functionName} (${Object.values(invocation.input).join(', ')})`;
        try {
          const result = await functions.get(invocation.functionName)!.invoke(invocation.input);
          log(`${label}: ${JSON.stringify(result)}`);
        } catch (error) {
          log(`${label} failed: ${(error as Error).message}`);
        }
      });
      stops.push(async () => stop());
    }

    const control = await startControlServer(invoke);
    stops.push(() => new Promise<void>((resolve) => control.server.close(() => resolve())));

    await seedCurrencies(resources, functionAwsEnv, logDir, log);
    const partnerApi = await startLocalPartnerApi({
      dir: dataDir,
      clients: partnerClients,
      stageThrottle: config.api.throttle,
      publicThrottle: config.api.publicThrottle,
      invoke: (name, event) => functions.get(name)!.invoke(event),
    });
    stops.push(() => partnerApi.stop());
    const docsUrls = apiDocsEnv({ apiBaseUrl: partnerApi.api.url, tokenUrl: partnerApi.tokens.tokenUrl });
    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]) {
      if (def.shipsApiDocs) Object.assign(envs.get(name)!, docsUrls);
      if (def.linksToApi) envs.get(name)![ENV.apiBaseUrl] = partnerApi.api.url;
    }

    const endpoints: EndpointsFile = {
      api: partnerApi.api.url,
      tokenUrl: partnerApi.tokens.tokenUrl,
      inbox: `${emulators.endpoints.ses}/`,
      control: control.url,
      services: { ...emulators.endpoints, secretsmanager: secrets.endpoint, transactionFeed: feedUrl },
      resources,
      clients: partnerApi.clients.map(({ name, clientId, clientSecret, scopes, apiKey }) => ({
        name,
        clientId,
        clientSecret,
        scopes,
        apiKey,
      })),
      ratePolicy: config.rates.policy,
    };
    writeFileSync(path.join(options.dir, 'endpoints.json'), `${JSON.stringify(endpoints, null, 2)}\n`);
    stops.push(async () => rmSync(path.join(options.dir, 'endpoints.json'), { force: true }));

    return {
      endpoints,
      memoryMb: () => emulatorMemoryMb(emulators.pids) + process.memoryUsage().rss / 1024 / 1024,
      invoke,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

function functionEnv(
  name: string,
  def: FunctionDefinition,
  resources: LocalResources,
  awsEnv: Record<string, string>,
): Record<string, string> {
  const env: Record<string, string> = {
    ...awsEnv,
    PATH: process.env.PATH ?? '',
    AWS_REGION: REGION,
    // As Lambda sets it: Powertools then logs cold starts and emits the ColdStart metric.
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    POWERTOOLS_SERVICE_NAME: name,
    POWERTOOLS_TRACE_ENABLED: 'false',
    [ENV.stage]: 'local',
  };
  for (const key of Object.keys(def.tables ?? {}) as TableKey[]) env[TABLES[key].envVar] = resources.tables[key];
  for (const key of Object.keys(def.buckets ?? {}) as BucketKey[]) env[BUCKETS[key].envVar] = resources.buckets[key];
  for (const key of (def.sendsTo ?? []) as QueueKey[]) env[QUEUES[key].envVar] = resources.queues[key].url;
  if (def.sqsTrigger) env[QUEUES[def.sqsTrigger.queue].envVar] = resources.queues[def.sqsTrigger.queue].url;
  for (const key of (def.secrets ?? []) as SecretKey[]) env[SECRETS[key].envVar] = localNames.secret(key);
  return env;
}

/** Seeds the currencies once at start, as the deploy's Trigger does; a failure is logged, not fatal. */
async function seedCurrencies(
  resources: LocalResources,
  awsEnv: Record<string, string>,
  logDir: string,
  log: (line: string) => void,
): Promise<void> {
  const { name, definition } = SEED_CURRENCIES;
  const fn = new LocalFunction(
    {
      name,
      entry: path.join(REPO_ROOT, definition.entry),
      timeoutSeconds: definition.timeoutSeconds,
      env: functionEnv(name, definition, resources, awsEnv),
    },
    logDir,
  );
  try {
    log(`${name}: ${JSON.stringify(await fn.invoke({}))}`);
  } catch (error) {
    log(`${name} failed: ${(error as Error).message}`);
  } finally {
    await fn.stop();
  }
}

/** Runs `task` on an EventBridge Scheduler expression until the returned function is called. */
function runSchedule(expression: string, task: () => Promise<void>): () => void {
  const schedule = parseScheduleExpression(expression);
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const arm = (after: Date) => {
    const next = schedule.next(after);
    timer = setTimeout(async () => {
      if (stopped) return;
      await task();
      if (!stopped) arm(next);
    }, Math.max(0, next.getTime() - Date.now()));
  };
  if (schedule.firesOnStart) void task().then(() => !stopped && arm(new Date()));
  else arm(new Date());
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** `POST /invoke/<function>` runs a scheduled function now (used by `npm run local -- invoke`). */
async function startControlServer(
  invoke: (name: FunctionName) => Promise<unknown[]>,
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const match = /^\/invoke\/([a-z-]+)$/.exec(req.url ?? '');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || !match) return reply(404, { error: { code: 'NOT_FOUND', message: 'POST /invoke/<function>' } });
    const name = match[1] as FunctionName;
    if (!(name in FUNCTIONS)) {
      return reply(404, { error: { code: 'UNKNOWN_FUNCTION', message: `no function ${name}`, details: { functions: Object.keys(FUNCTIONS) } } });
    }
    try {
      reply(200, { function: name, results: await invoke(name) });
    } catch (error) {
      reply(502, { error: { code: 'FUNCTION_ERROR', message: (error as Error).message } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}` };
}
