import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  BASELINE_SOURCE,
  bundleLikeAFunction,
  lambdaRuntimeEnv,
  measureInit,
  measureInitOnce,
  stagingDir,
  subdir,
  type InitTarget,
} from './bundle-init';

/**
 * `npx tsx bench/init-profile.ts`: what each library costs a cold start. Each component is bundled
 * alone like a function (ESM, minified, AWS SDK from the runtime unless marked "bundled") and its
 * import timed like bench/bundles.bench.ts times the functions. This is how the choices in
 * README "Lean bundles" were made; it is a tool, not a benchmark with targets.
 */
const COMBO = [
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
  "import { DynamoDBDocumentClient, BatchWriteCommand } from '@aws-sdk/lib-dynamodb';",
  "import { S3Client, PutObjectCommand } from '@aws-sdk/client-s3';",
  "import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';",
  'export const d = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
  'export const s = new S3Client({});',
  'export const q = new SQSClient({});',
  'export const c = [BatchWriteCommand, PutObjectCommand, SendMessageBatchCommand];',
].join('\n');
const SECRETS = [
  "import { SecretsManagerClient, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';",
  'export const sm = [new SecretsManagerClient({}), GetSecretValueCommand];',
].join('\n');

const POWERTOOLS = [
  "import { Logger } from '@aws-lambda-powertools/logger';",
  "import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';",
  "import { Metrics } from '@aws-lambda-powertools/metrics';",
  "import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';",
  "import middy from '@middy/core';",
  'const logger = new Logger(); const metrics = new Metrics({ namespace: "x" });',
  'export const handler = middy(async () => 1).use(injectLambdaContext(logger)).use(logMetrics(metrics));',
].join('\n');
const TRACER = [
  "import { Tracer } from '@aws-lambda-powertools/tracer';",
  "import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';",
  'const tracer = new Tracer(); tracer.captureAWSv3Client(d); handler.use(captureLambdaHandler(tracer));',
].join('\n');
const ZOD = [
  "import * as z from 'zod';",
  "export const schema = z.object({ a: z.string().regex(/^[A-Z]{3}$/), b: z.optional(z.string().max(10)) }).strict();",
].join('\n');

const COMPONENTS: Record<string, { source: string; bundleAwsSdk?: boolean }> = {
  'baseline: DynamoDB document client (SDK bundled)': { source: BASELINE_SOURCE, bundleAwsSdk: true },
  'DynamoDB document client (runtime SDK)': { source: BASELINE_SOURCE },
  'S3 client (runtime SDK)': { source: "import { S3Client } from '@aws-sdk/client-s3'; export const c = new S3Client({});" },
  'SQS client (runtime SDK)': { source: "import { SQSClient } from '@aws-sdk/client-sqs'; export const c = new SQSClient({});" },
  'Secrets Manager client (runtime SDK)': {
    source: "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager'; export const c = new SecretsManagerClient({});",
  },
  'STS client (runtime SDK)': { source: "import { STSClient } from '@aws-sdk/client-sts'; export const c = new STSClient({});" },
  'Powertools Logger': { source: "import { Logger } from '@aws-lambda-powertools/logger'; export const l = new Logger();" },
  'Powertools Metrics': { source: "import { Metrics } from '@aws-lambda-powertools/metrics'; export const m = new Metrics({ namespace: 'x' });" },
  'Powertools Tracer': { source: "import { Tracer } from '@aws-lambda-powertools/tracer'; export const t = new Tracer();" },
  'middy core': { source: "import middy from '@middy/core'; export const handler = middy(async () => 1);" },
  'zod (one schema)': { source: "import { z } from 'zod'; export const s = z.object({ a: z.string().regex(/x/) }).strict();" },
  'Powertools batch': {
    source: "import { BatchProcessor, EventType } from '@aws-lambda-powertools/batch'; export const p = new BatchProcessor(EventType.SQS);",
  },
  'Powertools idempotency (DynamoDB layer)': {
    source: [
      "import { makeIdempotent } from '@aws-lambda-powertools/idempotency';",
      "import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';",
      "export const f = makeIdempotent(async (x) => x, { persistenceStore: new DynamoDBPersistenceLayer({ tableName: 't' }) });",
    ].join('\n'),
  },
  'DynamoDB + S3 + SQS (runtime SDK)': { source: COMBO },
  'DynamoDB + S3 + SQS (SDK bundled)': { source: COMBO, bundleAwsSdk: true },
  'DynamoDB + S3 + SQS + Secrets Manager (runtime SDK)': { source: `${COMBO}\n${SECRETS}` },
  'DynamoDB + S3 + SQS + Secrets Manager (SDK bundled)': { source: `${COMBO}\n${SECRETS}`, bundleAwsSdk: true },
  'DynamoDB + S3 + SQS + Logger + Metrics + middy (runtime SDK)': { source: `${COMBO}\n${POWERTOOLS}` },
  'DynamoDB + S3 + SQS + Logger + Metrics + middy + Tracer (runtime SDK)': { source: `${COMBO}\n${POWERTOOLS}\n${TRACER}` },
  'DynamoDB + S3 + SQS + Logger + Metrics + middy + zod classic (runtime SDK)': { source: `${COMBO}\n${POWERTOOLS}\n${ZOD}` },
  'zod classic, namespace import (one schema)': {
    source: "import * as z from 'zod'; export const s = z.object({ a: z.string().regex(/x/), b: z.number().int().min(0) }).strict(); s.parse({ a: 'x', b: 1 });",
  },
  'zod/mini (one schema)': {
    source: "import * as z from 'zod/mini'; export const s = z.strictObject({ a: z.string().check(z.regex(/x/)), b: z.number().check(z.int(), z.minimum(0)) }); s.parse({ a: 'x', b: 1 });",
  },
  'hyparquet-writer': { source: "import { parquetWriteBuffer } from 'hyparquet-writer'; export const w = parquetWriteBuffer;" },
  'decimal.js': { source: "import Decimal from 'decimal.js'; export const d = new Decimal('1.5');" },
  'middy http-router': {
    source: "import httpRouter from '@middy/http-router'; export const r = httpRouter([{ method: 'GET', path: '/x', handler: async () => ({}) }]);",
  },
};

