import middy from '@middy/core';
import { conversionChange } from '../adapters/aws/dynamodb-conversion-stream';
import { s3ObjectStore } from '../adapters/aws/s3-object-store';
import {
  curatedConversionProblem,
  curatedConversionRow,
  curatedConversionsParquet,
} from '../adapters/parquet/curated-conversions';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { LAKE_PREFIXES } from '../shared/lake-prefixes';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { s3 } from '../shared/s3-client';
import { streamExport } from '../shared/stream-export';
import { exportConversions } from '../use-cases/export-conversions';

const config = loadConfig('export-conversions', { bucket: ENV.dataLakeBucket });
const tools = observability('export-conversions');
const deps = {
  lake: s3ObjectStore(traced(tools, s3()), config.bucket),
  codec: { row: curatedConversionRow, problem: curatedConversionProblem, parquet: curatedConversionsParquet },
  curatedPrefix: LAKE_PREFIXES.curatedConversions,
  quarantinePrefix: LAKE_PREFIXES.quarantineConversions,
};

/** One batch of the API table's stream: new conversions become curated Parquet in the lake. */
const exportBatch = streamExport(tools, {
  noun: 'conversions',
  change: conversionChange,
  run: (changes) => exportConversions(deps, changes),
  metrics: (result) => ({ ConversionsExported: result.exported, ConversionsQuarantined: result.quarantined }),
});

/** The API table stream's consumer (filtered to new conversions), partial batch failures. */
export const handler = withPowertools(middy(exportBatch), tools, { correlationId: correlationIds.dynamodbStream });
