import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { BenchFigure } from './figures';
import {
  BASELINE_SOURCE,
  bundleLikeAFunction,
  lambdaRuntimeEnv,
  measureInit,
  stagingDir,
  subdir,
  type InitTarget,
} from './bundle-init';
import { LOAD_WAREHOUSE_FUNCTION } from '../lib/definitions/analytics';
import { FUNCTIONS } from '../lib/definitions/functions';
import { SEED_CURRENCIES } from '../lib/definitions/partner-api';

/** Every function's minified bundle must stay within this. */
export const MAX_BUNDLE_BYTES = 300 * 1024;
/** And its module init within this multiple of the baseline's, measured in the same run. */
export const MAX_INIT_RATIO = 1.5;

const REPO_ROOT = path.join(__dirname, '..');

interface Template {
  readonly Resources: Record<string, { Type: string; Metadata?: Record<string, string>; Properties: Record<string, unknown> }>;
}

export interface SynthesizedFunction {
  /** Kebab-case name (FUNCTIONS key). */
  readonly name: string;
  readonly assetDir: string;
  /** index.mjs (ESM) or index.js (CJS). */
  readonly bundle: string;
  readonly memorySize: number;
  /** The template's environment variables, CloudFormation references replaced by stand-ins. */
  readonly environment: Record<string, string>;
}

/**
 * `npx cdk synth -c stage=prod` into a scratch directory, or BENCH_CDK_OUT when set: prod has
 * every function (dev has no warehouse, so no load-warehouse); the bundles are the same.
 */
function cloudAssembly(): string {
  const given = process.env.BENCH_CDK_OUT;
  if (given) return path.resolve(given);
  const out = mkdtempSync(path.join(tmpdir(), 'fx-bench-cdk-'));
  const synth = spawnSync('npx', ['cdk', 'synth', '-c', 'stage=prod', '-o', out, '-q'], { cwd: REPO_ROOT, encoding: 'utf8' });
  if (synth.status !== 0) throw new Error(`cdk synth failed: ${synth.stderr.slice(-2000)}`);
  return out;
}

/** Our functions in a cloud assembly (not CDK's own providers), found by their construct ids. */
export function synthesizedFunctions(cdkOut: string): SynthesizedFunction[] {
  const byId = new Map<string, { name: string }>([
    ...Object.entries(FUNCTIONS).map(([name, def]): [string, { name: string }] => [def.id, { name }]),
    [SEED_CURRENCIES.definition.id, { name: SEED_CURRENCIES.name }],
    [LOAD_WAREHOUSE_FUNCTION.id, { name: LOAD_WAREHOUSE_FUNCTION.name }],
  ]);
  const found: SynthesizedFunction[] = [];
  for (const file of readdirSync(cdkOut).filter((f) => f.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(path.join(cdkOut, file), 'utf8')) as Template;
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const constructPath = resource.Metadata?.['aws:cdk:path'] ?? '';
      const id = /\/([A-Za-z0-9]+)\/Function\/Resource$/.exec(constructPath)?.[1];
      const asset = resource.Metadata?.['aws:asset:path'];
      const fn = id ? byId.get(id) : undefined;
      if (!fn || !asset) continue;
      const assetDir = path.join(cdkOut, asset);
      const bundle = ['index.mjs', 'index.js'].map((f) => path.join(assetDir, f)).find((f) => existsSync(f));
      if (!bundle) throw new Error(`${fn.name}: no index.mjs or index.js in ${assetDir}`);
      const variables = ((resource.Properties.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {});
      found.push({
        name: fn.name,
        assetDir,
        bundle,
        memorySize: Number(resource.Properties.MemorySize ?? 128),
        environment: Object.fromEntries(Object.entries(variables).map(([k, v]) => [k, resolveToken(v)])),
      });
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

/** A CloudFormation value as a plausible string: references become names, joins are joined. */
function resolveToken(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object') {
    const [[fn, arg]] = Object.entries(value);
    if (fn === 'Ref') return arg === 'AWS::Region' ? 'us-east-1' : arg === 'AWS::AccountId' ? '123456789012' : `ref-${String(arg)}`;
    if (fn === 'Fn::Join') {
      const [separator, parts] = arg as [string, unknown[]];
      return parts.map(resolveToken).join(separator);
    }
    if (fn === 'Fn::GetAtt') return `att-${([] as unknown[]).concat(arg).join('-')}`;
    if (fn === 'Fn::ImportValue') return `import-${resolveToken(arg).replace(/[^\w-]/g, '')}`;
    if (fn === 'Fn::Select') {
      const [index, list] = arg as [number, unknown];
      return `select-${index}-${resolveToken(list)}`;
    }
  }
  return 'value';
}

const sizeOf = (file: string) => statSync(file).size;

function directoryBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + sizeOf(path.join(entry.parentPath, entry.name)), 0);
}

