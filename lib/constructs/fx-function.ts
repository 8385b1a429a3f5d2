import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { data as iso4217Records } from 'currency-codes';
import { acknowledgeWildcardResource } from './nag';
import { writeApiDocs } from '../api-docs/api-docs-files';
import { API_DOCS_FILES } from '../../lambdas/shared/api-docs-files';
import { tableGrants, type Access, type FunctionDefinition, type TableGrant } from '../definitions/functions';
import type { TableDefinition } from '../definitions/resources';
import { SECRET_CACHE_TTL_SECONDS } from '../../lambdas/adapters/aws/secrets';
import { ENV } from '../../lambdas/shared/env-names';
import { METRICS_NAMESPACE } from '../../lambdas/shared/observability';

const REPO_ROOT = path.join(__dirname, '..', '..');

/**
 * How every function is bundled (bench/bundles.bench.ts builds its baseline with the same
 * options): ESM, so esbuild tree-shakes what a function does not use (`module` entry points
 * first); minified; the AWS SDK left to the Lambda runtime, which ships it.
 */
export const LAMBDA_BUNDLING = {
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
  // A CommonJS dependency bundled into an ES module may still call require() for Node built-ins.
  banner: "import{createRequire as __fxCreateRequire}from'node:module';const require=__fxCreateRequire(import.meta.url);",
} as const;

/**
 * Built-ins a function loads with require() instead of import. An ES module's import of a
 * built-in builds a facade that reads every export, and node:http's lazy WebSocket export loads
 * undici: about 7 ms of the cold start of each API function (@middy/util imports STATUS_CODES).
 * Each is aliased to a one-line CommonJS module, which esbuild bundles as a require() through
 * the banner's createRequire.
 */
export const BUILTINS_BY_REQUIRE: Record<string, string> = Object.fromEntries(
  ['http'].map((name) => [`node:${name}`, path.join(REPO_ROOT, 'lambdas', 'shared', 'required-builtins', `${name}.cjs`)]),
);

/** The secrets cache beside the functions that read secrets (README "Lean bundles": no Secrets Manager client in the bundle). */
const SECRETS_EXTENSION = lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
  secretsManagerTtl: Duration.seconds(SECRET_CACHE_TTL_SECONDS),
  logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
});

let iso4217File: string | undefined;

/**
 * What a bundle gets for `currency-codes`: the three fields of each ISO 4217 record that
 * lambdas/domain/currency.ts reads (code, name, minor units), written once per synth from the
 * installed package. The package's full records (countries, numeric codes) and lookup helpers
 * cost about 1.4 ms of the cold start of every function that knows currencies.
 */
function iso4217Module(): string {
  if (!iso4217File) {
    const records = iso4217Records.map(({ code, currency, digits }) => ({ code, currency, digits }));
    iso4217File = path.join(mkdtempSync(path.join(tmpdir(), 'fx-iso4217-')), 'iso4217.mjs');
    writeFileSync(iso4217File, `export const data = ${JSON.stringify(records)};\n`);
  }
  return iso4217File;
}

/** Modules esbuild replaces in every bundle (`--alias`): the built-ins above and the currency data. */
export function bundleAliases(): Record<string, string> {
  return { ...BUILTINS_BY_REQUIRE, 'currency-codes': iso4217Module() };
}

let apiDocsDir: string | undefined;

/**
 * Copies the OpenAPI document (generated from the contract once per synth) and Swagger UI's
 * files beside the bundle, outside it: the bundle stays small and no generator runs in Lambda.
 */
function apiDocsHooks() {
  apiDocsDir ??= writeApiDocs(mkdtempSync(path.join(tmpdir(), 'fx-api-docs-')));
  const source = apiDocsDir;
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (_inputDir: string, outputDir: string) => {
      const target = path.join(outputDir, API_DOCS_FILES.dir);
      return [`mkdir -p "${target}"`, `cp "${source}"/* "${target}/"`];
    },
  };
}

export interface FxFunctionProps {
  /** The function's entry in FUNCTIONS: handler file, timeout, memory. */
  readonly definition: FunctionDefinition;
  /** Kebab-case function name, also the Powertools service name. */
  readonly name: string;
  readonly stage: string;
  /** @default 14 */
  readonly logRetentionDays?: number;
  /** Whether the log group survives stack deletion. @default false */
  readonly retainLogs?: boolean;
  /** Encrypts the log group (its policy must let CloudWatch Logs use it). @default CloudWatch Logs' own encryption */
  readonly logsKey?: kms.IKey;
  /**
   * Whether the function reads secrets: it gets the AWS Parameters and Secrets Lambda Extension,
   * which it reads them through (lambdas/adapters/aws/secrets.ts). @default false
   */
  readonly readsSecrets?: boolean;
}

