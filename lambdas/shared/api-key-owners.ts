import * as z from 'zod';
import { parseJsonEnv } from './config';
import { ENV } from './env-names';
import { ApiKeyMismatchError } from './http-errors';

/** The id of the API key issued with each partner's app client, by client id. */
export type ApiKeyOwners = ReadonlyMap<string, string>;

export const apiKeyOwnersOf = (pairs: readonly { clientId: string; apiKeyId: string }[]): ApiKeyOwners =>
  new Map(pairs.map((p) => [p.clientId, p.apiKeyId]));

/** `{ "<client id>": "<API key id>" }`, as PARTNER_API_KEYS_JSON carries it. */
export const parseApiKeyOwners = (json: string): ApiKeyOwners =>
  new Map(Object.entries(parseJsonEnv(ENV.partnerApiKeys, json, z.record(z.string(), z.string()))));

/**
 * API Gateway only checks that the API key exists and meters the request against that key's
 * usage plan: it would let partner A's token ride on partner B's key. The key must be the one
 * issued with the token's app client. The handlers and the local gateway both apply this rule.
 */
export function assertApiKeyOwnedBy(clientId: string, apiKeyId: string | null | undefined, owners: ApiKeyOwners): void {
  if (!apiKeyId || owners.get(clientId) !== apiKeyId) throw new ApiKeyMismatchError();
}
