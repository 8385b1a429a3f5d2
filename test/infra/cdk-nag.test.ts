import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, Stack, Stage, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import type { StageName } from '../../lib/config/stage-config';
import { createFxApp, stageContext, type FxApp } from './helpers';

/**
 * How cdk-nag 3 reports: AwsSolutionsChecks is an aws-cdk-lib validation plugin
 * (`Validations.of(app).addPlugins`). At synth, aws-cdk-lib runs every plugin, removes the
 * violations acknowledged with `Validations.of(construct).acknowledge` (cdk-nag also skips the
 * ones it recognises itself) and writes the result to `validation-report.json` in the cloud
 * assembly. When an error-level violation is left, `app.synth()` throws (in-memory mode, as under
 * jest); warning-level violations only appear in the report. So the test reads the report and
 * fails on any violation left, error or warning.
 */

const NAG_PLUGIN = 'AwsSolutions';
const REPORT_FILE = 'validation-report.json';
const MIN_REASON_LENGTH = 20;

interface ReportViolation {
  readonly ruleName: string;
  readonly description: string;
  readonly severity?: string;
  readonly violatingConstructs: readonly { readonly constructPath?: string }[];
}

interface ReportJson {
  readonly pluginReports: readonly {
    readonly pluginName: string;
    readonly conclusion: string;
    readonly metadata?: Record<string, string>;
    readonly violations: readonly ReportViolation[];
    readonly suppressedViolations?: readonly (ReportViolation & {
      readonly acknowledgedId?: string;
      readonly acknowledgedAt?: string;
      readonly reason?: string;
    })[];
  }[];
}

/** A finding the report lists as acknowledged: which acknowledgement, where, and what it covered. */
interface SuppressedFinding {
  readonly acknowledgedId: string;
  readonly acknowledgedAt: string;
  readonly reason: string;
  readonly constructPaths: readonly string[];
}

interface Finding {
  readonly rule: string;
  readonly severity: string;
  readonly constructPath: string;
  readonly description: string;
}

interface NagResult {
  /** What `app.synth()` threw, if it did. */
  readonly synthError?: Error;
  readonly conclusion: string;
  readonly findings: readonly Finding[];
  readonly suppressed: readonly SuppressedFinding[];
}

/** Synthesizes the app and returns what cdk-nag left unacknowledged. */
function runNag(built: FxApp): NagResult {
  let synthError: Error | undefined;
  try {
    built.app.synth();
  } catch (error) {
    synthError = error as Error;
  }
  const reportPath = path.join(built.outdir, REPORT_FILE);
  if (!fs.existsSync(reportPath)) {
    // No report at all: synth failed before validation, or no plugin ran.
    throw (
      synthError ?? new Error(`Synth wrote no ${REPORT_FILE}: is a validation plugin attached?`)
    );
  }
  const report = JSON.parse(fs.readFileSync(reportPath, 'utf8')) as ReportJson;
  const nag = report.pluginReports.find((r) => r.pluginName === NAG_PLUGIN);
  if (!nag) {
    throw new Error(
      `No ${NAG_PLUGIN} report (plugins that ran: ${report.pluginReports.map((r) => r.pluginName).join(', ')}); ` +
        'is AwsSolutionsChecks still attached in buildApp?',
    );
  }
  if (nag.metadata?.error) throw new Error(nag.metadata.error);
  const findings = nag.violations.flatMap((v) =>
    v.violatingConstructs.map((c) => ({
      rule: v.ruleName,
      severity: v.severity ?? 'unknown',
      constructPath: c.constructPath ?? '(unknown construct)',
      description: v.description,
    })),
  );
  const suppressed = (nag.suppressedViolations ?? []).map((v) => ({
    acknowledgedId: v.acknowledgedId ?? '',
    acknowledgedAt: v.acknowledgedAt ?? '',
    reason: v.reason ?? '',
    constructPaths: v.violatingConstructs.map((c) => c.constructPath ?? '(unknown construct)'),
  }));
  return { synthError, conclusion: nag.conclusion, findings, suppressed };
}

const describeFindings = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `[${f.severity}] ${f.rule} at ${f.constructPath}: ${f.description}`);

interface Acknowledgement {
  readonly id: string;
  readonly reason: string;
  readonly at: IConstruct;
}

function acknowledgementsIn(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY && entry.data)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, unknown>).map(([id, reason]) => ({
          id,
          reason: typeof reason === 'string' ? reason : '',
          at: construct,
        })),
      ),
  );
}

