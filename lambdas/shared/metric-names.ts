/**
 * The platform's own CloudWatch metrics (namespace FxPlatform; every one carries the dimension
 * `service` = the function name): the names the handlers publish and the dashboard and alarms read.
 */
export const METRICS = {
  /** fetch-rates, per `provider`: rates in the fetched snapshot. */
  ratesFetched: 'RatesFetched',
  /** fetch-rates, per `provider`: a fetch that failed after its retries. */
  providerFailures: 'ProviderFailures',
  /** fetch-rates, per `provider`: minutes since the newest publication's as-of time. */
  newestRateAgeMinutes: 'NewestRateAgeMinutes',
  /** fetch-rates, per `provider`: publications missing by the provider's calendar (0 = fresh). */
  ratePublicationsMissed: 'RatePublicationsMissed',
  /** process-rates: rates stored. */
  ratesStored: 'RatesStored',
  /** process-transactions: transactions stored. */
  transactionsStored: 'TransactionsStored',
  /** fetch-transactions (per `feed`) and process-transactions: records quarantined. */
  transactionsQuarantined: 'TransactionsQuarantined',
  /** fetch-transactions, per `feed`: transactions read from the feed. */
  transactionsFetched: 'TransactionsFetched',
} as const;

/** The dimension Powertools adds to every metric of a function. */
export const SERVICE_DIMENSION = 'service';
