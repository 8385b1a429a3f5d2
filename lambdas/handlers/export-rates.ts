import middy from '@middy/core';
import { rateHistoryChange } from '../adapters/aws/dynamodb-rate-stream';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import { curatedRatesParquet } from '../adapters/parquet/curated-rates';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { METRICS } from '../shared/metric-names';
import { observability, traced } from '../shared/observability';
import { s3 } from '../shared/s3-client';
import { streamExport } from '../shared/stream-export';
import { exportRates } from '../use-cases/export-rates';

const config = loadConfig('export-rates', { bucket: ENV.dataLakeBucket });
const tools = observability('export-rates');
const deps = {
  lake: s3ObjectStore(traced(tools, s3()), config.bucket),
  curatedPrefix: LAKE_PREFIXES.curatedRates,
  toCurated: curatedRatesParquet,
};

/** One batch of the rates table's stream: each stored publication becomes curated Parquet in the lake. */
const exportBatch = streamExport(tools, {
  noun: 'publications',
  change: rateHistoryChange,
  run: (changes) => exportRates(deps, changes),
  metrics: (result) => ({ [METRICS.ratesExported]: result.exported }),
});

/** The rates table stream's consumer (filtered to history items), partial batch failures. */
export const handler = withPowertools(middy(exportBatch), tools, { correlationId: correlationIds.dynamodbStream });
