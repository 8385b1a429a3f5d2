import { deliveriesToOutwait, type RateWait } from '../../lambdas/domain/rate-settlement';
import { ALERTS_TABLE } from '../../lambdas/shared/alerts-table';
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
  /** A change stream with these images (consumers: functions with a `streamTrigger` on the table). */
  readonly stream?: 'NEW_IMAGE' | 'NEW_AND_OLD_IMAGES' | 'KEYS_ONLY' | 'OLD_IMAGE';
  readonly globalSecondaryIndexes?: readonly {
    readonly indexName: string;
    readonly partitionKey: KeyDefinition;
    readonly sortKey?: KeyDefinition;
  }[];
}

export const TABLES = {
  /** Rate history per pair and as-of time, and the latest rate per pair. */
  rates: {
    id: 'RatesTable',
    envVar: ENV.ratesTable,
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    /** Stored publications flow to the data lake through it (export-rates). */
    stream: 'NEW_IMAGE',
  },
  /** Enriched partner transactions, one item per transaction_id; a customer's history by hash. */
  transactions: {
    id: 'TransactionsTable',
    envVar: ENV.transactionsTable,
    partitionKey: { name: 'transaction_id', type: 'S' },
    /** Stored transactions flow to the data lake through it (export-transactions). */
    stream: 'NEW_IMAGE',
    globalSecondaryIndexes: [
      {
        indexName: 'byUser',
        partitionKey: { name: 'user_id_hash', type: 'S' },
        sortKey: { name: 'timestamp', type: 'S' },
      },
    ],
  },
  /** Partner API state: supported currencies, conversions per partner, idempotency records. */
  api: {
    id: 'ApiTable',
    envVar: ENV.apiTable,
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    /** Idempotency records expire; conversions and currencies carry no expiresAt and stay. */
    timeToLiveAttribute: 'expiresAt',
    /** New conversions flow to the data lake through it (export-conversions). */
    stream: 'NEW_IMAGE',
  },
  /**
   * Rate alert rules (one partition per partner), the pairs they watch, the high-value digest's
   * windows; two sparse indexes by pair and condition (layout in lambdas/shared/alerts-table.ts).
   */
  alerts: {
    id: 'AlertsTable',
    envVar: ENV.alertsTable,
    partitionKey: { name: 'pk', type: 'S' },
    sortKey: { name: 'sk', type: 'S' },
    /** Idempotency records and the digest's items expire; rules carry no expiresAt and stay. */
    timeToLiveAttribute: 'expiresAt',
    globalSecondaryIndexes: [
      {
        indexName: ALERTS_TABLE.indexes.armed,
        partitionKey: { name: 'armedKey', type: 'S' },
        sortKey: { name: 'armedThreshold', type: 'N' },
      },
      {
        indexName: ALERTS_TABLE.indexes.waiting,
        partitionKey: { name: 'waitingKey', type: 'S' },
        sortKey: { name: 'rearmLevel', type: 'N' },
      },
    ],
  },
  /** Small operational state: feed cursors, idempotency records, the warehouse load watermarks. */
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
   * Messages carry personal data (a partner's user id, raw or hashed): the queue and its DLQ are
   * encrypted with a customer-managed key that only their producers and consumers may use.
   */
  readonly personalData: boolean;
  /**
   * Visibility timeout. For a queue with a consumer it is derived from the consumer's timeout
   * (AWS recommends at least 6x), so it is set in FUNCTIONS, not here.
   */
  readonly visibilityTimeoutSeconds?: number;
}

/**
 * How long process-transactions lets a transaction wait for the rate in force at its timestamp
 * to be settled (the ECB publishes around 16:00 Berlin and is fetched minutes later; the
 * simulated tick is stored seconds after it happens): it looks again after 15 s, then after as
 * long as it has waited (at most 5 minutes), for up to 30 minutes. Then it uses the rate if its
 * source is within its staleness window, or retries and dead-letters it as RATE_STALE.
 */
export const RATE_WAIT: RateWait = { retryAfterSeconds: 15, maxRetryAfterSeconds: 300, maxWaitSeconds: 1800 };

/** Deliveries a message may fail for other reasons (a store that is down) besides waiting for its rate. */
const FAILED_DELIVERIES = 5;

export const QUEUES = {
  // AWS guidance for SQS event sources: at least 5 receives, so throttling alone cannot dead-letter.
  rates: { id: 'RatesQueue', envVar: ENV.ratesQueue, maxReceiveCount: 5, retentionDays: 4, personalData: false },
  /** Transactions as the feed sent them: raw user_id. */
  transactions: {
    id: 'TransactionsQueue',
    envVar: ENV.transactionsQueue,
    // Waiting for a settled rate takes deliveries too (each look fails the message on purpose).
    maxReceiveCount: deliveriesToOutwait(RATE_WAIT) + FAILED_DELIVERIES,
    retentionDays: 4,
    personalData: true,
  },
  /** High-value transaction events; collect-high-value-transactions puts them in the digest's windows. */
  highValueTransactions: {
    id: 'HighValueTransactionsQueue',
    envVar: ENV.highValueQueue,
    maxReceiveCount: 5,
    // Shorter than the DLQ's 14 days: SQS keeps the original enqueue time when it dead-letters.
    retentionDays: 7,
    visibilityTimeoutSeconds: 60,
    // Enriched transactions: user_id_hash, merchant, country, amounts.
    personalData: true,
  },
  /** Rate-series moves; evaluate-alerts checks each against the alert rules it crosses. */
  rateChanges: {
    id: 'RateChangesQueue',
    envVar: ENV.rateChangesQueue,
    maxReceiveCount: 5,
    retentionDays: 7,
    visibilityTimeoutSeconds: 60,
    personalData: false,
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

export interface SecretDefinition {
  readonly id: string;
  /** Variable that carries the secret's ARN (AWS) or name (local) to a function. */
  readonly envVar: string;
  readonly description: string;
  /** Generated at deploy (and at first local start); never typed by hand. */
  readonly generatedLength: number;
}

export const SECRETS = {
  piiHmacKey: {
    id: 'PiiHmacKey',
    envVar: ENV.piiHmacKeySecret,
    description: 'HMAC-SHA256 key that pseudonymises partner user ids (user_id_hash)',
    generatedLength: 64,
  },
} as const satisfies Record<string, SecretDefinition>;

export type SecretKey = keyof typeof SECRETS;

export { LAKE_PREFIXES } from '../../lambdas/shared/lake-prefixes';
