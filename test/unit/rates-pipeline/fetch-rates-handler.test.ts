import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SendMessageBatchCommand, SQSClient, type SendMessageBatchCommandInput } from '@aws-sdk/client-sqs';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import type { FetchRatesResult } from '../../../lambdas/use-cases/fetch-rates';
import { ENV } from '../../../lambdas/shared/env-names';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { ECB_2022_07_08, ECB_DAILY_FIXTURE, rateFixture } from '../../support/rates';

const BUCKET = 'lake';
const RATES_QUEUE_URL = 'http://127.0.0.1:4566/000000000000/rates';

const s3Mock = mockClient(S3Client);
const sqsMock = mockClient(SQSClient);

/** A stand-in for the ECB server on 127.0.0.1: each test sets how it answers. */
let server: Server;
let requests: string[] = [];
let respond: (req: IncomingMessage, res: ServerResponse) => void;

let handler: (event: { provider?: string }) => Promise<FetchRatesResult>;
let restoreEnv: () => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  restoreEnv = setEnv({
    ...LOCAL_AWS,
    ...QUIET_POWERTOOLS,
    [ENV.dataLakeBucket]: BUCKET,
    [ENV.ratesQueue]: RATES_QUEUE_URL,
    // The ECB adapter uses a baseUrl ending in .xml as the daily file's URL.
    [ENV.rateProviders]: JSON.stringify({ ecb: { baseUrl: `http://127.0.0.1:${port}/eurofxref-daily.xml` } }),
  });
  ({ handler } = await import('../../../lambdas/handlers/fetch-rates'));
});

afterAll(async () => {
  restoreEnv();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = [];
  s3Mock.reset();
  sqsMock.reset();
  s3Mock.on(PutObjectCommand).resolves({});
  sqsMock.on(SendMessageBatchCommand).callsFake((input: SendMessageBatchCommandInput) => ({
    Successful: input.Entries!.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}`, MD5OfMessageBody: '' })),
    Failed: [],
  }));
});

const expectNothingWritten = () => {
  expect(s3Mock.calls()).toHaveLength(0);
  expect(sqsMock.calls()).toHaveLength(0);
};

describe('fetch-rates handler', () => {
  it('keeps the payload verbatim under raw/ and queues the parsed snapshot', async () => {
    const xml = rateFixture(ECB_DAILY_FIXTURE);
    respond = (_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(xml);

    const result = await handler({ provider: 'ecb' });

    const rawKey = 'raw/rates/provider=ecb/dt=2022-07-08/ecb-EUR-20220708T140000Z.xml';
    expect(result).toMatchObject({ snapshotId: 'ecb-EUR-20220708T140000Z', inForceFrom: '2022-07-08T14:00:00.000Z', rates: 31, rawKey });
    expect(requests).toEqual(['/eurofxref-daily.xml']);
    const puts = s3Mock.commandCalls(PutObjectCommand).map((c) => c.args[0].input);
    expect(puts).toEqual([{ Bucket: BUCKET, Key: rawKey, Body: xml, ContentType: 'text/xml' }]);
    const sends = sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input);
    expect(sends).toHaveLength(1);
    expect(sends[0].QueueUrl).toBe(RATES_QUEUE_URL);
    const [queued] = sends[0].Entries!.map((e) => JSON.parse(e.MessageBody!));
    // Expected from the fixture file as printed (ECB_2022_07_08, copied by hand), not from the parser.
    const { rates, ...publication } = ECB_2022_07_08;
    expect(queued).toEqual({ ...publication, provider: 'ecb', base: 'EUR', fetchedAt: queued.fetchedAt, rates: expect.any(Array) });
    expect(queued.rates).toHaveLength(31);
    expect(Object.fromEntries(queued.rates.map((r: { quote: string; rate: string }) => [r.quote, r.rate]))).toEqual(rates);
    expect(Date.now() - Date.parse(queued.fetchedAt)).toBeLessThan(60_000);
    // A 2022 file is years of ECB business days behind: the stale-rate alarm's metrics say so.
    const ageMinutes = Math.floor((Date.parse(queued.fetchedAt) - Date.parse('2022-07-08T14:00:00.000Z')) / 60_000);
    expect(result.freshness.ageMinutes).toBe(ageMinutes);
    expect(result.freshness.missedPublications).toBeGreaterThan(250);
  });

  it('throws after every attempt answered 503 and writes nothing to S3 or SQS', async () => {
    // Retry-After: 0 keeps the test fast; the handler still makes all its attempts.
    respond = (_req, res) => res.writeHead(503, { 'retry-after': '0' }).end('Service Unavailable');

    await expect(handler({ provider: 'ecb' })).rejects.toThrow(
      /eurofxref-daily\.xml unavailable after 3 attempt\(s\): HTTP 503/,
    );
    expect(requests).toEqual(Array(3).fill('/eurofxref-daily.xml'));
    expectNothingWritten();
  });

  it('throws on a 200 whose payload does not parse, before writing anything', async () => {
    respond = (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');

    await expect(handler({ provider: 'ecb' })).rejects.toThrow('ecb: no <Cube time=...> in payload');
    expectNothingWritten();
  });

  it('refuses a mirror serving 2099-12-31 before writing anything, and counts RateSnapshotsRejected with the service dimension only', async () => {
    const pinned = rateFixture(ECB_DAILY_FIXTURE).replace("time='2022-07-08'", "time='2099-12-31'");
    respond = (_req, res) => res.writeHead(200, { 'content-type': 'text/xml' }).end(pinned);
    const singles: Metrics[] = [];
    const single = jest.spyOn(Metrics.prototype, 'singleMetric').mockImplementation(() => {
      const metric = new Metrics({ namespace: 'FxPlatform', serviceName: 'fetch-rates', singleMetric: true });
      singles.push(metric);
      return metric;
    });
    const added = jest.spyOn(Metrics.prototype, 'addMetric');
    try {
      await expect(handler({ provider: 'ecb' })).rejects.toThrow(/ecb: publication for 2099-12-31 is in force from 2099-12-31T15:00:00.000Z, later than now .* refused as future-dated/);
      expectNothingWritten();
      const index = added.mock.calls.findIndex(([name]) => name === 'RateSnapshotsRejected');
      expect(added.mock.calls[index]).toEqual(['RateSnapshotsRejected', 'Count', 1]);
      expect(singles).toContain(added.mock.contexts[index]);
    } finally {
      single.mockRestore();
      added.mockRestore();
    }
  });

  it.each([
    ['an unknown provider', 'bogus'],
    ['a known provider that is not configured', 'oxr'],
    ['an event without a provider', undefined],
  ])('rejects %s with an error naming it and the configured ones', async (_what, provider) => {
    respond = () => {
      throw new Error('no request expected');
    };

    await expect(handler({ provider })).rejects.toThrow(
      `fetch-rates: provider "${provider ?? ''}" is not configured (configured: ecb)`,
    );
    expect(requests).toEqual([]);
    expectNothingWritten();
  });
});
