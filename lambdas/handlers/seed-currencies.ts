import middy from '@middy/core';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoCurrencyStore } from '../adapters/aws/dynamodb-currency-store';
import { dynamoDocumentClient } from '../shared/clients';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { seedCurrencies } from '../use-cases/currencies';

/** The local platform calls this at every start, with its own client and table name. */
export function seedCurrencyTable(client: DynamoDBDocumentClient, tableName: string) {
  return seedCurrencies({ currencies: dynamoCurrencyStore(client, tableName) });
}

const tools = observability('seed-currencies');

/** CloudFormation custom resource request, or any event from a CDK Trigger. */
interface SeedEvent {
  readonly RequestType?: 'Create' | 'Update' | 'Delete';
  readonly PhysicalResourceId?: string;
}

const PHYSICAL_ID = 'supported-currencies';

/**
 * Run by a CDK Trigger after a deploy (or as the onEvent handler of a custom resource Provider,
 * which answers CloudFormation with what this returns). Config is read on first use so the local
 * platform can import seedCurrencyTable without this function's environment.
 */
async function seed(event: SeedEvent | undefined) {
  // Deleting the stack does not delete currencies: the API table's removal policy decides.
  if (event?.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID };
  const config = loadConfig('seed-currencies', { apiTable: ENV.apiTable });
  const result = await seedCurrencyTable(traced(tools, dynamoDocumentClient()), config.apiTable);
  tools.logger.info('currencies seeded', { added: result.added.length, known: result.known });
  return { PhysicalResourceId: PHYSICAL_ID, Data: { added: String(result.added.length), known: String(result.known) } };
}

export const handler = withPowertools(middy(seed), tools);
