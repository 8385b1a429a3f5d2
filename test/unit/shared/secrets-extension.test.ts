import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { secretValue } from '../../../lambdas/adapters/aws/secrets';
import { setEnv } from '../../support/env';

/** A stand-in for the Parameters and Secrets extension that answers from a script and records each request. */
interface Request {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
}
let answers: { status: number; body: unknown }[];
let requests: Request[];
let server: Server;
let restoreEnv: () => void;
const noSleep = async () => undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', headers: req.headers });
    const { status, body } = answers.shift() ?? { status: 500, body: { message: 'no answer scripted' } };
    res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  restoreEnv = setEnv({ PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port), AWS_SESSION_TOKEN: 'the-session-token' });
});
afterAll(async () => {
  restoreEnv();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  answers = [];
  requests = [];
});

const found = (SecretString: unknown) => ({ status: 200, body: { Name: 'x', SecretString, VersionId: 'v1' } });

describe('secretValue through the Parameters and Secrets extension', () => {
  it("asks for the secret by name or ARN, with the function's session token, and returns its string", async () => {
    answers = [found('s3cr3t')];
    const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:feeds/partner token&x=1-AbCdEf';

    await expect(secretValue(arn)).resolves.toBe('s3cr3t');
    expect(requests).toHaveLength(1);
    expect(new URL(requests[0].url, 'http://localhost').pathname).toBe('/secretsmanager/get');
    expect(new URL(requests[0].url, 'http://localhost').searchParams.get('secretId')).toBe(arn);
    expect(requests[0].headers['x-aws-parameters-secrets-token']).toBe('the-session-token');
  });

  it('waits while the extension is not ready yet, and while it fails (5xx)', async () => {
    answers = [{ status: 400, body: 'not ready to serve traffic, please wait' }, { status: 502, body: { message: 'bad gateway' } }, found('late')];
    await expect(secretValue('k', { sleep: noSleep })).resolves.toBe('late');
    expect(requests).toHaveLength(3);
  });

  it('gives up after five attempts, with the last answer in the error', async () => {
    answers = Array.from({ length: 6 }, () => ({ status: 503, body: { message: 'unavailable' } }));
    await expect(secretValue('k', { sleep: noSleep })).rejects.toThrow('secret k not read from the Parameters and Secrets extension: 503 {"message":"unavailable"}');
    expect(requests).toHaveLength(5);
  });

  it('fails at once on a refusal (no such secret, access denied), naming the secret', async () => {
    answers = [{ status: 400, body: { __type: 'ResourceNotFoundException', message: "can't find the specified secret" } }, found('never')];
    await expect(secretValue('feeds/gone', { sleep: noSleep })).rejects.toThrow(/secret feeds\/gone not read .*: 400 .*ResourceNotFoundException/);
    expect(requests).toHaveLength(1);
  });

  it('refuses a secret without a string value (a binary secret)', async () => {
    answers = [{ status: 200, body: { Name: 'bin', SecretBinary: 'AAEC' } }];
    await expect(secretValue('bin')).rejects.toThrow('secret bin has no string value');
  });

  it('retries a connection the extension does not accept yet, then names the failure', async () => {
    const restore = setEnv({ PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: '1' });
    try {
      await expect(secretValue('k', { sleep: noSleep })).rejects.toThrow(/secret k not read from the Parameters and Secrets extension: .*(ECONNREFUSED|EACCES)/);
    } finally {
      restore();
    }
  });
});
