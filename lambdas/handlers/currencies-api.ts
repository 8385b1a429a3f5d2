import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { parseApiKeyOwners, withHttp } from '../shared/http';
import { observability } from '../shared/observability';
import { currencyOperations } from '../use-cases/currencies';

const config = loadConfig('currencies-api', { apiTable: ENV.apiTable, partnerApiKeys: ENV.partnerApiKeys });
const { logger, tracer } = observability('currencies-api');
const dynamodb = tracer.captureAWSv3Client(dynamoDocumentClient());

/** GET /v1/currencies, PUT and DELETE /v1/currencies/{code}. */
export const handler = withHttp(currencyOperations, { currencies: dynamoCurrencyStore(dynamodb, config.apiTable) }, { logger, apiKeys: parseApiKeyOwners(config.partnerApiKeys) });
