import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT } from 'aws-cdk-lib/cx-api';
import type { IConstruct } from 'constructs';
import type { PartnerConfig, StageConfig, StageName } from '../../lib/config/stage-config';
import { buildApp } from '../../lib/fx-app';
import type { StatefulStack } from '../../lib/stacks/stateful-stack';
import type { StatelessStack } from '../../lib/stacks/stateless-stack';
import type { AnalyticsStack } from '../../lib/stacks/analytics-stack';

/** A CloudFormation resource as it appears in a synthesized template. */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
  readonly [key: string]: unknown;
}

export interface FxApp {
  readonly app: App;
  readonly config: StageConfig;
  readonly stateful: StatefulStack;
  readonly stateless: StatelessStack;
  readonly analytics: AnalyticsStack;
  /** The cloud assembly directory; synth writes the templates and the validation report here. */
  readonly outdir: string;
  /** Removes the cloud assembly directory. */
  dispose(): void;
}

export interface SynthesizedFxApp extends FxApp {
  readonly statefulTemplate: Template;
  readonly statelessTemplate: Template;
  readonly analyticsTemplate: Template;
}

/**
 * Builds the app for a stage exactly as `bin/app.ts` does (cdk-nag included), without
 * synthesizing it. Asset bundling is skipped (`aws:cdk:bundling-stacks: []`): esbuild is the
 * slow part and the tests assert the infrastructure, not the bundle.
 */
export function createFxApp(stage: StageName, extraContext: Record<string, unknown> = {}): FxApp {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), `fx-infra-${stage}-`));
  const app = new App({
    outdir,
    context: { ...extraContext, stage, 'aws:cdk:bundling-stacks': [] },
  });
  const dispose = () => fs.rmSync(outdir, { recursive: true, force: true });
  let stacks: ReturnType<typeof buildApp>;
  try {
    stacks = buildApp(app);
  } catch (error) {
    dispose();
    throw error;
  }
  const { config, stateful, stateless, analytics } = stacks;
  return {
    app,
    config,
    stateful,
    stateless,
    analytics,
    outdir,
    dispose,
  };
}

/**
 * Builds and synthesizes the app for a stage and returns both stacks with their templates.
 * Synthesis is done once per app (Template.fromStack reuses the cached assembly), so call this
 * in `beforeAll`, once per stage and test file.
 *
 * cdk-nag still runs, but a finding does not abort synthesis here: the template assertions then
 * report what actually changed, and cdk-nag.test.ts (which synthesizes with the default, failing
 * behaviour) reports the finding itself, once.
 */
export function synthFxApp(stage: StageName, extraContext: Record<string, unknown> = {}): SynthesizedFxApp {
  const built = createFxApp(stage, { ...extraContext, [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false });
  try {
    return {
      ...built,
      statefulTemplate: Template.fromStack(built.stateful),
      statelessTemplate: Template.fromStack(built.stateless),
      analyticsTemplate: Template.fromStack(built.analytics),
    };
  } catch (error) {
    built.dispose();
    throw error;
  }
}

/** The logical id CloudFormation knows a construct by (its default child for L2 constructs). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return (element.stack as Stack).getLogicalId(element);
}

/** One resource of a template by logical id; fails with the ids that do exist. */
export function resourceOf(template: Template, logicalId: string): CfnResourceJson {
  const resources = (template.toJSON().Resources ?? {}) as Record<string, CfnResourceJson>;
  const resource = resources[logicalId];
  if (!resource) {
    throw new Error(
      `No resource ${logicalId}; the template has ${Object.keys(resources).join(', ')}`,
    );
  }
  return resource;
}

/**
 * A template holding only the one resource, so `hasResource`/`hasResourceProperties` assert that
 * exact resource (with the assertions library's diff on failure) rather than "some resource".
 */
export function templateOfResource(template: Template, logicalId: string): Template {
  return Template.fromJSON(
    { Resources: { [logicalId]: resourceOf(template, logicalId) } },
    { skipCyclicalDependenciesCheck: true },
  );
}

/** Resources of one type, keyed by logical id. */
export function resourcesOfType(template: Template, type: string): Record<string, CfnResourceJson> {
  return template.findResources(type) as Record<string, CfnResourceJson>;
}

/**
 * Renders an intrinsic-laden value (Fn::Join, Ref, Fn::GetAtt, Fn::ImportValue) as one string,
 * e.g. `arn:${AWS::Partition}:s3:::fx-platform-lake-dev-${AWS::AccountId}-${AWS::Region}/raw/*`,
 * so ARNs can be compared by prefix and suffix.
 */
export function renderIntrinsic(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(renderIntrinsic).join(',');
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `\${${String(v.Ref)}}`;
  if ('Fn::GetAtt' in v) return `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::ImportValue' in v) return `\${Import:${renderIntrinsic(v['Fn::ImportValue'])}}`;
  if ('Fn::Join' in v) {
    const [separator, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(renderIntrinsic).join(separator);
  }
  return JSON.stringify(value);
}

/**
 * A value of the stateless template with each cross-stack import (`Fn::ImportValue`) replaced by
 * what the stateful stack exports under that name, so ARNs compare with `${Table.Arn}`.
 */
export function resolveImports(statefulTemplate: Template, value: unknown): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveImports(statefulTemplate, v));
  if (!value || typeof value !== 'object') return value;
  if ('Fn::ImportValue' in value) {
    const name = (value as { 'Fn::ImportValue'?: unknown })['Fn::ImportValue'];
    if (typeof name !== 'string') return value;
    const outputs = statefulTemplate.toJSON().Outputs as Record<string, { Value: unknown; Export?: { Name: string } }>;
    const output = Object.values(outputs).find((o) => o.Export?.Name === name);
    if (!output) throw new Error(`The stateful stack exports no ${name}`);
    return output.Value;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveImports(statefulTemplate, v)]));
}

/** `x` or `[x, y]` as an array, as IAM statements allow both. */
export function asArray<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value as T];
}

/**
 * Partners as an operator passes them for prod (`-c partners='[…]'`, README): prod commits none,
 * so the tests synthesize prod with these to check what partners get there.
 */
export const CONTEXT_PARTNERS: readonly PartnerConfig[] = [
  {
    name: 'northwind-bank',
    scopes: ['rates.read', 'conversions.read', 'conversions.write'],
    throttle: { rateLimit: 20, burstLimit: 40 },
    quotaPerDay: 50_000,
  },
  { name: 'contoso-pay', scopes: ['rates.read'], throttle: { rateLimit: 5, burstLimit: 10 }, quotaPerDay: 5_000 },
];

/** Context for a stage as the tests synthesize it: prod with the operator's partners. */
export function stageContext(stage: StageName): Record<string, unknown> {
  return stage === 'prod' ? { partners: JSON.stringify(CONTEXT_PARTNERS) } : {};
}
