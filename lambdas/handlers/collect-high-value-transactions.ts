import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dynamoDigestStore } from '../adapters/aws/dynamodb-digest-store';
import { HIGH_VALUE_DIGEST_SETTINGS } from '../shared/alert-settings';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig, parseJsonEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { sqsBatchHandler } from '../shared/sqs-batch';
import { collectHighValueTransaction } from '../use-cases/high-value-digest';

const config = loadConfig('collect-high-value-transactions', { table: ENV.alertsTable, digest: ENV.highValueDigest });
const settings = parseJsonEnv(ENV.highValueDigest, config.digest, HIGH_VALUE_DIGEST_SETTINGS);
const tools = observability('collect-high-value-transactions');
const { logger, metrics } = tools;
const deps = { digest: dynamoDigestStore(traced(tools, dynamoDocumentClient()), config.table, settings.windowMinutes) };

/** The high-value queue's consumer: each transaction into the open digest window, once. */
export const handler = withPowertools(
  middy(
    sqsBatchHandler(logger, async (body) => {
      const outcome = await collectHighValueTransaction(deps, body);
      metrics.addMetric(outcome === 'added' ? 'HighValueCollected' : 'HighValueDuplicates', MetricUnit.Count, 1);
      return outcome;
    }),
  ),
  tools,
  { correlationId: correlationIds.sqs },
);
