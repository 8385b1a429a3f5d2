import middy from '@middy/core';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { dynamoDigestStore } from '../adapters/aws/dynamodb-digest-store';
import { sesEmailSender } from '../adapters/aws/ses-email-sender';
import { EMAIL_SETTINGS, HIGH_VALUE_DIGEST_SETTINGS } from '../shared/alert-settings';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig, parseJsonEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { correlationIds, remainingTimeOfInvocation, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { sesClient } from '../shared/ses-client';
import { sendHighValueDigests } from '../use-cases/high-value-digest';

const config = loadConfig('send-high-value-digest', { table: ENV.alertsTable, digest: ENV.highValueDigest, email: ENV.emailSettings });
const settings = parseJsonEnv(ENV.highValueDigest, config.digest, HIGH_VALUE_DIGEST_SETTINGS);
const email = parseJsonEnv(ENV.emailSettings, config.email, EMAIL_SETTINGS);
const tools = observability('send-high-value-digest');
const { logger, metrics } = tools;
const CLAIM_MARGIN_MS = 30_000;
const deps = {
  digest: dynamoDigestStore(traced(tools, dynamoDocumentClient()), config.table, settings.windowMinutes),
  email: sesEmailSender(traced(tools, sesClient(email.region)), email),
  recipients: settings.recipients,
  windowMinutes: settings.windowMinutes,
  get claimMs() {
    return (remainingTimeOfInvocation() ?? 60_000) + CLAIM_MARGIN_MS;
  },
};

/** Scheduled: e-mails every closed window of high-value transactions once, as one digest. */
async function sendDigests() {
  const result = await sendHighValueDigests(deps);
  metrics.addMetric('DigestsSent', MetricUnit.Count, result.sent.length);
  metrics.addMetric('DigestTransactions', MetricUnit.Count, result.sent.reduce((n, s) => n + s.rows, 0));
  if (result.refused.length > 0) {
    metrics.addMetric('DigestEmailsRefused', MetricUnit.Count, result.refused.length);
    logger.error('SES refused the digest e-mail: check alerts.highValueDigest.recipients', { refused: result.refused });
  }
  logger.info('digests sent', { ...result });
  return result;
}

export const handler = withPowertools(middy(sendDigests), tools, { correlationId: correlationIds.schedule });
