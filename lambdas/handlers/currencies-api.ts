import middy from '@middy/core';
import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { parseApiKeyOwners, withHttp } from '../shared/http';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { currencyOperations } from '../use-cases/currencies';

const config = loadConfig('currencies-api', { apiTable: ENV.apiTable, partnerApiKeys: ENV.partnerApiKeys });
const tools = observability('currencies-api');
const deps = { currencies: dynamoCurrencyStore(traced(tools, dynamoDocumentClient()), config.apiTable) };
const http = withHttp(currencyOperations, deps, { ...tools, apiKeys: parseApiKeyOwners(config.partnerApiKeys) });

/** GET /v1/currencies, PUT and DELETE /v1/currencies/{code}. */
export const handler = withPowertools(middy(http), tools, { correlationId: correlationIds.apiGateway });
