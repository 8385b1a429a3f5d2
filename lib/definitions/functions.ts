import { ALERTS_TABLE, EVALUATOR_ATTRIBUTES } from '../../lambdas/shared/alerts-table';
import { API_TABLE_PARTITIONS } from '../../lambdas/shared/api-table-keys';
import { CONVERSION_INSERT_FILTER } from '../../lambdas/adapters/aws/dynamodb-conversion-stream';
import { RATE_HISTORY_FILTER } from '../../lambdas/adapters/aws/dynamodb-rate-stream';
import { TRANSACTION_WRITE_FILTER } from '../../lambdas/adapters/aws/dynamodb-transaction-stream';
import { LAKE_PREFIXES, QUEUES, type BucketKey, type QueueDefinition, type QueueKey, type SecretKey, type TableKey } from './resources';

export type Access = 'read' | 'write' | 'readwrite';

/** Access to a table, optionally limited to items whose partition key is one of `partitions`. */
export interface TableGrant {
  readonly access: Access;
  /** IAM `dynamodb:LeadingKeys`: only these partition keys (`*` matches any characters). @default every item */
  readonly partitions?: readonly string[];
  /** Only Query on these global secondary indexes: no item of the table itself is read. */
  readonly indexes?: readonly string[];
  /** Writes are UpdateItem of these attributes only (IAM `dynamodb:Attributes`), returning none of the others. */
  readonly attributes?: readonly string[];
}

export const tableGrants = (grant: Access | TableGrant | readonly TableGrant[]): readonly TableGrant[] =>
  typeof grant === 'string' ? [{ access: grant }] : 'access' in grant ? [grant as TableGrant] : (grant as readonly TableGrant[]);

export interface SqsTrigger {
  readonly queue: QueueKey;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
}

/** A DynamoDB stream event source; failed batches are bisected, retried, then sent to an alarmed DLQ. */
export interface StreamTrigger {
  readonly table: TableKey;
  readonly batchSize: number;
  readonly maxBatchingWindowSeconds: number;
  readonly retryAttempts: number;
  /** Lambda event filter pattern; the handler must ignore what the filter would drop as well. */
  readonly filter?: Record<string, unknown>;
}

export interface FunctionDefinition {
  /** CDK construct id (PascalCase of the handler file name). */
  readonly id: string;
  /** Handler file under lambdas/handlers, exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  readonly timeoutSeconds: number;
  readonly memorySize: number;
  /** Per table, one grant or several (say, a partition to read and an index to query). */
  readonly tables?: Partial<Record<TableKey, Access | TableGrant | readonly TableGrant[]>>;
  /**
   * The calling partner's own partition of the API table (`PARTNER#<client id>`: conversions,
   * idempotency records), reached only with credentials of a role assumed per request with the
   * session tag `client_id`, whose policy allows that one partition: a bug that builds another
   * partner's key is refused by IAM.
   */
  readonly partnerPartition?: Access;
  /** The table of the partner's partition. @default 'api' */
  readonly partnerTable?: TableKey;
  /** Queues the function sends to (it gets their URL and send permission). */
  readonly sendsTo?: readonly QueueKey[];
  /** Object access per bucket, limited to key prefixes. */
  readonly buckets?: Partial<Record<BucketKey, { readonly access: Access; readonly prefixes: readonly string[] }>>;
  /** Secrets the function reads (it gets their id and read permission). */
  readonly secrets?: readonly SecretKey[];
  readonly sqsTrigger?: SqsTrigger;
  readonly streamTrigger?: StreamTrigger;
  /** Runs on the stage's schedules: one per rate source, one per transaction feed, or the digest's. */
  readonly scheduledBy?: 'rateSources' | 'transactionFeeds' | 'highValueDigest';
  /** Gets the partner API's base URL (API_BASE_URL), to link to it (e-mails). */
  readonly linksToApi?: boolean;
  /** Sends e-mail with SES: the stage's identity, configuration set and templates (EMAIL_SETTINGS_JSON). */
  readonly sendsEmail?: boolean;
  /**
   * How Lambda handles an asynchronous invocation (a schedule's) that fails: it retries
   * `retryAttempts` times (0–2, a minute then two apart), drops an event older than
   * `maxEventAgeSeconds`, and sends what is left to the function's failure DLQ (alarmed). Every
   * scheduled function needs this: a schedule's own retries and DLQ only cover failed deliveries.
   */
  readonly asyncInvoke?: {
    readonly retryAttempts: 0 | 1 | 2;
    readonly maxEventAgeSeconds: number;
    /** The failure record quotes the error, which may quote the input: encrypt it like personal data. */
    readonly failuresHoldPersonalData: boolean;
  };
  /** Ships the OpenAPI document and Swagger UI's files beside the bundle (lib/api-docs). */
  readonly shipsApiDocs?: boolean;
}

