import {
  createFrankfurterRateProvider,
  parseFrankfurterLatest,
  parseFrankfurterTimeSeries,
} from '../../../lambdas/adapters/http/frankfurter-rate-provider';
import { RatePayloadError } from '../../../lambdas/adapters/http/provider-errors';
import { fakeFetch, fastHttp, fixture, reply } from './fake-fetch';

const latest = fixture('frankfurter_v1_latest_base_EUR_2023-04-06.json');
const series = fixture('frankfurter_v1_timeseries_base_USD_EUR_GBP_2024-01-10_2024-01-12.json');
const FETCHED = new Date('2024-02-01T12:00:00.000Z');

describe('parseFrankfurterLatest', () => {
  it('parses the real /v1/latest body, keeping the digits', () => {
    const snapshot = parseFrankfurterLatest(latest, FETCHED);
    expect(snapshot).toMatchObject({
      snapshotId: 'frankfurter-EUR-20230406T140000Z',
      base: 'EUR',
      // The ECB's data: in force from 16:00 Berlin (summer time) on its date.
      inForceFrom: '2023-04-06T14:00:00.000Z',
      rateDate: '2023-04-06',
    });
    expect(snapshot.rates).toHaveLength(30);
    const rate = (quote: string) => snapshot.rates.find((r) => r.quote === quote)?.rate;
    expect(rate('USD')).toBe('1.0915');
    expect(rate('GBP')).toBe('0.87495');
    expect(rate('IDR')).toBe('16291');
    expect(rate('DKK')).toBe('7.451');
  });

  it('keeps trailing zeros that JSON.parse would drop', () => {
    const body =
      '{"amount":1.0,"base":"EUR","date":"2023-04-06","rates":{"GBP":0.84770,"JPY":143.40}}';
    expect(parseFrankfurterLatest(body, FETCHED).rates).toEqual([
      { quote: 'GBP', rate: '0.84770' },
      { quote: 'JPY', rate: '143.40' },
    ]);
  });

  it.each([
    ['not JSON', '<html>502</html>'],
    ['empty rates', '{"amount":1.0,"base":"EUR","date":"2023-04-06","rates":{}}'],
    ['a zero rate', '{"amount":1.0,"base":"EUR","date":"2023-04-06","rates":{"USD":0}}'],
    ['a negative rate', '{"amount":1.0,"base":"EUR","date":"2023-04-06","rates":{"USD":-1}}'],
    ['a string rate', '{"amount":1.0,"base":"EUR","date":"2023-04-06","rates":{"USD":"abc"}}'],
    ['an exponent', '{"amount":1.0,"base":"EUR","date":"2023-04-06","rates":{"USD":1e0}}'],
    ['a null rate', '{"amount":1.0,"base":"EUR","date":"2023-04-06","rates":{"USD":null}}'],
    ['a missing date', '{"amount":1.0,"base":"EUR","rates":{"USD":1.09}}'],
    ['amount 100', '{"amount":100,"base":"EUR","date":"2023-04-06","rates":{"USD":109.15}}'],
    ['a date in the future', '{"amount":1.0,"base":"EUR","date":"2099-12-31","rates":{"USD":1.09}}'],
  ])('rejects %s', (_label, body) => {
    expect(() => parseFrankfurterLatest(body, FETCHED)).toThrow(RatePayloadError);
    expect(() => parseFrankfurterLatest(body, FETCHED)).toThrow(/^frankfurter: /);
  });
});

describe('parseFrankfurterTimeSeries', () => {
  it('parses the real time series into one snapshot per day', () => {
    const snapshots = parseFrankfurterTimeSeries(series, FETCHED);
    expect(snapshots.map((s) => s.snapshotId)).toEqual([
      'frankfurter-USD-20240110T150000Z',
      'frankfurter-USD-20240111T150000Z',
      'frankfurter-USD-20240112T150000Z',
    ]);
    expect(snapshots[1].rates).toEqual([
      { quote: 'EUR', rate: '0.91017' },
      { quote: 'GBP', rate: '0.78406' },
    ]);
  });
});

describe('createFrankfurterRateProvider', () => {
  it('calls /v1/latest with the base and returns the raw body', async () => {
    const { fetchImpl, calls } = fakeFetch(
      reply(200, latest, { 'content-type': 'application/json' }),
    );
    const provider = createFrankfurterRateProvider({ http: fastHttp(fetchImpl) });
    const { snapshot, raw } = await provider.fetchLatest();
    expect(calls[0].url).toBe('https://api.frankfurter.dev/v1/latest?base=EUR');
    expect(snapshot.rates).toHaveLength(30);
    expect(raw).toEqual({ body: latest, contentType: 'application/json', extension: 'json' });
  });

  it('calls the time series endpoint and keeps only days in the range', async () => {
    const { fetchImpl, calls } = fakeFetch(reply(200, series));
    const provider = createFrankfurterRateProvider({
      baseUrl: 'http://127.0.0.1:9/',
      base: 'USD',
      http: fastHttp(fetchImpl),
    });
    const { snapshots } = await provider.fetchHistory!({ from: '2024-01-11', to: '2024-01-12' });
    expect(calls[0].url).toBe('http://127.0.0.1:9/v1/2024-01-11..2024-01-12?base=USD');
    expect(snapshots.map((s) => s.rateDate)).toEqual(['2024-01-11', '2024-01-12']);
  });
});
