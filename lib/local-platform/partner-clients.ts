import { randomInt } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import type { PartnerConfig } from '../config/stage-config';
import { fullScope } from '../../lambdas/shared/api-contract';

/**
 * The local platform's partners: the stage config's partner list (the same list the CDK stack
 * turns into Cognito app clients and API keys) with a client id, client secret and API key for
 * each, generated on first start and kept in the platform's directory.
 */
export interface LocalPartnerClient {
  readonly name: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Allowed OAuth scopes in full form (`fx-api/rates.read`), as `scope=` takes and tokens carry them. */
  readonly scopes: string[];
  /** Sent as `x-api-key` with every call that needs a token. */
  readonly apiKey: string;
  readonly apiKeyId: string;
  readonly throttle: PartnerConfig['throttle'];
  readonly quotaPerDay: number;
}

interface StoredCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly apiKey: string;
  readonly apiKeyId: string;
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = `ABCDEFGHIJKLMNOPQRSTUVWXYZ${LOWER_ALNUM}`;
const randomString = (alphabet: string, length: number) =>
  Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');

/** Lengths as Cognito and API Gateway generate them: 26-char client id, 51-char secret, 40-char key. */
function newCredentials(): StoredCredentials {
  return {
    clientId: randomString(LOWER_ALNUM, 26),
    clientSecret: randomString(LOWER_ALNUM, 51),
    apiKey: randomString(ALNUM, 40),
    apiKeyId: randomString(LOWER_ALNUM, 10),
  };
}

/**
 * Partners with their credentials. Credentials persist in `file` by partner name (created with
 * mode 0600); scopes, throttle and quota always come from the config, so editing the config
 * changes them without new credentials.
 */
export function loadPartnerClients(
  file: string,
  partners: readonly PartnerConfig[],
): LocalPartnerClient[] {
  const stored: Record<string, StoredCredentials> = existsSync(file)
    ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, StoredCredentials>)
    : {};
  let changed = false;
  const clients = partners.map((partner) => {
    if (!stored[partner.name]) {
      stored[partner.name] = newCredentials();
      changed = true;
    }
    return {
      name: partner.name,
      ...stored[partner.name],
      scopes: partner.scopes.map(fullScope),
      throttle: partner.throttle,
      quotaPerDay: partner.quotaPerDay,
    };
  });
  if (changed) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  }
  return clients;
}

/** PARTNER_API_KEYS_JSON as the API functions read it: each client's API key id. */
export function apiKeyOwnersJson(clients: readonly LocalPartnerClient[]): string {
  return JSON.stringify(Object.fromEntries(clients.map((c) => [c.clientId, c.apiKeyId])));
}