/**
 * A Lambda function the way every FX function is built: Node 24 on arm64, bundled with
 * esbuild, X-Ray tracing, Powertools settings, a log group with retention, and helpers that
 * set an environment variable and its least-privilege grant in one call.
 */
export class FxFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: FxFunctionProps) {
    super(scope, id);
    const { definition } = props;
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: retentionFor(props.logRetentionDays ?? 14),
      encryptionKey: props.logsKey,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // Its own role instead of AWSLambdaBasicExecutionRole (logs:CreateLogGroup, CreateLogStream
    // and PutLogEvents on every log group): streams and events in this function's group only.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.name} (${props.stage})`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        // The log group's ARN attribute ends in `:*`, which covers its log streams.
        resources: [logGroup.logGroupArn],
      }),
    );
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      entry: path.join(REPO_ROOT, definition.entry),
      handler: 'handler',
      description: definition.description,
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      timeout: Duration.seconds(definition.timeoutSeconds),
      memorySize: definition.memorySize,
      tracing: lambda.Tracing.ACTIVE,
      logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      ...(props.readsSecrets ? { paramsAndSecrets: SECRETS_EXTENSION } : {}),
      depsLockFilePath: path.join(REPO_ROOT, 'package-lock.json'),
      projectRoot: REPO_ROOT,
      bundling: {
        ...LAMBDA_BUNDLING,
        externalModules: [...LAMBDA_BUNDLING.externalModules],
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        minify: true,
        // No source map in the zip: stack traces name the minified bundle, which keeps cold
        // starts short (README "Lean bundles": a map and --enable-source-maps cost init time).
        sourceMap: false,
        esbuildArgs: Object.fromEntries(Object.entries(bundleAliases()).map(([from, to]) => [`--alias:${from}`, to])),
        ...(definition.shipsApiDocs ? { commandHooks: apiDocsHooks() } : {}),
      },
      environment: {
        POWERTOOLS_SERVICE_NAME: props.name,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        [ENV.stage]: props.stage,
      },
    });
    Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason: 'X-Ray PutTraceSegments/PutTelemetryRecords support no resource-level permissions.',
    });
  }

  /**
   * Sets the table-name variable and grants exactly the item actions asked for, on the table and
   * its indexes; with `partitions`, only on items with those partition keys.
   */
  useTable(def: TableDefinition, table: dynamodb.ITable, grant: Access | TableGrant | readonly TableGrant[]): this {
    this.fn.addEnvironment(def.envVar, table.tableName);
    for (const one of tableGrants(grant)) {
      for (const statement of tableStatements(def, table, one)) this.fn.addToRolePolicy(statement);
    }
    return this;
  }

  /**
   * Sets the secret-id variable and grants reading that one secret. The grant is on the role
   * only: `secret.grantRead` would also write this role into the stateful stack's key policy and
   * tie the two stacks in a cycle.
   */
  useSecret(envVar: string, secret: secretsmanager.ISecret): this {
    this.fn.addEnvironment(envVar, secret.secretArn);
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'],
        resources: [secret.secretArn],
      }),
    );
    this.allowKey(secret.encryptionKey, 'read');
    return this;
  }

  /** Sets the queue-URL variable and grants send. */
  sendTo(envVar: string, queue: sqs.IQueue): this {
    this.fn.addEnvironment(envVar, queue.queueUrl);
    this.allowSend(queue);
    return this;
  }

  /**
   * Send permission on one queue, and on its key the two actions SQS needs for a producer
   * (`queue.grantSendMessages` would add `kms:ReEncrypt*` and `kms:GenerateDataKey*`).
   */
  allowSend(queue: sqs.IQueue): this {
    this.fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
        resources: [queue.queueArn],
      }),
    );
    if (queue.encryptionMasterKey) {
      this.fn.addToRolePolicy(
        new iam.PolicyStatement({
          actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
          resources: [queue.encryptionMasterKey.keyArn],
        }),
      );
    }
    return this;
  }

  /**
   * Lambda's asynchronous invocation settings, with failed events sent to `failures` (an SQS
   * queue, written with this function's role).
   */
  onAsyncFailure(failures: sqs.IQueue, options: { retryAttempts: number; maxEventAge: Duration }): this {
    this.allowSend(failures);
    this.fn.configureAsyncInvoke({
      ...options,
      onFailure: { bind: () => ({ destination: failures.queueArn }) },
    });
    return this;
  }

  /** Sets the bucket-name variable and grants object access under the given key prefixes only. */
  useBucket(envVar: string, bucket: s3.IBucket, access: Access, prefixes: readonly string[]): this {
    this.fn.addEnvironment(envVar, bucket.bucketName);
    const actions = [
      ...(access !== 'write' ? ['s3:GetObject'] : []),
      ...(access !== 'read' ? ['s3:PutObject'] : []),
    ];
    const resources = prefixes.map((prefix) => bucket.arnForObjects(`${prefix}/*`));
    this.fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources }));
    this.allowKey(bucket.encryptionKey, access);
    for (const resource of resources) {
      acknowledgeWildcardResource(
        this.fn.role!.node.findChild('DefaultPolicy'),
        resource,
        'Objects are keyed by date and snapshot id; access is limited to this prefix.',
      );
    }
    return this;
  }

  private allowKey(key: kms.IKey | undefined, access: Access): void {
    const statement = keyStatement(key, access);
    if (statement) this.fn.addToRolePolicy(statement);
  }
}

