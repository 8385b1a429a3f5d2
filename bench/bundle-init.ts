import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { build } from 'esbuild';
import { bundleAliases, LAMBDA_BUNDLING } from '../lib/constructs/fx-function';

/**
 * Measuring what a Lambda cold start pays for a bundle: the time to import the module (its
 * "init"), each sample in a fresh Node process (this project's Node 24) with the function's
 * environment, as the Lambda runtime would load it.
 */

/** What Lambda puts in every function's environment, besides the template's variables. */
export function lambdaRuntimeEnv(functionName: string, memoryMb: number, taskRoot: string): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    TZ: ':UTC',
    LANG: 'en_US.UTF-8',
    AWS_REGION: 'us-east-1',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(memoryMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_FORMAT: 'JSON',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${functionName}`,
    AWS_ACCESS_KEY_ID: 'ASIABENCHBENCHBENCH0',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_SESSION_TOKEN: 'bench',
    AWS_XRAY_DAEMON_ADDRESS: '169.254.79.129:2000',
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    LAMBDA_TASK_ROOT: taskRoot,
    LAMBDA_RUNTIME_DIR: '/var/runtime',
    _HANDLER: 'index.handler',
  };
}

let loaderPath: string | undefined;

/** A module that imports the bundle given as argv[2] and prints how long the import took. */
function loader(): string {
  if (!loaderPath) {
    loaderPath = path.join(mkdtempSync(path.join(tmpdir(), 'fx-bench-loader-')), 'load.mjs');
    writeFileSync(
      loaderPath,
      [
        "import { pathToFileURL } from 'node:url';",
        'const started = performance.now();',
        'const mod = await import(pathToFileURL(process.argv[2]).href);',
        'const initMs = performance.now() - started;',
        "if (process.argv[3] === 'handler' && typeof mod.handler !== 'function') throw new Error('no handler export');",
        'process.stdout.write(JSON.stringify({ initMs }));',
      ].join('\n'),
    );
  }
  return loaderPath;
}

export interface InitTarget {
  readonly name: string;
  /** The bundle to import. */
  readonly file: string;
  readonly env: Record<string, string>;
  /** Whether the module must export `handler`. */
  readonly expectHandler: boolean;
  /** Extra node flags (e.g. `--cpu-prof`). */
  readonly nodeFlags?: readonly string[];
}

/** One import of the target in a fresh process; throws with the child's stderr when it fails. */
export function measureInitOnce(target: InitTarget): number {
  const child = spawnSync(
    process.execPath,
    [...(target.nodeFlags ?? []), loader(), target.file, target.expectHandler ? 'handler' : 'module'],
    { env: target.env, encoding: 'utf8', timeout: 60_000 },
  );
  if (child.status !== 0) {
    throw new Error(`${target.name}: loading ${target.file} failed (${child.status}): ${child.stderr.slice(0, 2000)}`);
  }
  return (JSON.parse(child.stdout) as { initMs: number }).initMs;
}

/**
 * The lower quartile: on a machine shared with other work, load only ever adds time, so the
 * lower quartile tracks what the import itself costs better than the median, without being the
 * single luckiest run.
 */
export const lowerQuartile = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 4)];
};

/**
 * The init of every target over `rounds` rounds (lower quartile). Targets are interleaved (each round
 * loads each target once, in a rotating order) so a busy moment on a shared machine hits them
 * alike. One warm-up round fills the OS file cache and is not counted.
 */
export function measureInit(targets: readonly InitTarget[], rounds: number): Map<string, number> {
  const samples = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (const target of targets) measureInitOnce(target);
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < targets.length; i++) {
      const target = targets[(i + round) % targets.length];
      samples.get(target.name)!.push(measureInitOnce(target));
    }
  }
  return new Map([...samples].map(([name, values]) => [name, lowerQuartile(values)]));
}

/**
 * Bundles `source` (module text) exactly as the functions are bundled (the FxFunction esbuild
 * options: ESM, minified, tree-shaken) into `<dir>/index.mjs`. With `minify: false` the output
 * keeps esbuild's `// node_modules/<package>/…` markers, which the init profile reads.
 */
export async function bundleLikeAFunction(
  source: string,
  dir: string,
  options: { minify?: boolean; bundleAwsSdk?: boolean; format?: 'esm' | 'cjs' } = {},
): Promise<string> {
  const entry = path.join(dir, 'entry.ts');
  writeFileSync(entry, source);
  const cjs = options.format === 'cjs';
  const outfile = path.join(dir, cjs ? 'index.js' : 'index.mjs');
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: cjs ? 'cjs' : 'esm',
    target: LAMBDA_BUNDLING.target,
    minify: options.minify ?? true,
    // CommonJS the way esbuild bundles for Node by default (the baseline of the issue).
    ...(cjs ? {} : { mainFields: [...LAMBDA_BUNDLING.mainFields], banner: { js: LAMBDA_BUNDLING.banner }, alias: bundleAliases() }),
    external: options.bundleAwsSdk ? [] : [...LAMBDA_BUNDLING.externalModules],
    nodePaths: [path.join(__dirname, '..', 'node_modules')],
    logLevel: 'silent',
  });
  return outfile;
}

/**
 * The baseline: a minified bundle of just the DynamoDB document client (a client, the document
 * client over it and one command). As the issue measured it, CommonJS (≈550 KB); the bench also
 * reports one built exactly like the functions (ESM, tree-shaken), which loads faster.
 */
export const BASELINE_SOURCE = [
  "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';",
  "import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';",
  'export const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));',
  'export const get = (key) => client.send(new GetCommand({ TableName: "t", Key: key }));',
].join('\n');

/**
 * A scratch directory inside this project's node_modules (its cache folder), so a bundle placed
 * under it finds the AWS SDK in node_modules the way a function finds the one the Lambda runtime
 * ships (a symlinked node_modules would add realpath work Lambda does not do).
 */
export function stagingDir(): string {
  const cache = path.join(__dirname, '..', 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  return mkdtempSync(path.join(cache, 'fx-bench-'));
}

export function subdir(parent: string, name: string): string {
  const dir = path.join(parent, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}