/**
 * `npm run bench -- bundles`: each function's minified bundle size and module init (a fresh
 * Node 24 process importing its bundle with the environment its template gives it, the AWS SDK
 * found as the runtime's), next to the baseline (a bundle of just the DynamoDB document client,
 * built with the same options) measured in the same run.
 */
export async function run(): Promise<BenchFigure[]> {
  const cdkOut = cloudAssembly();
  // BENCH_FUNCTIONS=alerts-api,fetch-rates measures only those (with the baselines).
  const only = process.env.BENCH_FUNCTIONS?.split(',').filter(Boolean);
  const functions = synthesizedFunctions(cdkOut).filter((fn) => !only || only.includes(fn.name));
  const stage = stagingDir();
  const baselineFile = await bundleLikeAFunction(BASELINE_SOURCE, subdir(stage, 'baseline'), { bundleAwsSdk: true, format: 'cjs' });
  const esmBaselineFile = await bundleLikeAFunction(BASELINE_SOURCE, subdir(stage, 'baseline-esm'), { bundleAwsSdk: true });
  const moduleTarget = (name: string, file: string): InitTarget => ({
    name,
    file,
    env: lambdaRuntimeEnv(name, 256, path.dirname(file)),
    expectHandler: false,
  });
  const targets: InitTarget[] = [
    moduleTarget('baseline', baselineFile),
    moduleTarget('baseline-esm', esmBaselineFile),
    ...functions.map((fn) => {
      // A copy under the staging directory, whose node_modules stands in for the runtime's SDK.
      const dir = subdir(stage, fn.name);
      cpSync(fn.assetDir, dir, { recursive: true });
      return {
        name: fn.name,
        file: path.join(dir, path.basename(fn.bundle)),
        env: { ...lambdaRuntimeEnv(fn.name, fn.memorySize, dir), ...fn.environment },
        expectHandler: true,
      };
    }),
  ];
  const baselineKb = Math.round(sizeOf(baselineFile) / 1024);
  const esmBaselineKb = Math.round(sizeOf(esmBaselineFile) / 1024);
  const rounds = Number(process.env.BENCH_ROUNDS ?? 12);
  let init: Map<string, number>;
  try {
    init = measureInit(targets, rounds);
  } finally {
    rmSync(stage, { recursive: true, force: true });
  }
  const baseline = init.get('baseline')!;
  const esmBaseline = init.get('baseline-esm')!;
  const figures: BenchFigure[] = [
    {
      figure: 'baseline init: DynamoDB document client alone (minified CommonJS bundle, the issue’s yardstick)',
      value: Number(baseline.toFixed(1)),
      unit: 'ms',
      note: `baseline ${baselineKb} KB CommonJS, ${esmBaselineKb} KB as ESM; init is the lower quartile of ${rounds} fresh Node 24 processes per bundle, interleaved`,
    },
    {
      figure: 'baseline init, built like the functions (ESM, tree-shaken)',
      value: Number(esmBaseline.toFixed(1)),
      unit: 'ms',
    },
  ];
  for (const fn of functions) {
    const bytes = sizeOf(fn.bundle);
    const ratio = init.get(fn.name)! / baseline;
    const extra = directoryBytes(fn.assetDir) - bytes;
    figures.push(
      {
        figure: `${fn.name} bundle (${path.basename(fn.bundle)})`,
        value: Math.round(bytes / 1024),
        unit: 'KB',
        target: `<= ${MAX_BUNDLE_BYTES / 1024}`,
        met: bytes <= MAX_BUNDLE_BYTES,
        ...(extra > 0 ? { note: `${fn.name}: the zip also holds ${Math.round(extra / 1024)} KB of other files` } : {}),
      },
      {
        figure: `${fn.name} init`,
        value: Number(init.get(fn.name)!.toFixed(1)),
        unit: 'ms',
      },
      {
        figure: `${fn.name} init / baseline`,
        value: Number(ratio.toFixed(2)),
        unit: 'x',
        target: `<= ${MAX_INIT_RATIO}`,
        met: ratio <= MAX_INIT_RATIO,
      },
      {
        figure: `${fn.name} init / ESM baseline`,
        value: Number((init.get(fn.name)! / esmBaseline).toFixed(2)),
        unit: 'x',
      },
    );
  }
  return figures;
}
