import { dynamoConversionStore } from '../adapters/aws/dynamodb-conversion-store';
import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { withHttp } from '../shared/http';
import { observability } from '../shared/observability';
import { rateSourcesFromEnv } from '../shared/rate-sources';
import { conversionOperations } from '../use-cases/conversions';

const config = loadConfig('conversions-api', { apiTable: ENV.apiTable });
const { logger, tracer } = observability('conversions-api');
const dynamodb = tracer.captureAWSv3Client(dynamoDocumentClient());
const deps = {
  ...rateSourcesFromEnv('conversions-api', dynamodb),
  currencies: dynamoCurrencyStore(dynamodb, config.apiTable),
  conversions: dynamoConversionStore(dynamodb, config.apiTable),
};

/** POST and GET /v1/conversions, GET /v1/conversions/{id}. */
export const handler = withHttp(conversionOperations, deps, { logger });
