/** Stack names and the outputs tools read from a deployed stage (backfill, operators' scripts). */
export function stackNames(stage: string): { stateful: string; stateless: string; analytics: string } {
  return { stateful: `Fx-${stage}-Stateful`, stateless: `Fx-${stage}-Stateless`, analytics: `Fx-${stage}-Analytics` };
}

export const STACK_OUTPUTS = {
  dataLakeBucket: 'DataLakeBucketName',
  /** The rates table (operators' tools read the stored series, e.g. the import's rate check). */
  ratesTableName: 'RatesTableName',
  ratesQueueUrl: 'RatesQueueUrl',
  transactionsQueueUrl: 'TransactionsQueueUrl',
  /** JSON `{ "<queue key>": { "url", "arn", "dlqUrl", "dlqArn" } }` for every queue of QUEUES (redrive, long commands). */
  queues: 'Queues',
  /** Base URL of the partner API stage (routes at `<url>v1/...`). */
  partnerApiUrl: 'PartnerApiUrl',
  /** Cognito token endpoint for the client-credentials grant. */
  partnerTokenUrl: 'PartnerTokenUrl',
  partnerUserPoolId: 'PartnerUserPoolId',
  /** JSON `{ "<partner>": { "clientId", "apiKeyId" } }`; secrets and key values stay in Cognito and API Gateway. */
  partnerClients: 'PartnerClients',
  /** Analytics: the Glue database, the Athena workgroup, the warehouse (where enabled), the analysts' IAM policy. */
  glueDatabase: 'GlueDatabaseName',
  athenaWorkgroup: 'AthenaWorkgroupName',
  warehouseWorkgroup: 'WarehouseWorkgroupName',
  warehouseDatabase: 'WarehouseDatabaseName',
  warehouseLoadStateMachine: 'WarehouseLoadStateMachineArn',
  analystPolicy: 'AnalystPolicyArn',
} as const;
