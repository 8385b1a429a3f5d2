import { request } from 'node:http';
import { backoffDelay, defaultSleep, type RetryOptions } from '../../shared/retry';

/**
 * How long the AWS Parameters and Secrets Lambda Extension keeps a secret (its maximum): a
 * rotated feed credential or provider key is picked up within five minutes, without a deploy.
 */
export const SECRET_CACHE_TTL_SECONDS = 300;

/** The extension's own default port, used when the environment names none. */
const DEFAULT_PORT = 2773;

/**
 * The extension answers 400 "not ready" while it starts, and a connection may be refused before
 * it listens; five attempts over about a second ride that out.
 */
const EXTENSION_RETRY: RetryOptions = { attempts: 5, baseDelayMs: 50, maxDelayMs: 800 };

interface Reply {
  readonly status: number;
  readonly body: string;
}

function get(port: number, path: string, token: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: 'localhost', port, path, headers: { 'X-Aws-Parameters-Secrets-Token': token }, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}

const retried = (reply: Reply) => reply.status >= 500 || /not ready/i.test(reply.body);

/**
 * A secret's string value, read through the AWS Parameters and Secrets Lambda Extension (a
 * layer on every function that reads secrets; it caches each secret for
 * SECRET_CACHE_TTL_SECONDS). No Secrets Manager client is loaded: README "Lean bundles".
 * A refusal (no such secret, access denied) fails at once, naming the secret and the answer.
 */
export async function secretValue(secretId: string, options: { sleep?: (ms: number) => Promise<void> } = {}): Promise<string> {
  const port = Number(process.env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? DEFAULT_PORT);
  const path = `/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`;
  let problem = '';
  for (let attempt = 0; attempt < EXTENSION_RETRY.attempts; attempt++) {
    if (attempt > 0) await (options.sleep ?? defaultSleep)(backoffDelay(attempt, EXTENSION_RETRY));
    let reply: Reply;
    try {
      reply = await get(port, path, process.env.AWS_SESSION_TOKEN ?? '');
    } catch (error) {
      problem = (error as Error).message;
      continue;
    }
    if (reply.status === 200) {
      const value = (JSON.parse(reply.body) as { SecretString?: unknown }).SecretString;
      if (typeof value !== 'string') throw new Error(`secret ${secretId} has no string value`);
      return value;
    }
    problem = `${reply.status} ${reply.body.slice(0, 300)}`;
    if (!retried(reply)) break;
  }
  throw new Error(`secret ${secretId} not read from the Parameters and Secrets extension: ${problem}`);
}
