/**
 * The platform's own CloudWatch metrics (namespace FxPlatform; every one carries the dimension
 * `service` = the function name): the names the handlers publish and the dashboard and alarms read.
 */
export const METRICS = {
  /** fetch-rates, per `provider`: rates in the fetched snapshot. */
  ratesFetched: 'RatesFetched',
  /** fetch-rates, per `provider`: a provider call retried. */
  providerRetries: 'ProviderRetries',
  /** fetch-rates, per `provider`: a fetch that failed after its retries. */
  providerFailures: 'ProviderFailures',
  /** fetch-rates, per `provider`: whole minutes since the fetched publication came into force. */
  newestRateAgeMinutes: 'NewestRateAgeMinutes',
  /** fetch-rates, per TARGET-daily `provider`: business days' publications due and not come (0 = fresh). */
  ratePublicationsMissed: 'RatePublicationsMissed',
  /** fetch-rates and process-rates (service dimension only): snapshots refused (future-dated, malformed). */
  rateSnapshotsRejected: 'RateSnapshotsRejected',
  /** process-rates: rates stored. */
  ratesStored: 'RatesStored',
  /** process-rates: rate changes published for the alerts. */
  rateChanges: 'RateChanges',
  /** export-rates: publications written to the curated lake. */
  ratesExported: 'RatesExported',
  /** process-transactions: transactions stored. */
  transactionsStored: 'TransactionsStored',
  /** export-transactions: transactions written to the curated lake. */
  transactionsExported: 'TransactionsExported',
  /** process-transactions: high-value transactions notified. */
  highValueTransactions: 'HighValueTransactions',
  /** fetch-transactions (per `feed`) and process-transactions: records quarantined. */
  transactionsQuarantined: 'TransactionsQuarantined',
  /** fetch-transactions, per `feed`: transactions read from the feed. */
  transactionsFetched: 'TransactionsFetched',
  /** fetch-transactions, per `feed`: a feed call retried. */
  feedRetries: 'FeedRetries',
  /** fetch-transactions, per `feed`: a fetch that failed after its retries. */
  feedFailures: 'FeedFailures',
  /** fetch-transactions, per `feed`: a feed moved to another URL, read from its beginning. */
  feedCursorResets: 'FeedCursorResets',
  /** API functions, per `route`: one per request. */
  requests: 'Requests',
  /** API functions, per `route`: the request's time in the function (ms). */
  latency: 'Latency',
  /** API functions, per `route`: 1 for a 4xx answer, else 0. */
  clientErrors: 'ClientErrors',
  /** API functions, per `route`: 1 for a 5xx answer, else 0. */
  serverErrors: 'ServerErrors',
} as const;

/** The dimension Powertools adds to every metric of a function. */
export const SERVICE_DIMENSION = 'service';

/** The API functions' per-route dimension: `GET /v1/convert`, or `UNMATCHED`. */
export const ROUTE_DIMENSION = 'route';
