import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { dynamoRateReader } from '../adapters/aws/dynamodb-rate-reader';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { parseApiKeyOwners, withHttp } from '../shared/http';
import { observability } from '../shared/observability';
import { rateOperations } from '../use-cases/rate-queries';

const config = loadConfig('rates-api', { ratesTable: ENV.ratesTable, apiTable: ENV.apiTable, partnerApiKeys: ENV.partnerApiKeys });
const { logger, tracer } = observability('rates-api');
const dynamodb = tracer.captureAWSv3Client(dynamoDocumentClient());
const deps = {
  rates: dynamoRateReader(dynamodb, config.ratesTable),
  currencies: dynamoCurrencyStore(dynamodb, config.apiTable),
};

/** GET /v1/rates/latest, /v1/rates/history and /v1/convert. */
export const handler = withHttp(rateOperations, deps, { logger, apiKeys: parseApiKeyOwners(config.partnerApiKeys) });
