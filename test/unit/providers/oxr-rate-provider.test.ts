import { createOxrRateProvider, parseOxr } from '../../../lambdas/adapters/http/oxr-rate-provider';
import {
  ProviderUnavailableError,
  RatePayloadError,
} from '../../../lambdas/adapters/http/provider-errors';
import { fakeFetch, fastHttp, reply } from './fake-fetch';

// The documented latest.json shape, abridged (OXR lists the base itself as "USD": 1).
const latest = `{
  "disclaimer": "Usage subject to terms: https://openexchangerates.org/terms",
  "license": "https://openexchangerates.org/license",
  "timestamp": 1512799203,
  "base": "USD",
  "rates": {
    "AED": 3.673097,
    "BIF": 1770,
    "BTC": 0.000064435797,
    "EUR": 0.850051,
    "GBP": 0.747100,
    "KWD": 0.301652,
    "USD": 1,
    "XAU": 0.00080115
  }
}`;

const day = (timestamp: number, eur: string) =>
  `{"timestamp":${timestamp},"base":"USD","rates":{"EUR":${eur},"USD":1}}`;

const FETCHED = new Date('2024-02-01T12:00:00.000Z');

describe('parseOxr', () => {
  it('parses latest.json with the exact digits, dropping the base against itself', () => {
    const snapshot = parseOxr(latest, FETCHED);
    expect(snapshot).toMatchObject({
      snapshotId: 'oxr-USD-20171209T060003Z',
      provider: 'oxr',
      base: 'USD',
      // In force from its `timestamp`.
      inForceFrom: '2017-12-09T06:00:03.000Z',
      rateDate: '2017-12-09',
    });
    expect(snapshot.rates.map((r) => `${r.quote}=${r.rate}`)).toEqual([
      'AED=3.673097',
      'BIF=1770',
      'BTC=0.000064435797',
      'EUR=0.850051',
      'GBP=0.747100',
      'KWD=0.301652',
      'XAU=0.00080115',
    ]);
  });

  it.each([
    ['not JSON', 'Bad Gateway'],
    [
      'an error body',
      '{"error":true,"status":401,"message":"invalid_app_id","description":"Invalid App ID"}',
    ],
    ['empty rates', '{"timestamp":1512799203,"base":"USD","rates":{}}'],
    ['only the base', '{"timestamp":1512799203,"base":"USD","rates":{"USD":1}}'],
    [
      'the base at a rate other than 1',
      '{"timestamp":1512799203,"base":"USD","rates":{"USD":1.1}}',
    ],
    ['a zero rate', '{"timestamp":1512799203,"base":"USD","rates":{"EUR":0}}'],
    ['a missing timestamp', '{"base":"USD","rates":{"EUR":0.85}}'],
    ['a timestamp in 2099', '{"timestamp":4102444800,"base":"USD","rates":{"EUR":0.85}}'],
  ])('rejects %s', (_label, body) => {
    expect(() => parseOxr(body, FETCHED)).toThrow(RatePayloadError);
    expect(() => parseOxr(body, FETCHED)).toThrow(/^oxr: /);
  });
});

describe('createOxrRateProvider', () => {
  it('sends the app id and never leaks it in errors', async () => {
    const ok = fakeFetch(reply(200, latest));
    await createOxrRateProvider({ appId: 'abc123', http: fastHttp(ok.fetchImpl) }).fetchLatest();
    expect(ok.calls[0].url).toBe('https://openexchangerates.org/api/latest.json?app_id=abc123');

    const denied = fakeFetch(reply(401, '{"error":true,"status":401,"message":"invalid_app_id"}'));
    const error = await createOxrRateProvider({ appId: 'abc123', http: fastHttp(denied.fetchImpl) })
      .fetchLatest()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).message).not.toContain('abc123');
  });

  it('fetches history one historical/{day}.json per day', async () => {
    const { fetchImpl, calls } = fakeFetch(
      reply(200, day(1704931199, '0.91358')),
      reply(200, day(1705017599, '0.91017')),
    );
    const provider = createOxrRateProvider({
      appId: 'k',
      baseUrl: 'http://127.0.0.1:9',
      http: fastHttp(fetchImpl),
    });
    const { snapshots, raw } = await provider.fetchHistory!({
      from: '2024-01-10',
      to: '2024-01-11',
    });
    expect(calls.map((c) => c.url)).toEqual([
      'http://127.0.0.1:9/api/historical/2024-01-10.json?app_id=k',
      'http://127.0.0.1:9/api/historical/2024-01-11.json?app_id=k',
    ]);
    expect(snapshots.map((s) => s.rates[0].rate)).toEqual(['0.91358', '0.91017']);
    expect(JSON.parse(raw.body)).toHaveLength(2);
  });

  it('requires an app id and bounds history ranges', () => {
    expect(() => createOxrRateProvider({ appId: '' })).toThrow(/app id/);
    const provider = createOxrRateProvider({ appId: 'k' });
    return expect(provider.fetchHistory!({ from: '2024-01-01', to: '2024-03-01' })).rejects.toThrow(
      RangeError,
    );
  });
});
