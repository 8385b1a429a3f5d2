import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRateProvider } from '../../../lambdas/adapters/http/rate-providers';
import { RATE_PROVIDERS } from '../../../lambdas/domain/rate-snapshot';
import { fixture } from './fake-fetch';

// A local stand-in for the providers, on 127.0.0.1 and a free port: real HTTP, no internet.
let server: Server;
let baseUrl: string;
const requests: string[] = [];
let failuresLeft = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    if (failuresLeft > 0) {
      failuresLeft--;
      res.writeHead(503).end('busy');
    } else if (req.url === '/eurofxref-daily.xml') {
      res
        .writeHead(200, { 'content-type': 'text/xml' })
        .end(fixture('ecb_eurofxref-daily_2022-07-08.xml'));
    } else if (req.url?.startsWith('/v1/latest')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(fixture('frankfurter_v1_latest_base_EUR_2023-04-06.json'));
    } else if (req.url?.startsWith('/api/v3/simple/price')) {
      res
        .writeHead(200, { 'content-type': 'application/json' })
        .end(fixture('coingecko_simple_price_ethereum_usd.json'));
    } else if (req.url?.startsWith('/api/latest.json')) {
      res
        .writeHead(200)
        .end('{"timestamp":1512799203,"base":"USD","rates":{"EUR":0.850051,"USD":1}}');
    } else {
      res.writeHead(404).end();
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const http = { sleep: async () => undefined, timeoutMs: 2_000 };
const clock = () => new Date('2024-05-01T10:15:00Z');

describe('createRateProvider', () => {
  it.each([
    ['ecb', 'ecb-EUR-20220708T140000Z'],
    ['frankfurter', 'frankfurter-EUR-20230406T140000Z'],
    ['coingecko', 'coingecko-USD-20240501T101500Z'],
    ['oxr', 'oxr-USD-20171209T060003Z'],
    ['simulated', 'simulated-EUR-20240501T101500Z'],
  ] as const)('%s fetches over HTTP from a local server', async (name, snapshotId) => {
    const provider = createRateProvider(name, { baseUrl, oxrAppId: 'k', clock, http });
    expect(provider.name).toBe(name);
    const { snapshot } = await provider.fetchLatest();
    expect(snapshot.snapshotId).toBe(snapshotId);
  });

  it('retries a real 503 from the server', async () => {
    failuresLeft = 2;
    requests.length = 0;
    const { snapshot } = await createRateProvider('ecb', { baseUrl, http }).fetchLatest();
    expect(snapshot.rates).toHaveLength(31);
    expect(requests).toHaveLength(3);
  });

  it('builds every provider name', () => {
    for (const name of RATE_PROVIDERS) {
      expect(createRateProvider(name, { oxrAppId: 'k' }).name).toBe(name);
    }
    expect(() => createRateProvider('oxr')).toThrow(/app id/);
  });
});
