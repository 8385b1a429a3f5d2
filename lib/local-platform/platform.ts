import { appendFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { randomBytes } from 'node:crypto';
import { singleSourcePolicy, stageConfig, type RateSourceConfig, type StageConfig, type Throttle } from '../config/stage-config';
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
import { ROUTES, SCOPES, fullScope } from '../../lambdas/shared/api-contract';
import type { RateProviderName } from '../../lambdas/domain/rate-snapshot';
import { PROVIDER_PROFILES } from '../../lambdas/domain/rate-publication';
import { batchLines, ConsumerActivity } from './activity';
import { startLocalPartnerApi } from './api-gateway';
import { awsEndpointEnv, emulatorMemoryMb, startEmulators, type EmulatorEndpoints } from './emulators';
import { provisionEmailTemplates } from './email';
import { LocalFunction } from './function-host';
import { acquireInstanceLock, LOCK_FILE } from './instance-lock';
import { apiKeyOwnersJson, loadPartnerClients, type LocalPartnerClient } from './partner-clients';
import { localNames, provisionLocalResources, type LocalResources } from './provision';
import { startQueuePoller } from './queue-poller';
import { startLocalAnalytics, WarehouseOffError } from './local-analytics';
import { startStreamPoller } from './stream-poller';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { QueryError } from '../analytics/query-result';
import { collectStatus, latestRatesFromApi, RateSamples, statusHtml, type LatestRates, type PlatformStatus } from './status';
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
  /** Emulator request logs in logs/emulators.log (`--verbose`). @default false */
  readonly verbose?: boolean;
  /**
   * Replaces the stage's and every partner's API throttle and daily quota: the benchmarks' stage,
   * which measures latency at rates the local stage's limits would answer with 429.
   */
  readonly apiLimits?: { readonly throttle: Throttle; readonly quotaPerDay: number };
}

export interface EndpointsFile {
  readonly api: string | null;
  readonly tokenUrl: string | null;
  readonly inbox: string;
  readonly control: string;
  /** The status page (queues, latest rates, transactions per minute, emails, last errors). */
  readonly status: string;
  readonly services: EmulatorEndpoints & {
    readonly secretsmanager: string;
    readonly transactionFeed: string;
    /** `POST {"sql"}` runs SQL on the local warehouse (PGlite); `npm run query -- warehouse` uses it. */
    readonly warehouse: string;
  };
  readonly resources: LocalResources;
  readonly clients: readonly { name: string; clientId: string; clientSecret: string; scopes: string[]; apiKey: string }[];
  /** The source policy the platform runs with (the provider it was started with answers for every currency). */
  readonly ratePolicy: RatePolicy;
}

export interface RunningPlatform {
  readonly endpoints: EndpointsFile;
  readonly memoryMb: () => number;
  invoke(name: InvocableName): Promise<unknown[]>;
  status(): Promise<PlatformStatus>;
  stop(): Promise<void>;
}

/** Tasks the platform runs in-process that `npm run local -- invoke` also runs (the warehouse load). */
export const LOCAL_TASKS = ['load-warehouse'] as const;
export type InvocableName = FunctionName | (typeof LOCAL_TASKS)[number];

/**
 * The functions `invoke` runs now, with their scheduled input. Queue consumers are not among
 * them (their input is a queue's batch: send to the queue instead) nor the API's (theirs is a
 * request: call the API).
 */
export function invocableFunctions(): InvocableName[] {
  return [...(Object.keys(FUNCTIONS) as FunctionName[]).filter((name) => !notInvocableReason(name)), ...LOCAL_TASKS];
}

