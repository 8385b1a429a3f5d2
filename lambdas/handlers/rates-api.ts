import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { parseApiKeyOwners, withHttp } from '../shared/http';
import { observability } from '../shared/observability';
import { rateSourcesFromEnv } from '../shared/rate-sources';
import { rateOperations } from '../use-cases/rate-queries';

const config = loadConfig('rates-api', { apiTable: ENV.apiTable, partnerApiKeys: ENV.partnerApiKeys });
const { logger, tracer } = observability('rates-api');
const dynamodb = tracer.captureAWSv3Client(dynamoDocumentClient());
const deps = {
  ...rateSourcesFromEnv('rates-api', dynamodb),
  currencies: dynamoCurrencyStore(dynamodb, config.apiTable),
};

/** GET /v1/rates/latest, /v1/rates/history and /v1/convert. */
export const handler = withHttp(rateOperations, deps, { logger, apiKeys: parseApiKeyOwners(config.partnerApiKeys) });
