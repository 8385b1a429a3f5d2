/** Data lake key layout, shared by writers, IAM scoping, Glue tables and the local SQL stand-ins. */
export const LAKE_PREFIXES = {
  rawRates: 'raw/rates',
  curatedRates: 'curated/rates',
  curatedTransactions: 'curated/transactions',
  quarantineTransactions: 'quarantine/transactions',
  curatedConversions: 'curated/conversions',
  quarantineConversions: 'quarantine/conversions',
  /** Athena query results (the workgroup's output location). */
  athenaResults: 'athena-results',
} as const;
