import middy from '@middy/core';
import { dynamoAlertRuleStore, dynamoWatchedPairs } from '../adapters/aws/dynamodb-alert-rules';
import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { ALERT_RULE_SETTINGS } from '../shared/alert-settings';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig, parseJsonEnv } from '../shared/config';
import { ENV } from '../shared/env-names';
import { parseApiKeyOwners, withHttp } from '../shared/http';
import { correlationIds, remainingTimeOfInvocation, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { partnerTablesFromEnv } from '../shared/partner-tables';
import { rateSourcesFromEnv } from '../shared/rate-sources';
import { alertRuleOperations } from '../use-cases/alert-rules';

const config = loadConfig('alerts-api', {
  alertsTable: ENV.alertsTable,
  apiTable: ENV.apiTable,
  partnerApiKeys: ENV.partnerApiKeys,
  rules: ENV.alertRules,
});
const settings = parseJsonEnv(ENV.alertRules, config.rules, ALERT_RULE_SETTINGS);
const tools = observability('alerts-api');
const dynamodb = traced(tools, dynamoDocumentClient());
// A partner's rules only through the partner data role: this function's own role reaches the
// watched-pairs registry and nothing of any partner.
const partnerTables = partnerTablesFromEnv(tools);
const deps = {
  ...rateSourcesFromEnv('alerts-api', dynamodb),
  currencies: dynamoCurrencyStore(dynamodb, config.apiTable),
  rules: dynamoAlertRuleStore(partnerTables, config.alertsTable, {
    maxRulesPerPartner: settings.maxRulesPerPartner,
    remainingTimeMs: remainingTimeOfInvocation,
  }),
  watched: dynamoWatchedPairs(dynamodb, config.alertsTable),
  defaultHysteresisPercent: settings.defaultHysteresisPercent,
};
const http = withHttp(alertRuleOperations, deps, { ...tools, apiKeys: parseApiKeyOwners(config.partnerApiKeys) });

/** POST and GET /v1/alerts, GET, PATCH and DELETE /v1/alerts/{id}. */
export const handler = withPowertools(middy(http), tools, { correlationId: correlationIds.apiGateway });
