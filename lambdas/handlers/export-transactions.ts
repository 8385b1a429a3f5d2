import middy from '@middy/core';
import { transactionChange } from '../adapters/aws/dynamodb-transaction-stream';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import { curatedTransactionsParquet } from '../adapters/parquet/curated-transactions';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { METRICS } from '../shared/metric-names';
import { observability, traced } from '../shared/observability';
import { s3 } from '../shared/s3-client';
import { streamExport } from '../shared/stream-export';
import { exportTransactions } from '../use-cases/export-transactions';

const config = loadConfig('export-transactions', { bucket: ENV.dataLakeBucket });
const tools = observability('export-transactions');
const deps = {
  lake: s3ObjectStore(traced(tools, s3()), config.bucket),
  curatedPrefix: LAKE_PREFIXES.curatedTransactions,
  toCurated: curatedTransactionsParquet,
};

/** One batch of the transactions table's stream: stored transactions become curated Parquet in the lake. */
const exportBatch = streamExport(tools, {
  noun: 'transactions',
  change: transactionChange,
  run: (changes) => exportTransactions(deps, changes),
  metrics: (result) => ({ [METRICS.transactionsExported]: result.exported }),
});

/** The transactions table stream's consumer, partial batch failures. */
export const handler = withPowertools(middy(exportBatch), tools, { correlationId: correlationIds.dynamodbStream });