export const FUNCTIONS = {
  'fetch-rates': {
    id: 'FetchRates',
    entry: 'lambdas/handlers/fetch-rates.ts',
    description: 'Fetches one provider’s rates, stores the raw payload and queues the snapshot',
    timeoutSeconds: 60,
    memorySize: 256,
    sendsTo: ['rates'],
    buckets: { dataLake: { access: 'write', prefixes: [LAKE_PREFIXES.rawRates] } },
    scheduledBy: 'rateSources',
    // A run is idempotent (the snapshot id is provider-base-asOf): two more tries after a provider
    // outage that outlasted the in-function backoff; an hour later, newer runs have taken over.
    asyncInvoke: { retryAttempts: 2, maxEventAgeSeconds: 3600, failuresHoldPersonalData: false },
  },
  'process-rates': {
    id: 'ProcessRates',
    entry: 'lambdas/handlers/process-rates.ts',
    description: 'Stores rate snapshots exactly in DynamoDB, emits rate changes',
    timeoutSeconds: 30,
    memorySize: 512,
    tables: { rates: 'readwrite' },
    sendsTo: ['rateChanges'],
    sqsTrigger: { queue: 'rates', batchSize: 10, maxBatchingWindowSeconds: 5 },
  },
  'export-rates': {
    id: 'ExportRates',
    entry: 'lambdas/handlers/export-rates.ts',
    description: 'Writes stored rate publications from the rates table stream to curated Parquet in the data lake',
    timeoutSeconds: 60,
    memorySize: 512,
    buckets: { dataLake: { access: 'write', prefixes: [LAKE_PREFIXES.curatedRates] } },
    streamTrigger: {
      table: 'rates',
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      retryAttempts: 5,
      filter: RATE_HISTORY_FILTER,
    },
  },
  'fetch-transactions': {
    id: 'FetchTransactions',
    entry: 'lambdas/handlers/fetch-transactions.ts',
    description: 'Reads a partner feed page by page onto the transactions queue, checkpointing its cursor',
    timeoutSeconds: 120,
    memorySize: 256,
    tables: { state: 'readwrite' },
    sendsTo: ['transactions'],
    // A record no queue message can carry is quarantined by the fetcher, its user id hashed.
    buckets: { dataLake: { access: 'write', prefixes: [LAKE_PREFIXES.quarantineTransactions] } },
    secrets: ['piiHmacKey'],
    scheduledBy: 'transactionFeeds',
    // The cursor advances only after a page is queued, so a retry resumes where the run failed.
    // A feed's JSON error can quote a record, so the failure record is personal data.
    asyncInvoke: { retryAttempts: 2, maxEventAgeSeconds: 3600, failuresHoldPersonalData: true },
  },
  'process-transactions': {
    id: 'ProcessTransactions',
    entry: 'lambdas/handlers/process-transactions.ts',
    description: 'Validates, enriches and categorizes transactions into DynamoDB; quarantines bad records',
    timeoutSeconds: 60,
    memorySize: 512,
    tables: { transactions: 'readwrite', rates: 'read' },
    secrets: ['piiHmacKey'],
    sendsTo: ['highValueTransactions'],
    buckets: { dataLake: { access: 'write', prefixes: [LAKE_PREFIXES.quarantineTransactions] } },
    sqsTrigger: { queue: 'transactions', batchSize: 100, maxBatchingWindowSeconds: 5 },
  },
  'export-transactions': {
    id: 'ExportTransactions',
    entry: 'lambdas/handlers/export-transactions.ts',
    description: 'Writes stored transactions from the transactions table stream to curated Parquet in the data lake',
    timeoutSeconds: 60,
    memorySize: 512,
    buckets: { dataLake: { access: 'write', prefixes: [LAKE_PREFIXES.curatedTransactions] } },
    streamTrigger: {
      table: 'transactions',
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      retryAttempts: 5,
      filter: TRANSACTION_WRITE_FILTER,
    },
  },
  'export-conversions': {
    id: 'ExportConversions',
    entry: 'lambdas/handlers/export-conversions.ts',
    description: 'Writes new conversions from the API table stream to curated Parquet in the data lake',
    timeoutSeconds: 60,
    memorySize: 512,
    buckets: {
      dataLake: { access: 'write', prefixes: [LAKE_PREFIXES.curatedConversions, LAKE_PREFIXES.quarantineConversions] },
    },
    streamTrigger: {
      table: 'api',
      batchSize: 100,
      maxBatchingWindowSeconds: 5,
      retryAttempts: 5,
      filter: CONVERSION_INSERT_FILTER,
    },
  },
  'currencies-api': {
    id: 'CurrenciesApi',
    entry: 'lambdas/handlers/currencies-api.ts',
    description: 'Partner API: supported currencies',
    timeoutSeconds: 10,
    memorySize: 256,
    tables: { api: { access: 'readwrite', partitions: [API_TABLE_PARTITIONS.currencies] } },
  },
  'rates-api': {
    id: 'RatesApi',
    entry: 'lambdas/handlers/rates-api.ts',
    description: 'Partner API: latest and historical rates, conversion quotes',
    timeoutSeconds: 10,
    memorySize: 512,
    tables: { rates: 'read', api: { access: 'read', partitions: [API_TABLE_PARTITIONS.currencies] } },
  },
  'conversions-api': {
    id: 'ConversionsApi',
    entry: 'lambdas/handlers/conversions-api.ts',
    description: 'Partner API: idempotent conversions and their history',
    timeoutSeconds: 10,
    memorySize: 512,
    tables: { rates: 'read', api: { access: 'read', partitions: [API_TABLE_PARTITIONS.currencies] } },
    partnerPartition: 'readwrite',
  },
  'alerts-api': {
    id: 'AlertsApi',
    entry: 'lambdas/handlers/alerts-api.ts',
    description: 'Partner API: rate alert rules',
    timeoutSeconds: 10,
    memorySize: 512,
    tables: {
      rates: 'read',
      api: { access: 'read', partitions: [API_TABLE_PARTITIONS.currencies] },
      // The watched-pairs registry; a partner's rules only through the partner data role.
      alerts: { access: 'readwrite', partitions: [ALERTS_TABLE.watchedPartition] },
    },
    partnerPartition: 'readwrite',
    partnerTable: 'alerts',
  },
  'evaluate-alerts': {
    id: 'EvaluateAlerts',
    entry: 'lambdas/handlers/evaluate-alerts.ts',
    description: 'Checks each rate-series move against the alert rules it crosses and e-mails each crossing once',
    timeoutSeconds: 30,
    memorySize: 512,
    tables: {
      rates: 'read',
      alerts: [
        { access: 'read', partitions: [ALERTS_TABLE.watchedPartition] },
        // Across partners: the two sparse indexes (only the rules a move reaches), and the rules'
        // state attributes. No rule is read by its key, no partition listed, no setting written.
        { access: 'read', indexes: [ALERTS_TABLE.indexes.armed, ALERTS_TABLE.indexes.waiting] },
        { access: 'write', partitions: ['PARTNER#*'], attributes: EVALUATOR_ATTRIBUTES },
      ],
    },
    linksToApi: true,
    sendsEmail: true,
    sqsTrigger: { queue: 'rateChanges', batchSize: 10, maxBatchingWindowSeconds: 2 },
  },
  'collect-high-value-transactions': {
    id: 'CollectHighValueTransactions',
    entry: 'lambdas/handlers/collect-high-value-transactions.ts',
    description: 'Puts each high-value transaction in the open window of the operations digest',
    timeoutSeconds: 30,
    memorySize: 256,
    tables: { alerts: { access: 'readwrite', partitions: [ALERTS_TABLE.digestPartition] } },
    sqsTrigger: { queue: 'highValueTransactions', batchSize: 10, maxBatchingWindowSeconds: 5 },
  },
  'send-high-value-digest': {
    id: 'SendHighValueDigest',
    entry: 'lambdas/handlers/send-high-value-digest.ts',
    description: 'E-mails each closed window of high-value transactions once, as one digest to operations',
    timeoutSeconds: 60,
    memorySize: 256,
    tables: { alerts: { access: 'readwrite', partitions: [ALERTS_TABLE.digestPartition] } },
    sendsEmail: true,
    scheduledBy: 'highValueDigest',
    // A window's claim lapses before the next retry; the window is then sent by whichever run comes first.
    asyncInvoke: { retryAttempts: 2, maxEventAgeSeconds: 3600, failuresHoldPersonalData: false },
  },
  'api-docs': {
    id: 'ApiDocs',
    entry: 'lambdas/handlers/api-docs.ts',
    description: 'Partner API: OpenAPI document and docs page (Swagger UI)',
    timeoutSeconds: 5,
    memorySize: 256,
    shipsApiDocs: true,
  },
} as const satisfies Record<string, FunctionDefinition>;

export type FunctionName = keyof typeof FUNCTIONS;

/** The functions an SQS queue triggers. */
export type SqsConsumerName = {
  [K in FunctionName]: (typeof FUNCTIONS)[K] extends { readonly sqsTrigger: SqsTrigger } ? K : never;
}[FunctionName];

/**
 * AWS guidance: a queue's visibility timeout is at least six times its consumer's timeout plus
 * the trigger's batching window (a batch gathered for the whole window must outlive its retries).
 */
export const VISIBILITY_TIMEOUT_FACTOR = 6;

export function consumerOf(queue: QueueKey): FunctionDefinition | undefined {
  return Object.values(FUNCTIONS as Record<string, FunctionDefinition>).find(
    (fn) => fn.sqsTrigger?.queue === queue,
  );
}

export function visibilityTimeoutSeconds(queue: QueueKey): number {
  const consumer = consumerOf(queue);
  const own: QueueDefinition = QUEUES[queue];
  return consumer
    ? consumer.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR + (consumer.sqsTrigger?.maxBatchingWindowSeconds ?? 0)
    : (own.visibilityTimeoutSeconds ?? 30);
}
