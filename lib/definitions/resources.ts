import { ENV } from '../../lambdas/shared/env-names';

/**
 * The one definition of the platform's stateful resources. The CDK stacks build them from
 * here and the local platform creates the same things on the emulators from here.
 */

export interface KeyDefinition {
  readonly name: string;
  readonly type: 'S' | 'N';
}

export interface TableDefinition {
  /** CDK construct id; the local platform derives the physical name from it. */
  readonly id: string;
  /** Environment variable that carries the table name to a function. */
  readonly envVar: string;
  readonly partitionKey: KeyDefinition;
  readonly sortKey?: KeyDefinition;
  readonly timeToLiveAttribute?: string;
}

export const TABLES = {
  /** Rate history per pair and as-of time, and the latest rate per pair. */
  rates: {
    id: 'RatesTable',
    envVar: ENV.ratesTable,
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
  },
  /** Small operational state: feed cursors, idempotency records. */
  state: {
    id: 'StateTable',
    envVar: ENV.stateTable,
    partitionKey: { name: 'pk', type: 'S' },
    timeToLiveAttribute: 'expiresAt',
  },
} as const satisfies Record<string, TableDefinition>;

export type TableKey = keyof typeof TABLES;

export interface QueueDefinition {
  readonly id: string;
  readonly envVar: string;
  /** Receives before a message moves to the queue's DLQ. */
  readonly maxReceiveCount: number;
  readonly retentionDays: number;
  /**
   * Visibility timeout. For a queue with a consumer it is derived from the consumer's timeout
   * (AWS recommends at least 6x), so it is set in FUNCTIONS, not here.
   */
  readonly visibilityTimeoutSeconds?: number;
}

export const QUEUES = {
  rates: { id: 'RatesQueue', envVar: ENV.ratesQueue, maxReceiveCount: 3, retentionDays: 4 },
  /** Consumed by alert evaluation (a later capability); retained until then. */
  rateChanges: {
    id: 'RateChangesQueue',
    envVar: ENV.rateChangesQueue,
    maxReceiveCount: 5,
    retentionDays: 14,
    visibilityTimeoutSeconds: 60,
  },
} as const satisfies Record<string, QueueDefinition>;

export type QueueKey = keyof typeof QUEUES;

/** DLQs keep failed messages for the longest retention SQS allows, for inspection and redrive. */
export const DLQ_RETENTION_DAYS = 14;

export interface BucketDefinition {
  readonly id: string;
  readonly envVar: string;
  /** Globally unique name: account and region are appended (tokens in CDK). */
  readonly namePrefix: string;
}

export const BUCKETS = {
  dataLake: { id: 'DataLakeBucket', envVar: ENV.dataLakeBucket, namePrefix: 'fx-platform-lake' },
} as const satisfies Record<string, BucketDefinition>;

export type BucketKey = keyof typeof BUCKETS;

export { LAKE_PREFIXES } from '../../lambdas/shared/lake-prefixes';
