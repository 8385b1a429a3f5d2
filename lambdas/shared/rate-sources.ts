import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import * as z from 'zod/mini';
import { dynamoRateSeries } from '../adapters/aws/dynamodb-rate-series';
import { checkRatePolicy } from '../domain/rate-policy';
import { rateSourcesOf, type RateSourceDeps } from '../use-cases/resolve-rates';
import { loadConfig, parseJsonEnv } from './config';
import { ENV } from './env-names';

/**
 * The rate lookup every reading function shares: the stage's policy (RATE_POLICY_JSON) over
 * the rates table (RATES_TABLE_NAME), cached for the life of the execution environment.
 */
export function rateSourcesFromEnv(functionName: string, client: DynamoDBDocumentClient): RateSourceDeps {
  const config = loadConfig(functionName, { table: ENV.ratesTable, policy: ENV.ratePolicy });
  const policy = checkRatePolicy(parseJsonEnv(ENV.ratePolicy, config.policy, z.unknown()));
  return rateSourcesOf(policy, dynamoRateSeries(client, config.table));
}
