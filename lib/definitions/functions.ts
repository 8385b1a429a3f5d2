import { API_TABLE_PARTITIONS } from '../../lambdas/shared/api-table-keys';
import { CONVERSION_INSERT_FILTER } from '../../lambdas/adapters/aws/dynamodb-conversion-stream';
import { LAKE_PREFIXES, QUEUES, type BucketKey, type QueueDefinition, type QueueKey, type SecretKey, type TableKey } from './resources';

export type Access = 'read' | 'write' | 'readwrite';

/** Access to a table, optionally limited to items whose partition key is one of `partitions`. */
export interface TableGrant {
  readonly access: Access;
  /** IAM `dynamodb:LeadingKeys`: only these partition keys. @default every item */
  readonly partitions?: readonly string[];
}

export const tableGrant = (grant: Access | TableGrant): TableGrant =>
  typeof grant === 'string' ? { access: grant } : grant;

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
  readonly tables?: Partial<Record<TableKey, Access | TableGrant>>;
  /**
   * The calling partner's own partition of the API table (`PARTNER#<client id>`: conversions,
   * idempotency records), reached only with credentials of a role assumed per request with the
   * session tag `client_id`, whose policy allows that one partition: a bug that builds another
   * partner's key is refused by IAM.
   */
  readonly partnerPartition?: Access;
  /** Queues the function sends to (it gets their URL and send permission). */
  readonly sendsTo?: readonly QueueKey[];
  /** Object access per bucket, limited to key prefixes. */
  readonly buckets?: Partial<Record<BucketKey, { readonly access: Access; readonly prefixes: readonly string[] }>>;
  /** Secrets the function reads (it gets their id and read permission). */
  readonly secrets?: readonly SecretKey[];
  readonly sqsTrigger?: SqsTrigger;
  readonly streamTrigger?: StreamTrigger;
  /** Runs on the stage's schedules: one per rate source, or one per transaction feed. */
  readonly scheduledBy?: 'rateSources' | 'transactionFeeds';
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
    description: 'Stores rate snapshots exactly in DynamoDB and curated Parquet, emits rate changes',
    timeoutSeconds: 30,
    memorySize: 512,
    tables: { rates: 'readwrite' },
    sendsTo: ['rateChanges'],
    buckets: { dataLake: { access: 'write', prefixes: [LAKE_PREFIXES.curatedRates] } },
    sqsTrigger: { queue: 'rates', batchSize: 10, maxBatchingWindowSeconds: 5 },
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
    description: 'Validates, enriches and categorizes transactions into DynamoDB and curated Parquet',
    timeoutSeconds: 60,
    memorySize: 512,
    tables: { transactions: 'readwrite', rates: 'read' },
    secrets: ['piiHmacKey'],
    sendsTo: ['highValueTransactions'],
    buckets: {
      dataLake: {
        access: 'write',
        prefixes: [LAKE_PREFIXES.curatedTransactions, LAKE_PREFIXES.quarantineTransactions],
      },
    },
    sqsTrigger: { queue: 'transactions', batchSize: 100, maxBatchingWindowSeconds: 5 },
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

/** AWS guidance: a queue's visibility timeout is at least six times its consumer's timeout. */
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
    ? consumer.timeoutSeconds * VISIBILITY_TIMEOUT_FACTOR
    : (own.visibilityTimeoutSeconds ?? 30);
}
