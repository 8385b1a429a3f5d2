import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

export interface SecretsEmulator {
  readonly endpoint: string;
  /** Where a function reads secrets as from the Parameters and Secrets extension (PARAMETERS_SECRETS_EXTENSION_HTTP_PORT). */
  readonly extensionPort: number;
  /** Creates the secret with `generate()` as its value unless it already exists. */
  ensure(name: string, generate: () => string): void;
  stop(): Promise<void>;
}

/**
 * Secrets Manager for the local platform, persisted to one file: the JSON protocol's
 * GetSecretValue, DescribeSecret, CreateSecret and PutSecretValue (for the SDK client, as the
 * `npm run local` commands use it), and the AWS Parameters and Secrets Lambda Extension's
 * `GET /secretsmanager/get?secretId=` with its token header, which is how functions read secrets.
 */
export async function startSecretsEmulator(file: string): Promise<SecretsEmulator> {
  const secrets: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const save = () => writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  const arn = (name: string) => `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`;
  const nameOf = (id: string) => id.replace(/^arn:aws:secretsmanager:[^:]+:\d+:secret:/, '');

  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url?.startsWith('/secretsmanager/get')) return extensionGet(req.url, req.headers, res);
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const action = String(req.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
      const reply = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(payload));
      };
      let input: { SecretId?: string; Name?: string; SecretString?: string };
      try {
        input = JSON.parse(body || '{}');
      } catch {
        return reply(400, { __type: 'InvalidRequestException', message: 'body is not JSON' });
      }
      const name = nameOf(input.SecretId ?? input.Name ?? '');
      const notFound = () =>
        reply(400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret: ${name}` });
      switch (action) {
        case 'GetSecretValue':
          if (!(name in secrets)) return notFound();
          return reply(200, { ARN: arn(name), Name: name, SecretString: secrets[name], VersionId: 'local' });
        case 'DescribeSecret':
          if (!(name in secrets)) return notFound();
          return reply(200, { ARN: arn(name), Name: name });
        case 'CreateSecret':
          if (name in secrets) return reply(400, { __type: 'ResourceExistsException', message: `${name} exists` });
          secrets[name] = input.SecretString ?? '';
          save();
          return reply(200, { ARN: arn(name), Name: name, VersionId: 'local' });
        case 'PutSecretValue':
          if (!(name in secrets)) return notFound();
          secrets[name] = input.SecretString ?? '';
          save();
          return reply(200, { ARN: arn(name), Name: name, VersionId: 'local' });
        default:
          return reply(400, { __type: 'InvalidRequestException', message: `${action} is not emulated` });
      }
    });
  });
  /** As the extension answers: 401 without its token header, else Secrets Manager's answer as JSON. */
  function extensionGet(url: string, headers: IncomingHttpHeaders, res: ServerResponse) {
    const reply = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (headers['x-aws-parameters-secrets-token'] === undefined) return reply(401, { message: 'missing X-Aws-Parameters-Secrets-Token' });
    const name = nameOf(new URL(url, 'http://localhost').searchParams.get('secretId') ?? '');
    if (!(name in secrets)) {
      return reply(400, { __type: 'ResourceNotFoundException', message: `Secrets Manager can't find the specified secret: ${name}` });
    }
    return reply(200, { ARN: arn(name), Name: name, SecretString: secrets[name], VersionId: 'local' });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    extensionPort: port,
    ensure(name, generate) {
      if (!(name in secrets)) {
        secrets[name] = generate();
        save();
      }
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