/**
 * The item actions of an access level on a table and its indexes (and its key), limited to the
 * grant's partitions with `dynamodb:LeadingKeys`. `ForAllValues` also passes a request without a
 * partition key, which is why no Scan or PartiQL action is ever granted.
 * - `indexes`: Query on those indexes only (the table's items are not readable by key);
 * - `attributes`: UpdateItem of those attributes only (`dynamodb:Attributes`), returning no
 *   other attribute (`dynamodb:ReturnValues`).
 */
export function tableStatements(def: TableDefinition, table: dynamodb.ITable, grant: TableGrant): iam.PolicyStatement[] {
  const reads = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem', 'dynamodb:DescribeTable'];
  const writes = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:DescribeTable'];
  const { access, partitions, indexes: onlyIndexes, attributes } = grant;
  const actions = onlyIndexes
    ? ['dynamodb:Query']
    : attributes
      ? ['dynamodb:UpdateItem']
      : access === 'read'
        ? reads
        : access === 'write'
          ? writes
          : [...new Set([...reads, ...writes])];
  const indexArn = (name: string) => `${table.tableArn}/index/${name}`;
  const resources = onlyIndexes
    ? onlyIndexes.map(indexArn)
    : attributes
      ? [table.tableArn]
      : [table.tableArn, ...(def.globalSecondaryIndexes ?? []).map((i) => indexArn(i.indexName))];
  const leadingKeys: Record<string, Record<string, unknown>> = partitions
    ? partitions.some((p) => p.includes('*'))
      ? { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [...partitions] } }
      : { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [...partitions] } }
    : {};
  const onlyAttributes: Record<string, Record<string, unknown>> = attributes
    ? {
        'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...attributes] },
        StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] },
      }
    : {};
  const conditions = mergeConditions(leadingKeys, onlyAttributes);
  const items = new iam.PolicyStatement({
    actions,
    resources,
    conditions: Object.keys(conditions).length > 0 ? conditions : undefined,
  });
  const key = keyStatement(table.encryptionKey, access);
  return key ? [items, key] : [items];
}

/** IAM conditions with the same operator merged key by key. */
function mergeConditions(...all: Record<string, Record<string, unknown>>[]): Record<string, Record<string, unknown>> {
  const merged: Record<string, Record<string, unknown>> = {};
  for (const conditions of all) {
    for (const [operator, keys] of Object.entries(conditions)) merged[operator] = { ...merged[operator], ...keys };
  }
  return merged;
}

function keyStatement(key: kms.IKey | undefined, access: Access): iam.PolicyStatement | undefined {
  if (!key) return undefined;
  const actions = [
    'kms:DescribeKey',
    ...(access !== 'write' ? ['kms:Decrypt'] : []),
    ...(access !== 'read' ? ['kms:Encrypt', 'kms:GenerateDataKey', 'kms:Decrypt'] : []),
  ];
  return new iam.PolicyStatement({ actions: [...new Set(actions)], resources: [key.keyArn] });
}

/** The shortest CloudWatch Logs retention that keeps logs at least `days`. */
export function retentionFor(days: number): logs.RetentionDays {
  const allowed = Object.values(logs.RetentionDays).filter((v): v is number => typeof v === 'number');
  const match = allowed.sort((a, b) => a - b).find((v) => v >= days);
  return (match ?? logs.RetentionDays.INFINITE) as logs.RetentionDays;
}
