import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { dynamoAlertIndex } from '../adapters/aws/dynamodb-alert-index';
import { dynamoWatchedPairs } from '../adapters/aws/dynamodb-alert-rules';
import { sesEmailSender } from '../adapters/aws/ses-email-sender';
import { EMAIL_SETTINGS } from '../shared/alert-settings';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig, parseJsonEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { correlationIds, remainingTimeOfInvocation, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { rateSourcesFromEnv } from '../shared/rate-sources';
import { sesClient } from '../shared/ses-client';
import { sqsBatchHandler } from '../shared/sqs-batch';
import { evaluateRateChange, parseRateChange, type WatchedPair } from '../use-cases/evaluate-alerts';

const config = loadConfig('evaluate-alerts', { table: ENV.alertsTable, email: ENV.emailSettings });
const email = parseJsonEnv(ENV.emailSettings, config.email, EMAIL_SETTINGS);
const tools = observability('evaluate-alerts');
const { logger, metrics } = tools;
const dynamodb = traced(tools, dynamoDocumentClient());
const watched = dynamoWatchedPairs(dynamodb, config.table);
/** A claim outlives the invocation that takes it by this much (Lambda stops it at its timeout). */
const CLAIM_MARGIN_MS = 30_000;
const deps = {
  rates: rateSourcesFromEnv('evaluate-alerts', dynamodb),
  index: dynamoAlertIndex(dynamodb, config.table),
  email: sesEmailSender(traced(tools, sesClient(email.region)), email),
  get claimMs() {
    return (remainingTimeOfInvocation() ?? 60_000) + CLAIM_MARGIN_MS;
  },
  apiBaseUrl: process.env[ENV.apiBaseUrl],
};

/** The watched pairs, read once per batch. */
let pairs: readonly WatchedPair[] = [];

const evaluateMessage = sqsBatchHandler(logger, async (body) => {
  const event = parseRateChange(body);
  const result = await evaluateRateChange(deps, event, pairs);
  metrics.addMetric('RuleItemsRead', MetricUnit.Count, result.rulesRead);
  metrics.addMetric('AlertsFired', MetricUnit.Count, result.fired);
  metrics.addMetric('AlertEmailsSent', MetricUnit.Count, result.emailed);
  metrics.addMetric('AlertEmailsRefused', MetricUnit.Count, result.refused);
  metrics.addMetric('AlertsRearmed', MetricUnit.Count, result.rearmed);
  logger.info('rate change evaluated', { eventId: event.eventId, pairs: pairs.length, ...result });
  return result;
});

/** Oldest move first: a batch holding a crossing and the move back evaluates them in order. */
const inForce = (record: SQSRecord): string => {
  try {
    return String((JSON.parse(record.body) as { current?: { inForceFrom?: unknown } }).current?.inForceFrom ?? '');
  } catch {
    return '';
  }
};

async function evaluateBatch(event: SQSEvent, context: Context) {
  pairs = await watched.list();
  const records = [...event.Records].sort((a, b) => (inForce(a) < inForce(b) ? -1 : inForce(a) > inForce(b) ? 1 : 0));
  return evaluateMessage({ ...event, Records: records }, context);
}

/** The rate-changes queue's consumer: each move against the rules it crosses; partial batch failures. */
export const handler = withPowertools(middy(evaluateBatch), tools, { correlationId: correlationIds.sqs });