describe.each<[string, StageName, Record<string, unknown>]>([
  ['dev', 'dev', {}],
  ['prod', 'prod', {}],
  ['prod (with partners from context)', 'prod', stageContext('prod')],
])('cdk-nag AwsSolutions on the %s app', (_label, stage, context) => {
  let built: FxApp;
  let result: NagResult;

  beforeAll(() => {
    built = createFxApp(stage, context);
    result = runNag(built);
  });
  afterAll(() => built?.dispose());

  it('reports no unacknowledged findings', () => {
    expect(describeFindings(result.findings)).toEqual([]);
    expect(result.conclusion).toBe('success');
    expect(result.synthError).toBeUndefined();
  });

  it('justifies every acknowledgement with a real reason', () => {
    const acks = acknowledgementsIn(built.app);
    expect(acks.length).toBeGreaterThan(0);
    const unjustified = acks
      .filter((a) => a.reason.trim().length < MIN_REASON_LENGTH)
      .map((a) => `${a.id} at ${a.at.node.path}: "${a.reason}"`);
    expect(unjustified).toEqual([]);
  });

  // An acknowledgement cdk-nag applies without listing it (an id without the `AwsSolutions::`
  // prefix) hides a finding from the report; one that matches nothing is stale. Both fail here.
  it('lists every acknowledgement in the validation report, at the construct it was made on', () => {
    const reported = new Set(result.suppressed.map((f) => `${f.acknowledgedId} at ${f.acknowledgedAt}`));
    const missing = acknowledgementsIn(built.app)
      // Another plugin's (aws-cdk-lib's own CloudFormation-Validate ones on a VPC's AZ lookups and
      // flow log) are not in cdk-nag's report; an id without a plugin prefix is cdk-nag's.
      .filter((a) => !a.id.includes('::') || a.id.startsWith(`${NAG_PLUGIN}::`))
      .map((a) => `${a.id} at ${a.at.node.path}`)
      .filter((ack) => !reported.has(ack));
    expect(missing).toEqual([]);
  });

  it('covers exactly one resource with each acknowledged finding, below the construct acknowledged', () => {
    const broad = result.suppressed
      .filter(
        (f) =>
          f.constructPaths.length !== 1 ||
          !f.constructPaths[0].startsWith(`${f.acknowledgedAt}/`),
      )
      .map((f) => `${f.acknowledgedId} at ${f.acknowledgedAt}: ${f.constructPaths.join(', ')}`);
    expect(broad).toEqual([]);
  });

  it('scopes every acknowledgement to a resource, never to a whole stack or the app', () => {
    // Only cdk-nag's: aws-cdk-lib itself silences CloudFormation-Validate's literal-AZ warning
    // on a stack whose VPC reads stack.availabilityZones.
    const broad = acknowledgementsIn(built.app)
      .filter((a) => a.id.includes('AwsSolutions'))
      .filter((a) => Stack.isStack(a.at) || Stage.isStage(a.at))
      .map((a) => `${a.id} at ${a.at.node.path || '(app)'}`);
    expect(broad).toEqual([]);
  });
});

describe('cdk-nag check itself', () => {
  let built: FxApp;
  let result: NagResult;
  let badQueuePath: string;

  beforeAll(() => {
    // The real app plus one throwaway stack with a queue that breaks the rules.
    built = createFxApp('dev');
    const scratch = new Stack(built.app, 'Scratch');
    badQueuePath = new sqs.Queue(scratch, 'BadQueue', {
      encryption: sqs.QueueEncryption.UNENCRYPTED,
    }).node.defaultChild!.node.path;
    result = runNag(built);
  });
  afterAll(() => built?.dispose());

  it('reports an unencrypted queue without DLQ, so a finding cannot go unnoticed', () => {
    const rulesAtBadQueue = result.findings
      .filter((f) => f.constructPath === badQueuePath)
      .map((f) => f.rule);
    expect(rulesAtBadQueue).toEqual(
      expect.arrayContaining([
        'AwsSolutions-SQS2', // no server-side encryption
        'AwsSolutions-SQS3', // no dead-letter queue
        'AwsSolutions-SQS4', // no TLS-only policy
      ]),
    );
    // And synthesis itself refuses, as `cdk synth`/`cdk deploy` would.
    expect(result.conclusion).toBe('failure');
    expect(result.synthError?.message).toMatch(/AwsSolutions-SQS2/);
  });

  it('lets an acknowledged finding through only on the construct it was acknowledged on', () => {
    const outdir = `${built.outdir}-ack`;
    const app = new App({ outdir });
    try {
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
      const stack = new Stack(app, 'Scratch');
      const dlq = new sqs.Queue(stack, 'Dlq', {
        enforceSSL: true,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
      });
      const other = new sqs.Queue(stack, 'Other', {
        enforceSSL: true,
        encryption: sqs.QueueEncryption.SQS_MANAGED,
      });
      Validations.of(dlq).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason: 'A dead-letter queue needs no DLQ of its own.',
      });
      const nag = runNag({ ...built, app, outdir });
      expect(nag.findings.map((f) => `${f.rule} at ${f.constructPath}`)).toEqual([
        `AwsSolutions-SQS3 at ${other.node.defaultChild!.node.path}`,
      ]);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