/** Why `invoke <name>` cannot run a function, or undefined when it can. */
export function notInvocableReason(name: string): string | undefined {
  if ((LOCAL_TASKS as readonly string[]).includes(name)) return undefined;
  const def = (FUNCTIONS as Record<string, FunctionDefinition>)[name];
  if (!def) return `there is no function ${name}`;
  if (def.streamTrigger) return `${name} is triggered by the ${def.streamTrigger.table} table's stream: write to that table`;
  if (def.sqsTrigger) {
    return `${name} is triggered by the ${def.sqsTrigger.queue} queue: send a message to that queue (or move its DLQ back: npm run redrive -- ${def.sqsTrigger.queue})`;
  }
  if (ROUTES.some((route) => route.function === name)) return `${name} serves the partner API: call the API (see endpoints.json "api")`;
  return undefined;
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
  let stopping = false;
  const log = (line: string) => {
    // Once stopping, a run cut short by the stop is not news.
    if (!stopping) (options.log ?? (() => undefined))(line);
  };
  // Before anything in the folder is touched: a second platform on it stops here.
  const lock = acquireInstanceLock(options.dir);
  const dataDir = path.join(options.dir, 'data');
  const logDir = path.join(options.dir, 'logs');
  if (options.fresh) {
    for (const entry of readdirSync(options.dir)) {
      if (entry !== LOCK_FILE) rmSync(path.join(options.dir, entry), { recursive: true, force: true });
    }
  }
  mkdirSync(dataDir, { recursive: true });
  mkdirSync(logDir, { recursive: true });

  // Stopped last to first: the lock outlives the emulators, which outlive the functions, which
  // outlive the pollers and schedules that call them.
  const stops: (() => Promise<void>)[] = [async () => lock.release()];
  const stopAll = async () => {
    stopping = true;
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const emulatorLog = path.join(logDir, 'emulators.log');
    const emulators = await startEmulators({
      dataDir,
      requestLogs: options.verbose,
      log: (line) => appendFileSync(emulatorLog, `${line}\n`),
    });
    stops.push(() => emulators.stop());
    lock.recordChildren(emulators.pids);
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
    const config = withApiLimits(localStageConfig({ ...options, transactionsFeedUrl: feedUrl }), options.apiLimits);
    // Before any function runs: the SES emulator keeps templates in memory only.
    await provisionEmailTemplates(emulators.endpoints.ses, config.stage);
    const schedules = scheduledInvocations(config);
    const functionAwsEnv = { ...awsEnv, PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(secrets.extensionPort) };
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
      const fn = new LocalFunction(
        {
          name,
          entry: path.join(REPO_ROOT, def.entry),
          timeoutSeconds: def.timeoutSeconds,
          env,
          // Concurrent API requests run side by side, as in Lambda; a queue's poller delivers one batch at a time.
          maxConcurrency: ROUTES.some((route) => route.function === name) ? API_CONCURRENCY : 1,
        },
        logDir,
      );
      functions.set(name, fn);
      stops.push(() => fn.stop());
    }

    const invoke = async (name: FunctionName) => {
      const reason = notInvocableReason(name);
      if (reason) throw new NotInvocableError(reason);
      const inputs = schedules.filter((s) => s.functionName === name).map((s) => s.input);
      return Promise.all((inputs.length > 0 ? inputs : [{}]).map((input) => functions.get(name)!.invoke(input)));
    };

    const activity = new ConsumerActivity();
    const lines = batchLines(log);
    stops.push(async () => lines.flush());
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
          onBatch: (batch) => {
            activity.record(name, batch);
            lines.batch(name, batch);
          },
        });
        stops.push(() => poller.stop());
      }
    }

    const streams = new DynamoDBStreamsClient({ ...clientConfig, endpoint: emulators.endpoints.dynamodb });
    const dynamodb = new DynamoDBClient({ ...clientConfig, endpoint: emulators.endpoints.dynamodb });
    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]) {
      if (!def.streamTrigger) continue;
      const poller = startStreamPoller({
        dynamodb,
        streams,
        tableName: resources.tables[def.streamTrigger.table],
        region: REGION,
        batchSize: def.streamTrigger.batchSize,
        retryAttempts: def.streamTrigger.retryAttempts,
        filter: def.streamTrigger.filter,
        checkpointFile: path.join(dataDir, 'streams', `${name}.json`),
        invoke: (event) => functions.get(name)!.invoke(event),
        onBatch: ({ records, failed, gaveUp, error }) =>
          log(`${name}: ${records} stream record(s), ${failed} failed${gaveUp ? ' (given up)' : ''}${error ? ` (${error})` : ''}`),
      });
      stops.push(() => poller.stop());
    }

    const analytics = startLocalAnalytics({
      config,
      dataDir,
      cacheDir: path.join(options.dir, 'cache'),
      endpoints: emulators.endpoints,
      resources,
      region: REGION,
    });
    stops.push(() => analytics.stop());
    const loadWarehouse = async () => {
      const result = await analytics.loadWarehouse();
      log(`load-warehouse: ${result.loaded.length} partition(s) loaded`);
      return result;
    };
    if (config.analytics.warehouse.enabled) {
      // Not at start (a fresh lake has nothing to load): first when the schedule comes round.
      const stop = runSchedule(
        config.analytics.warehouse.loadSchedule,
        async () => {
          await loadWarehouse().catch((error: Error) => log(`load-warehouse failed: ${error.message}`));
        },
        { fireOnStart: false },
      );
      stops.push(async () => stop());
    }
    const invokeAny = (name: InvocableName) => (name === 'load-warehouse' ? loadWarehouse().then((r) => [r]) : invoke(name));

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

    const samples = new RateSamples();
    // In the base the platform's provider publishes in (EUR for ECB and the simulator, USD for OXR and CoinGecko).
    const latestRates = latestRatesOf(partnerApi.api.url, partnerApi.tokens.tokenUrl, partnerClients, PROVIDER_PROFILES[options.ratesProvider ?? 'simulated'].base);
    const sample = () => latestRates().then((latest) => samples.add(latest), () => undefined);
    void sample();
    const sampler = setInterval(sample, RATE_SAMPLE_MS);
    stops.push(async () => clearInterval(sampler));
    const status = () =>
      collectStatus({
        sqs,
        queues: resources.queues,
        consumers: Object.fromEntries(
          (Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][])
            .filter(([, def]) => def.sqsTrigger)
            .map(([name, def]) => [def.sqsTrigger!.queue, name]),
        ),
        latestRates,
        samples,
        activity,
        transactionsConsumer: consumerName('transactions'),
        ses: emulators.endpoints.ses,
        logDir,
        functions: Object.keys(FUNCTIONS),
      });

    const control = await startControlServer(invokeAny, status, (sql) => analytics.queryWarehouse(sql));
    stops.push(() => new Promise<void>((resolve) => control.server.close(() => resolve())));

    const endpoints: EndpointsFile = {
      api: partnerApi.api.url,
      tokenUrl: partnerApi.tokens.tokenUrl,
      inbox: `${emulators.endpoints.ses}/`,
      control: control.url,
      status: `${control.url}/status`,
      services: {
        ...emulators.endpoints,
        secretsmanager: secrets.endpoint,
        transactionFeed: feedUrl,
        warehouse: `${control.url}/warehouse/query`,
      },
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
      invoke: invokeAny,
      status,
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Execution environments per API function at most: enough for the cores of a laptop. */
const API_CONCURRENCY = Math.min(4, availableParallelism());

/** How often the status page samples the latest rates for its sparklines. */
const RATE_SAMPLE_MS = 60_000;

/** `invoke` was asked for a function it cannot run by itself. */
export class NotInvocableError extends Error {
  override readonly name = 'NotInvocableError';
}

function consumerName(queue: QueueKey): string {
  const entry = (Object.entries(FUNCTIONS) as [FunctionName, FunctionDefinition][]).find(([, def]) => def.sqsTrigger?.queue === queue);
  return entry?.[0] ?? `(no consumer of ${queue})`;
}

/** The latest rates through the partner API, as a partner allowed to read rates sees them. */
function latestRatesOf(api: string, tokenUrl: string, clients: readonly LocalPartnerClient[], base: string): () => Promise<LatestRates> {
  const reader = clients.find((c) => c.scopes.includes(fullScope(SCOPES.ratesRead)));
  if (!reader) return async () => Promise.reject(new Error('no configured partner may read rates'));
  return latestRatesFromApi({ api, tokenUrl, client: reader, base });
}

/** The stage config with the API limits replaced (the benchmarks' stage). */
function withApiLimits(config: StageConfig, limits: PlatformOptions['apiLimits']): StageConfig {
  if (!limits) return config;
  return {
    ...config,
    api: {
      ...config.api,
      throttle: limits.throttle,
      partners: config.api.partners.map((p) => ({ ...p, throttle: limits.throttle, quotaPerDay: limits.quotaPerDay })),
    },
  };
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
function runSchedule(expression: string, task: () => Promise<void>, options: { fireOnStart?: boolean } = {}): () => void {
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
  if (schedule.firesOnStart && options.fireOnStart !== false) void task().then(() => !stopped && arm(new Date()));
  else arm(new Date());
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/**
 * The platform's control server: `POST /invoke/<function>` runs a scheduled function (or a
 * local task) now (`npm run local -- invoke`), `GET /status` is the status page and
 * `GET /status.json` its data (`npm run local -- status`), `POST /warehouse/query` with
 * `{"sql"}` runs SQL on the warehouse (`npm run query -- warehouse`).
 */
async function startControlServer(
  invoke: (name: InvocableName) => Promise<unknown[]>,
  status: () => Promise<PlatformStatus>,
  queryWarehouse: (sql: string) => Promise<unknown>,
): Promise<{ server: Server; url: string }> {
  const server = createServer(async (req, res) => {
    const reply = (code: number, body: unknown, type = 'application/json') => {
      res.writeHead(code, { 'content-type': type });
      res.end(typeof body === 'string' ? body : JSON.stringify(body));
    };
    try {
      if (req.method === 'GET' && req.url === '/status') return reply(200, statusHtml(await status()), 'text/html; charset=utf-8');
      if (req.method === 'GET' && req.url === '/status.json') return reply(200, await status());
      if (req.method === 'POST' && req.url === '/warehouse/query') return await answerWarehouseQuery(req, reply, queryWarehouse);
      const match = /^\/invoke\/([a-z-]+)$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match) {
        return reply(404, {
          error: { code: 'NOT_FOUND', message: 'POST /invoke/<function>, GET /status, GET /status.json, POST /warehouse/query' },
        });
      }
      const name = match[1] as InvocableName;
      const reason = notInvocableReason(name);
      if (reason) {
        return reply(400, { error: { code: 'NOT_INVOCABLE', message: reason, details: { functions: invocableFunctions() } } });
      }
      reply(200, { function: name, results: await invoke(name) });
    } catch (error) {
      reply(502, { error: { code: 'FUNCTION_ERROR', message: (error as Error).message } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { server, url: `http://127.0.0.1:${address.port}` };
}

/** `POST /warehouse/query` with `{"sql"}`: 400 for bad SQL, 409 when the stage has no warehouse. */
async function answerWarehouseQuery(
  req: IncomingMessage,
  reply: (code: number, body: unknown) => void,
  queryWarehouse: (sql: string) => Promise<unknown>,
): Promise<void> {
  let sql: unknown;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    sql = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { sql?: unknown }).sql;
  } catch {
    sql = undefined;
  }
  if (typeof sql !== 'string' || sql.trim() === '') {
    return reply(400, { error: { code: 'BAD_REQUEST', message: 'send {"sql": "<statement>"}' } });
  }
  try {
    return reply(200, await queryWarehouse(sql));
  } catch (error) {
    const code = error instanceof QueryError ? 400 : error instanceof WarehouseOffError ? 409 : 502;
    return reply(code, { error: { code: code === 400 ? 'QUERY_FAILED' : 'WAREHOUSE_UNAVAILABLE', message: (error as Error).message } });
  }
}
