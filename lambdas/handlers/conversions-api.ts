import middy from '@middy/core';
import { dynamoConversionStore, partnerTableOf } from '../adapters/aws/dynamodb-conversion-store';
import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { partnerScopedTables } from '../adapters/aws/partner-scoped-dynamodb';
import { dynamoClient, dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { parseApiKeyOwners, withHttp } from '../shared/http';
import { correlationIds, remainingTimeOfInvocation, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { rateSourcesFromEnv } from '../shared/rate-sources';
import { conversionOperations } from '../use-cases/conversions';

const config = loadConfig('conversions-api', { apiTable: ENV.apiTable, partnerApiKeys: ENV.partnerApiKeys });
const tools = observability('conversions-api');
const dynamodb = traced(tools, dynamoDocumentClient());
// In AWS a partner's conversions are reached only through the partner data role, assumed per
// caller: this function's own role cannot touch them. Locally (no IAM) the variable is unset.
const partnerRoleArn = process.env[ENV.partnerDataRole];
const partnerTables = partnerRoleArn
  ? partnerScopedTables({ roleArn: partnerRoleArn, wrap: (client) => traced(tools, client) })
  : partnerTableOf(traced(tools, dynamoClient()));
const deps = {
  ...rateSourcesFromEnv('conversions-api', dynamodb),
  currencies: dynamoCurrencyStore(dynamodb, config.apiTable),
  conversions: dynamoConversionStore(partnerTables, config.apiTable, { remainingTimeMs: remainingTimeOfInvocation }),
};
const http = withHttp(conversionOperations, deps, { ...tools, apiKeys: parseApiKeyOwners(config.partnerApiKeys) });

/** POST and GET /v1/conversions, GET /v1/conversions/{id}. */
export const handler = withPowertools(middy(http), tools, { correlationId: correlationIds.apiGateway });
