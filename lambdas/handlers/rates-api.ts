import middy from '@middy/core';
import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { parseApiKeyOwners, withHttp } from '../shared/http';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { rateSourcesFromEnv } from '../shared/rate-sources';
import { rateOperations } from '../use-cases/rate-queries';

const config = loadConfig('rates-api', { apiTable: ENV.apiTable, partnerApiKeys: ENV.partnerApiKeys });
const tools = observability('rates-api');
const dynamodb = traced(tools, dynamoDocumentClient());
const deps = {
  ...rateSourcesFromEnv('rates-api', dynamodb),
  currencies: dynamoCurrencyStore(dynamodb, config.apiTable),
};
const http = withHttp(rateOperations, deps, { ...tools, apiKeys: parseApiKeyOwners(config.partnerApiKeys) });

/** GET /v1/rates/latest, /v1/rates/history and /v1/convert. */
export const handler = withPowertools(middy(http), tools, { correlationId: correlationIds.apiGateway });
