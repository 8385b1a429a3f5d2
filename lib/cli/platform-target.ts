import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { RatePolicy } from '../../lambdas/domain/rate-policy';
import { stageConfig } from '../config/stage-config';
import { QUEUES, type QueueKey } from '../definitions/resources';
import { STACK_OUTPUTS, stackNames } from '../definitions/stack-outputs';
import { runningOwner } from '../local-platform/instance-lock';
import type { EndpointsFile } from '../local-platform/platform';

/** Where an operator's command sends its work: the running local platform or a deployed stage. */
export interface PlatformTarget {
  readonly s3: S3Client;
  readonly sqs: SQSClient;
  /** Numbers read as NumberValue, like the functions' client. */
  readonly dynamodb: DynamoDBDocumentClient;
  /** The source policy the target's functions run with. */
  readonly ratePolicy: RatePolicy;
  readonly where: string;
  /** A deployed stack output (by STACK_OUTPUTS key), or the local resource it stands for. */
  readonly output: (name: string) => string;
}

export class TargetError extends Error {
  override readonly name = 'TargetError';
}

/** The local platform's state directory (`FX_LOCAL_DIR` lets tests keep theirs apart). */
export function localDir(): string {
  return process.env.FX_LOCAL_DIR ?? path.join(__dirname, '..', '..', '.local');
}

export function readLocalEndpoints(): EndpointsFile {
  try {
    return JSON.parse(readFileSync(path.join(localDir(), 'endpoints.json'), 'utf8')) as EndpointsFile;
  } catch {
    const owner = runningOwner(localDir());
    throw new TargetError(
      owner
        ? `the local platform (pid ${owner.pid}) is starting or stopping: try again in a few seconds`
        : 'the local platform is not running (no .local/endpoints.json): start it with `npm start`',
    );
  }
}

/** A deployed stage (`--stage`), or the running local platform. */
export function platformTarget(stage: string | undefined): Promise<PlatformTarget> | PlatformTarget {
  return stage ? deployedTarget(stage) : localTarget();
}

/** The local resources that stand for the deployed stacks' outputs (read when asked for). */
const LOCAL_OUTPUTS: Record<string, (e: EndpointsFile) => string | undefined> = {
  [STACK_OUTPUTS.dataLakeBucket]: (e) => e.resources.buckets?.dataLake,
  [STACK_OUTPUTS.ratesQueueUrl]: (e) => e.resources.queues?.rates?.url,
  [STACK_OUTPUTS.transactionsQueueUrl]: (e) => e.resources.queues?.transactions?.url,
  [STACK_OUTPUTS.ratesTableName]: (e) => e.resources.tables?.rates,
  [STACK_OUTPUTS.queues]: (e) =>
    JSON.stringify(Object.fromEntries(Object.entries(e.resources.queues ?? {}).map(([key, q]) => [key, { url: q.url, dlqUrl: q.dlqUrl }]))),
};

export function localTarget(): PlatformTarget {
  const endpoints = readLocalEndpoints();
  const common = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
  return {
    s3: new S3Client({ ...common, endpoint: endpoints.services.s3, forcePathStyle: true }),
    sqs: new SQSClient({ ...common, endpoint: endpoints.services.sqs, useQueueUrlAsEndpoint: false }),
    dynamodb: documentClient(new DynamoDBClient({ ...common, endpoint: endpoints.services.dynamodb })),
    ratePolicy: endpoints.ratePolicy,
    where: 'the local platform',
    output: (name) => LOCAL_OUTPUTS[name]?.(endpoints) ?? missing(name, 'the local platform'),
  };
}

/** Reads the outputs of both stacks of a deployed stage (credentials from the usual AWS chain). */
export async function deployedTarget(stage: string): Promise<PlatformTarget> {
  const cloudformation = new CloudFormationClient({});
  const outputs: Record<string, string> = {};
  for (const stackName of Object.values(stackNames(stage))) {
    const result = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    for (const o of result.Stacks?.[0]?.Outputs ?? []) if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
  }
  return {
    s3: new S3Client({}),
    sqs: new SQSClient({}),
    dynamodb: documentClient(new DynamoDBClient({})),
    ratePolicy: stageConfig(stage).rates.policy,
    where: `stage ${stage}`,
    output: (name) => outputs[name] ?? missing(name, `stage ${stage}`),
  };
}

const documentClient = (client: DynamoDBClient) => DynamoDBDocumentClient.from(client, { unmarshallOptions: { wrapNumbers: true } });

function missing(name: string, where: string): never {
  throw new TargetError(`${where} has no ${name} output: deploy it first`);
}

/** A queue of QUEUES on the target, with its DLQ (ARNs only where deployed). */
export interface TargetQueue {
  readonly label: string;
  readonly url: string;
  readonly dlqUrl: string;
  readonly arn?: string;
  readonly dlqArn?: string;
}

export function isQueueKey(name: string): name is QueueKey {
  return Object.hasOwn(QUEUES, name);
}

export function targetQueue(target: PlatformTarget, key: QueueKey): TargetQueue {
  const all = JSON.parse(target.output(STACK_OUTPUTS.queues)) as Record<string, Omit<TargetQueue, 'label'>>;
  const queue = all[key];
  if (!queue) throw new TargetError(`${target.where} has no queue ${key}: deploy the current version first`);
  return { label: key, ...queue };
}
