/** Stack names and the outputs tools read from a deployed stage (backfill, operators' scripts). */
export function stackNames(stage: string): { stateful: string; stateless: string } {
  return { stateful: `Fx-${stage}-Stateful`, stateless: `Fx-${stage}-Stateless` };
}

export const STACK_OUTPUTS = {
  dataLakeBucket: 'DataLakeBucketName',
  ratesQueueUrl: 'RatesQueueUrl',
  transactionsQueueUrl: 'TransactionsQueueUrl',
} as const;
