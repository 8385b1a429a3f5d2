import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
  type DynamoDBStreamsClient,
  type Shard,
} from '@aws-sdk/client-dynamodb-streams';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { defaultSleep as sleep } from '../../lambdas/shared/retry';
import { matchesFilter } from './event-filter';

export interface StreamPollerOptions {
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly tableName: string;
  readonly region: string;
  readonly batchSize: number;
  /** Retries of a failing batch before it is given up on (logged, as AWS sends it to the DLQ). */
  readonly retryAttempts: number;
  /** Where the last delivered sequence number of each shard is kept across restarts. */
  readonly checkpointFile: string;
  /** Lambda event filter pattern: records that do not match are skipped, as in AWS. */
  readonly filter?: Record<string, unknown>;
  readonly invoke: (event: DynamoDBStreamEvent) => Promise<unknown>;
  readonly onBatch?: (summary: { records: number; failed: number; gaveUp?: boolean; error?: string }) => void;
  /** @default 1000 */
  readonly pollIntervalMs?: number;
}

interface ShardCheckpoint {
  /** Last sequence number handed over successfully (or given up on). */
  readonly after?: string;
  /** The shard is closed and read to its end. */
  readonly done?: boolean;
}

/**
 * The local DynamoDB stream event source mapping: reads the table's stream on DynamoDB Local
 * shard by shard (parents before children), hands batches to the function as real stream
 * events, and honours `batchItemFailures` as Lambda does: the batch is retried from the first
 * failed record, up to `retryAttempts`, then given up on. What was delivered is checkpointed in
 * a file, so a restart continues where it stopped. The definition's event filter applies.
 */
export function startStreamPoller(options: StreamPollerOptions): { stop: () => Promise<void> } {
  let running = true;
  const checkpoints = readCheckpoints(options.checkpointFile);
  const attempts = new Map<string, number>();
  const loop = (async () => {
    while (running) {
      try {
        const delivered = await pollOnce(options, checkpoints, attempts, () => running);
        if (delivered === 0) await sleep(options.pollIntervalMs ?? 1000);
      } catch (error) {
        if (!running) break;
        options.onBatch?.({ records: 0, failed: 0, error: (error as Error).message });
        await sleep(options.pollIntervalMs ?? 1000);
      }
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

/** One pass over the stream's shards; returns how many records were handed over. */
async function pollOnce(
  options: StreamPollerOptions,
  checkpoints: Record<string, ShardCheckpoint>,
  attempts: Map<string, number>,
  isRunning: () => boolean,
): Promise<number> {
  const table = await options.dynamodb.send(new DescribeTableCommand({ TableName: options.tableName }));
  const streamArn = table.Table?.LatestStreamArn;
  if (!streamArn) return 0;
  const shards = (await options.streams.send(new DescribeStreamCommand({ StreamArn: streamArn }))).StreamDescription?.Shards ?? [];
  let delivered = 0;
  for (const shard of readyShards(shards, checkpoints)) {
    if (!isRunning()) break;
    const shardId = shard.ShardId!;
    const after = checkpoints[shardId]?.after;
    const { ShardIterator } = await options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(after ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: after } : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    const page = await options.streams.send(new GetRecordsCommand({ ShardIterator, Limit: options.batchSize }));
    const records = page.Records ?? [];
    if (records.length === 0) {
      if (!page.NextShardIterator) save(options.checkpointFile, checkpoints, shardId, { after, done: true });
      continue;
    }
    delivered += records.length;
    const wanted = records.filter((r) => !options.filter || matchesFilter(options.filter, lambdaRecordOf(r, streamArn, options.region)));
    const next = wanted.length === 0 ? { retry: false } : await deliver(options, streamArn, wanted, attempts.get(shardId) ?? 0);
    if (next.retry) {
      attempts.set(shardId, (attempts.get(shardId) ?? 0) + 1);
      if (next.after !== after) save(options.checkpointFile, checkpoints, shardId, { after: next.after });
    } else {
      attempts.delete(shardId);
      save(options.checkpointFile, checkpoints, shardId, { after: records.at(-1)!.dynamodb!.SequenceNumber });
    }
  }
  return delivered;
}

/** Open shards, and closed ones not read to the end, whose parent is done (or unknown). */
function readyShards(shards: readonly Shard[], checkpoints: Record<string, ShardCheckpoint>): Shard[] {
  const known = new Set(shards.map((s) => s.ShardId));
  return shards.filter(
    (s) => !checkpoints[s.ShardId!]?.done && (!s.ParentShardId || !known.has(s.ParentShardId) || checkpoints[s.ParentShardId]?.done),
  );
}

/** Hands one batch over; says from where to read next when some of it has to be retried. */
async function deliver(
  options: StreamPollerOptions,
  streamArn: string,
  records: readonly StreamRecord[],
  previousAttempts: number,
): Promise<{ retry: boolean; after?: string }> {
  const event: DynamoDBStreamEvent = { Records: records.map((r) => lambdaRecordOf(r, streamArn, options.region)) };
  let firstFailed: number;
  let error: string | undefined;
  try {
    const response = (await options.invoke(event)) as DynamoDBBatchResponse | undefined;
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    firstFailed = records.findIndex((r) => failed.has(r.dynamodb!.SequenceNumber!));
  } catch (e) {
    firstFailed = 0;
    error = (e as Error).message;
  }
  if (firstFailed < 0) {
    options.onBatch?.({ records: records.length, failed: 0 });
    return { retry: false };
  }
  const gaveUp = previousAttempts >= options.retryAttempts;
  options.onBatch?.({ records: records.length, failed: records.length - firstFailed, gaveUp, error });
  if (gaveUp) return { retry: false };
  return { retry: true, after: firstFailed === 0 ? undefined : records[firstFailed - 1].dynamodb!.SequenceNumber };
}

/** The record as Lambda's event source mapping hands it over (creation time in epoch seconds). */
function lambdaRecordOf(record: StreamRecord, streamArn: string, region: string): DynamoDBRecord {
  const created = record.dynamodb?.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord['eventName'],
    eventVersion: record.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ...(record.dynamodb as NonNullable<DynamoDBRecord['dynamodb']>),
      ApproximateCreationDateTime: created ? Math.floor(new Date(created).getTime() / 1000) : undefined,
    },
  };
}

function readCheckpoints(file: string): Record<string, ShardCheckpoint> {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, ShardCheckpoint>;
  } catch {
    return {};
  }
}

function save(file: string, checkpoints: Record<string, ShardCheckpoint>, shardId: string, checkpoint: ShardCheckpoint): void {
  checkpoints[shardId] = checkpoint;
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.tmp`, JSON.stringify(checkpoints));
  renameSync(`${file}.tmp`, file);
}
