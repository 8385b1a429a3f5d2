import { dynamoConversionStore } from '../adapters/aws/dynamodb-conversion-store';
import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { partnerScopedDocumentClients } from '../adapters/aws/partner-scoped-dynamodb';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { parseApiKeyOwners, withHttp } from '../shared/http';
import { observability } from '../shared/observability';
import { rateSourcesFromEnv } from '../shared/rate-sources';
import { conversionOperations } from '../use-cases/conversions';

const config = loadConfig('conversions-api', { apiTable: ENV.apiTable, partnerApiKeys: ENV.partnerApiKeys });
const { logger, tracer } = observability('conversions-api');
const dynamodb = tracer.captureAWSv3Client(dynamoDocumentClient());
// In AWS a partner's conversions are reached only through the partner data role, assumed per
// caller: this function's own role cannot touch them. Locally (no IAM) the variable is unset.
const partnerRoleArn = process.env[ENV.partnerDataRole];
const partnerTables = partnerRoleArn
  ? partnerScopedDocumentClients({ roleArn: partnerRoleArn, wrap: (client) => tracer.captureAWSv3Client(client) })
  : dynamodb;
const deps = {
  ...rateSourcesFromEnv('conversions-api', dynamodb),
  currencies: dynamoCurrencyStore(dynamodb, config.apiTable),
  conversions: dynamoConversionStore(partnerTables, config.apiTable),
};

/** POST and GET /v1/conversions, GET /v1/conversions/{id}. */
export const handler = withHttp(conversionOperations, deps, { logger, apiKeys: parseApiKeyOwners(config.partnerApiKeys) });