interface CpuProfile {
  readonly nodes: {
    readonly callFrame: { url: string; lineNumber: number; functionName: string };
    readonly hitCount?: number;
    /** Samples per source line (1-based) inside this function. */
    readonly positionTicks?: readonly { line: number; ticks: number }[];
  }[];
  readonly samples: number[];
  readonly timeDeltas: number[];
}

/** `// node_modules/@aws-sdk/client-s3/dist-es/index.js` -> `@aws-sdk/client-s3`; our files by folder. */
function ownerOf(marker: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(marker)?.[1];
  if (pkg) return pkg;
  const own = /(lambdas\/[^/]+(?:\/[^/]+)?)\//.exec(marker)?.[1];
  return own ?? marker.trim();
}

/**
 * Where a bundle's import spends its time: one `--cpu-prof` run of the unminified bundle of
 * `entry` (a handler file), self time summed per package (esbuild marks each module's code with a
 * `// path` comment) or per Node built-in, largest first.
 */
async function cpuProfile(entry: string, env: Record<string, string>): Promise<void> {
  const stage = stagingDir();
  const dir = subdir(stage, 'profile');
  const source = `export * from ${JSON.stringify(path.resolve(entry))};`;
  const file = await bundleLikeAFunction(source, dir, { minify: false });
  const lines = readFileSync(file, 'utf8').split('\n');
  const owners: string[] = [];
  let current = 'bundle prologue';
  for (const line of lines) {
    const marker = /^\/\/ (\S+\.(?:[cm]?js|ts|json))$/.exec(line)?.[1];
    if (marker) current = ownerOf(marker);
    owners.push(current);
  }
  const profDir = subdir(stage, 'cpu');
  measureInitOnce({
    name: entry,
    file,
    env: { ...lambdaRuntimeEnv('profile', 512, dir), ...env },
    expectHandler: false,
    nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${profDir}`, '--cpu-prof-interval=100'],
  });
  const [profFile] = readdirSync(profDir);
  const profile = JSON.parse(readFileSync(path.join(profDir, profFile), 'utf8')) as CpuProfile;
  const usPerSample = profile.timeDeltas.reduce((a, b) => a + b, 0) / profile.samples.length;
  const selfUs = new Map<string, number>();
  const add = (key: string, samples: number) => selfUs.set(key, (selfUs.get(key) ?? 0) + samples * usPerSample);
  for (const { callFrame: frame, hitCount = 0, positionTicks } of profile.nodes) {
    if (hitCount === 0) continue;
    if (frame.url === pathToFileURL(file).href || frame.url === file) {
      // By line, not by function: esbuild hoists every ES module's top level into the bundle's
      // own top-level function, so a function's start line would name the first module only.
      if (positionTicks) for (const { line, ticks } of positionTicks) add(owners[line - 1] ?? 'bundle', ticks);
      else add(owners[frame.lineNumber] ?? 'bundle', hitCount);
    } else if (frame.url.startsWith('node:')) add(`node: ${frame.url.slice(5).split('/').slice(0, 3).join('/')}`, hitCount);
    else add(frame.url ? ownerOf(frame.url) : `(${frame.functionName || 'vm'})`, hitCount);
  }
  const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
  console.log(`${entry}: ${(total / 1000).toFixed(1)} ms sampled (whole process, including Node's own start)`);
  console.table(
    [...selfUs]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([owner, us]) => ({ owner, selfMs: Number((us / 1000).toFixed(1)), share: `${Math.round((us / total) * 100)}%` })),
  );
}

async function main(filter?: string): Promise<void> {
  if (filter === '--cpu') return cpuProfile(process.argv[3], JSON.parse(process.env.BENCH_ENV ?? '{}') as Record<string, string>);
  const stage = stagingDir();
  const targets: InitTarget[] = [];
  const sizes = new Map<string, number>();
  let index = 0;
  for (const [name, { source, bundleAwsSdk }] of Object.entries(COMPONENTS)) {
    if (filter && !name.toLowerCase().includes(filter.toLowerCase()) && !name.startsWith('baseline')) continue;
    const dir = subdir(stage, `c${index++}`);
    const file = await bundleLikeAFunction(source, dir, { bundleAwsSdk });
    sizes.set(name, readFileSync(file).length);
    targets.push({ name, file, env: lambdaRuntimeEnv('profile', 256, dir), expectHandler: false });
  }
  const rounds = Number(process.env.BENCH_ROUNDS ?? 7);
  const init = measureInit(targets, rounds);
  const baseline = init.get(targets[0].name)!;
  const rows = targets.map((t) => ({
    component: t.name,
    kb: Math.round(sizes.get(t.name)! / 1024),
    initMs: Number(init.get(t.name)!.toFixed(1)),
    vsBaseline: Number((init.get(t.name)! / baseline).toFixed(2)),
  }));
  console.table(rows);
  if (process.env.BENCH_PROFILE_OUT) writeFileSync(path.resolve(process.env.BENCH_PROFILE_OUT), JSON.stringify(rows, null, 2));
}

main(process.argv[2]).catch((error: Error) => {
  console.error(error);
  process.exit(1);
});
