/**
 * Environment variable names shared by the CDK stacks (which set them), the local platform
 * (which sets them for each function worker) and the handlers (which read them).
 */
export const ENV = {
  ratesTable: 'RATES_TABLE_NAME',
  stateTable: 'STATE_TABLE_NAME',
  dataLakeBucket: 'DATA_LAKE_BUCKET_NAME',
  ratesQueue: 'RATES_QUEUE_URL',
  rateChangesQueue: 'RATE_CHANGES_QUEUE_URL',
  rateProviders: 'RATE_PROVIDERS_JSON',
  /** The stage's source policy (lib/config/stage-config.ts `rates.policy`), JSON. */
  ratePolicy: 'RATE_POLICY_JSON',
  /** How process-transactions waits for a settled rate: { retryAfterSeconds, maxWaitSeconds }, JSON. */
  rateWait: 'RATE_WAIT_JSON',
  transactionsTable: 'TRANSACTIONS_TABLE_NAME',
  transactionsQueue: 'TRANSACTIONS_QUEUE_URL',
  highValueQueue: 'HIGH_VALUE_TRANSACTIONS_QUEUE_URL',
  transactionFeeds: 'TRANSACTION_FEEDS_JSON',
  transactionRules: 'TRANSACTION_RULES_JSON',
  piiHmacKeySecret: 'PII_HMAC_KEY_SECRET_ID',
  apiTable: 'API_TABLE_NAME',
  /** JSON `{ "<app client id>": "<API key id>" }`: the key each partner must call with. */
  partnerApiKeys: 'PARTNER_API_KEYS_JSON',
  /** The role the conversions API assumes, tagged with the caller's client id (AWS only). */
  partnerDataRole: 'PARTNER_DATA_ROLE_ARN',
  /** IAM role Redshift assumes to COPY the curated Parquet (load-warehouse). */
  warehouseCopyRole: 'WAREHOUSE_COPY_ROLE_ARN',
  /** Rate alert rules, the watched pairs and the high-value digest's windows. */
  alertsTable: 'ALERTS_TABLE_NAME',
  /** alerts-api: `{ maxRulesPerPartner, defaultHysteresisPercent }` (stage config `alerts`), JSON. */
  alertRules: 'ALERT_RULES_JSON',
  /** Functions that e-mail: `{ sender, configurationSet, region?, templates }`, JSON. */
  emailSettings: 'EMAIL_SETTINGS_JSON',
  /** The digest's `{ recipients, windowMinutes }` (stage config `alerts.highValueDigest`), JSON. */
  highValueDigest: 'HIGH_VALUE_DIGEST_JSON',
  stage: 'STAGE',
  /** api-docs (the OpenAPI `servers`) and evaluate-alerts (links in e-mails): the API's base URL (the stage URL; locally the gateway's). */
  apiBaseUrl: 'API_BASE_URL',
  /** api-docs: the OAuth2 token endpoint (the Cognito domain's; locally the token service's). */
  apiTokenUrl: 'API_TOKEN_URL',
  /** api-docs: where the OpenAPI document and Swagger UI's files are. @default $LAMBDA_TASK_ROOT/api-docs */
  apiDocsDir: 'API_DOCS_DIR',
} as const;

export type EnvName = (typeof ENV)[keyof typeof ENV];
