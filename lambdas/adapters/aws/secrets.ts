import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { AWS_CLIENT_CONFIG } from '../../shared/aws-client-config';

/**
 * How long a secret is kept in the execution environment before it is read again: long enough
 * that a busy function reads each secret a few times an hour, short enough that a rotated feed
 * credential or provider key is picked up without a deploy.
 */
export const SECRET_MAX_AGE_SECONDS = 900;

let provider: SecretsProvider | undefined;

/** A secret's string value, through the Powertools Parameters cache. */
export async function secretValue(secretId: string): Promise<string> {
  provider ??= new SecretsProvider({ clientConfig: AWS_CLIENT_CONFIG });
  const value = await provider.get(secretId, { maxAge: SECRET_MAX_AGE_SECONDS });
  if (typeof value !== 'string') throw new Error(`secret ${secretId} has no string value`);
  return value;
}
