import middy from '@middy/core';
import { dynamoConversionStore } from '../adapters/aws/dynamodb-conversion-store';
import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { parseApiKeyOwners, withHttp } from '../shared/http';
import { correlationIds, remainingTimeOfInvocation, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { partnerTablesFromEnv } from '../shared/partner-tables';
import { rateSourcesFromEnv } from '../shared/rate-sources';
import { conversionOperations } from '../use-cases/conversions';

const config = loadConfig('conversions-api', { apiTable: ENV.apiTable, partnerApiKeys: ENV.partnerApiKeys });
const tools = observability('conversions-api');
const dynamodb = traced(tools, dynamoDocumentClient());
// A partner's conversions only through the partner data role: this function's own role cannot touch them.
const partnerTables = partnerTablesFromEnv(tools);
const deps = {
  ...rateSourcesFromEnv('conversions-api', dynamodb),
  currencies: dynamoCurrencyStore(dynamodb, config.apiTable),
  conversions: dynamoConversionStore(partnerTables, config.apiTable, { remainingTimeMs: remainingTimeOfInvocation }),
};
const http = withHttp(conversionOperations, deps, { ...tools, apiKeys: parseApiKeyOwners(config.partnerApiKeys) });

/** POST and GET /v1/conversions, GET /v1/conversions/{id}. */
export const handler = withPowertools(middy(http), tools, { correlationId: correlationIds.apiGateway });
