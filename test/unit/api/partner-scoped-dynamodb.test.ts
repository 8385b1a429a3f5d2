import { createServer, type Server } from 'node:http';
import { AssumeRoleCommand, STSClient, type AssumeRoleCommandInput } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamoConversionStore } from '../../../lambdas/adapters/aws/dynamodb-conversion-store';
import { partnerScopedTables } from '../../../lambdas/adapters/aws/partner-scoped-dynamodb';
import { SAMPLE_CONVERSION } from './fakes';

/**
 * The conversions adapter in AWS: each partner's requests are signed with credentials of the
 * partner data role assumed with that partner's `client_id` session tag (IAM then allows that
 * partner's partition only). DynamoDB is a local server that records who signed each request.
 */

const ROLE_ARN = 'arn:aws:iam::123456789012:role/partner-data';
const TABLE = 'api';

interface Seen {
  readonly accessKeyId: string;
  readonly target: string;
  readonly partitions: string[];
}

const conversion = SAMPLE_CONVERSION;

describe('partner-scoped DynamoDB credentials for the conversions adapter', () => {
  let server: Server;
  let endpoint: string;
  const seen: Seen[] = [];
  const sts = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'function', secretAccessKey: 'x' } });
  const stsMock = mockClient(sts);

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        const accessKeyId = /Credential=([^/]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? '(unsigned)';
        const target = String(req.headers['x-amz-target']).split('.')[1];
        // Every partition key the request names (Key, Item, or the Query's :pk).
        const partitions = [...body.matchAll(/"(?:pk|:pk)":\{"S":"([^"]+)"\}/g)].map((m) => m[1]);
        seen.push({ accessKeyId, target, partitions });
        res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(target === 'Query' ? '{"Items":[],"Count":0}' : '{}');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  beforeEach(() => {
    seen.length = 0;
    stsMock.reset();
    stsMock.on(AssumeRoleCommand).callsFake((input: AssumeRoleCommandInput) => {
      const tag = input.Tags?.find((t) => t.Key === 'client_id')?.Value ?? 'untagged';
      return {
        Credentials: {
          AccessKeyId: `ASIA-${tag}-${stsMock.commandCalls(AssumeRoleCommand).length}`,
          SecretAccessKey: 'secret',
          SessionToken: 'token',
          // One hour, an access key naming the tag it was assumed with.
          Expiration: new Date(Date.now() + 3600_000),
        },
      };
    });
  });

  const storeFor = () =>
    dynamoConversionStore(
      partnerScopedTables({
        roleArn: ROLE_ARN,
        sts,
        clientConfig: { region: 'us-east-1', endpoint },
      }),
      TABLE,
    );

  it('signs each partner’s requests with the role assumed for that partner, and only for its partition', async () => {
    const store = storeFor();

    await store.get('partner-a', 'c-1');
    // Powertools Idempotency's record and the conversion: the partner's partition, the partner's credentials.
    await store.createOnce('partner-b', 'key-1', { from: 'USD', to: 'JPY', amount: '100' }, async () => conversion);
    await store.list('partner-a', { limit: 5 });
    await store.get('partner-b', 'c-2');

    expect(seen).toEqual([
      { accessKeyId: 'ASIA-partner-a-1', target: 'GetItem', partitions: ['PARTNER#partner-a'] },
      { accessKeyId: 'ASIA-partner-b-2', target: 'PutItem', partitions: ['PARTNER#partner-b'] },
      { accessKeyId: 'ASIA-partner-b-2', target: 'TransactWriteItems', partitions: ['PARTNER#partner-b', 'PARTNER#partner-b'] },
      { accessKeyId: 'ASIA-partner-a-1', target: 'Query', partitions: ['PARTNER#partner-a'] },
      { accessKeyId: 'ASIA-partner-b-2', target: 'GetItem', partitions: ['PARTNER#partner-b'] },
    ]);
    // One AssumeRole per partner while the container is warm, tagged with its client id.
    const assumed = stsMock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input);
    expect(assumed).toEqual([
      expect.objectContaining({ RoleArn: ROLE_ARN, Tags: [{ Key: 'client_id', Value: 'partner-a' }] }),
      expect.objectContaining({ RoleArn: ROLE_ARN, Tags: [{ Key: 'client_id', Value: 'partner-b' }] }),
    ]);
    expect(assumed.every((input) => /^[\w+=,.@-]{2,64}$/.test(input.RoleSessionName ?? ''))).toBe(true);
  });

  it('assumes the role again once the credentials are about to expire (58 minutes later)', async () => {
    const store = storeFor();
    const start = Date.now();
    const now = jest.spyOn(Date, 'now');
    try {
      await store.get('partner-a', 'c-1');
      await store.get('partner-a', 'c-2');
      now.mockReturnValue(start + 58 * 60_000); // inside the SDK's five-minute refresh window
      await store.get('partner-a', 'c-3');
      await store.get('partner-a', 'c-4');
    } finally {
      now.mockRestore();
    }

    expect(seen.map((s) => s.accessKeyId)).toEqual([
      'ASIA-partner-a-1',
      'ASIA-partner-a-1',
      'ASIA-partner-a-2',
      'ASIA-partner-a-2',
    ]);
  });

  it('fails the request, and writes nothing, when the role cannot be assumed', async () => {
    stsMock.on(AssumeRoleCommand).rejects(new Error('AccessDenied: not authorized to perform sts:TagSession'));
    const store = storeFor();

    await expect(store.get('partner-a', 'c-1')).rejects.toThrow(/AccessDenied/);
    expect(seen).toEqual([]);
  });
});
