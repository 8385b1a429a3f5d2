import {
  createEcbRateProvider,
  parseEcbXml,
} from '../../../lambdas/adapters/http/ecb-rate-provider';
import { RatePayloadError } from '../../../lambdas/adapters/http/provider-errors';
import { fakeFetch, fastHttp, fixture, reply } from './fake-fetch';

const daily = fixture('ecb_eurofxref-daily_2022-07-08.xml');
/** Half an hour after the 2022-07-08 publication (16:00 CEST = 14:00 UTC). */
const FETCHED = new Date('2022-07-08T14:30:00.000Z');
/** After the history file's days. */
const LATER = new Date('2024-02-01T12:00:00.000Z');

const wrap = (cubes: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><gesmes:Envelope><Cube>${cubes}</Cube></gesmes:Envelope>`;

const history = wrap(`
  <Cube time="2024-01-12"><Cube currency="USD" rate="1.0950"/><Cube currency="JPY" rate="158.96"/></Cube>
  <Cube time="2024-01-11"><Cube currency="USD" rate="1.0987"/><Cube currency="JPY" rate="160.17"/></Cube>
  <Cube time="2024-01-10"><Cube currency="USD" rate="1.0946"/><Cube currency="JPY" rate="158.99"/></Cube>`);

describe('parseEcbXml', () => {
  it('parses the real daily feed of 2022-07-08', () => {
    const [snapshot, ...rest] = parseEcbXml(daily, FETCHED);
    expect(rest).toHaveLength(0);
    expect(snapshot).toMatchObject({
      snapshotId: 'ecb-EUR-20220708T140000Z',
      provider: 'ecb',
      base: 'EUR',
      // In force from 16:00 Berlin (summer time) on its date, not from midnight.
      inForceFrom: '2022-07-08T14:00:00.000Z',
      rateDate: '2022-07-08',
      fetchedAt: FETCHED.toISOString(),
    });
    expect(snapshot.rates).toHaveLength(31);
    const rate = (quote: string) => snapshot.rates.find((r) => r.quote === quote)?.rate;
    expect(rate('USD')).toBe('1.0163');
    expect(rate('JPY')).toBe('138.05');
    expect(rate('GBP')).toBe('0.84585');
    expect(rate('IDR')).toBe('15210.73');
    expect(rate('HRK')).toBe('7.5190');
    expect(rate('RUB')).toBeUndefined();
  });

  it('keeps trailing zeros as published', () => {
    const rates = parseEcbXml(daily, FETCHED)[0].rates;
    expect(rates.filter((r) => /0$/.test(r.rate)).map((r) => `${r.quote}=${r.rate}`)).toEqual([
      'PLN=4.7630',
      'ISK=139.50',
      'NOK=10.2630',
      'HRK=7.5190',
      'INR=80.5280',
    ]);
  });

  it('reads double quotes, any attribute order and odd whitespace the same as single quotes', () => {
    const single = parseEcbXml(
      wrap(`<Cube time='2022-07-08'><Cube currency='USD' rate='1.0163'/></Cube>`),
      FETCHED,
    );
    const double = parseEcbXml(
      wrap(`<Cube\n time = "2022-07-08" >\n\t<Cube  rate="1.0163"\tcurrency="USD" /></Cube>`),
      FETCHED,
    );
    expect(double).toEqual(single);
  });

  it('parses a multi-day history file, one snapshot per day', () => {
    const snapshots = parseEcbXml(history, LATER);
    // January: 16:00 Berlin is 15:00 UTC.
    expect(snapshots.map((s) => s.snapshotId)).toEqual([
      'ecb-EUR-20240112T150000Z',
      'ecb-EUR-20240111T150000Z',
      'ecb-EUR-20240110T150000Z',
    ]);
    expect(snapshots[2].rates).toEqual([
      { quote: 'USD', rate: '1.0946' },
      { quote: 'JPY', rate: '158.99' },
    ]);
  });

  it.each([
    ['not XML', '{"rates":{}}'],
    ['empty body', ''],
    ['an empty day Cube', wrap(`<Cube time='2022-07-08'></Cube>`)],
    ['rate "0"', wrap(`<Cube time='2022-07-08'><Cube currency='USD' rate='0'/></Cube>`)],
    ['rate "-1"', wrap(`<Cube time='2022-07-08'><Cube currency='USD' rate='-1'/></Cube>`)],
    ['rate "abc"', wrap(`<Cube time='2022-07-08'><Cube currency='USD' rate='abc'/></Cube>`)],
    ['a missing time', wrap(`<Cube><Cube currency='USD' rate='1.0163'/></Cube>`)],
    ['a bad time', wrap(`<Cube time='2022-13-08'><Cube currency='USD' rate='1.0163'/></Cube>`)],
    ['a missing rate', wrap(`<Cube time='2022-07-08'><Cube currency='USD'/></Cube>`)],
    [
      'a duplicate currency',
      wrap(
        `<Cube time='2022-07-08'><Cube currency='USD' rate='1'/><Cube currency='USD' rate='2'/></Cube>`,
      ),
    ],
  ])('rejects %s', (_label, xml) => {
    expect(() => parseEcbXml(xml, FETCHED)).toThrow(RatePayloadError);
    expect(() => parseEcbXml(xml, FETCHED)).toThrow(/^ecb: /);
  });

  it('refuses a mirror serving a day in the future (2099-12-31), which would pin "latest" for good', () => {
    const pinned = wrap(`<Cube time='2099-12-31'><Cube currency='USD' rate='1.0163'/></Cube>`);
    expect(() => parseEcbXml(pinned, FETCHED)).toThrow(RatePayloadError);
    expect(() => parseEcbXml(pinned, FETCHED)).toThrow(
      'ecb: publication for 2099-12-31 is in force from 2099-12-31T15:00:00.000Z, later than now (2022-07-08T14:30:00.000Z) plus 300 s: refused as future-dated',
    );
  });

  it('accepts a publication a few minutes early, refuses one later than the skew allows', () => {
    const today = wrap(`<Cube time='2022-07-08'><Cube currency='USD' rate='1.0163'/></Cube>`);
    expect(parseEcbXml(today, new Date('2022-07-08T13:55:00.000Z'))).toHaveLength(1);
    expect(() => parseEcbXml(today, new Date('2022-07-08T13:54:59.999Z'))).toThrow(/future-dated/);
  });
});

describe('createEcbRateProvider', () => {
  it('fetches the daily file and returns the raw XML', async () => {
    const { fetchImpl, calls } = fakeFetch(reply(200, daily, { 'content-type': 'text/xml' }));
    const provider = createEcbRateProvider({ http: fastHttp(fetchImpl), clock: () => FETCHED });
    const { snapshot, raw } = await provider.fetchLatest();
    expect(calls[0].url).toBe('https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml');
    expect(snapshot.snapshotId).toBe('ecb-EUR-20220708T140000Z');
    expect(raw).toEqual({ body: daily, contentType: 'text/xml', extension: 'xml' });
  });

  it('uses the 90-day file for a recent range and filters to it, oldest first', async () => {
    const { fetchImpl, calls } = fakeFetch(reply(200, history));
    const provider = createEcbRateProvider({
      baseUrl: 'http://127.0.0.1:9/ecb/eurofxref-daily.xml',
      clock: () => new Date('2024-02-01T12:00:00Z'),
      http: fastHttp(fetchImpl),
    });
    const { snapshots } = await provider.fetchHistory!({ from: '2024-01-11', to: '2024-01-31' });
    expect(calls[0].url).toBe('http://127.0.0.1:9/ecb/eurofxref-hist-90d.xml');
    expect(snapshots.map((s) => [s.rateDate, s.inForceFrom])).toEqual([
      ['2024-01-11', '2024-01-11T15:00:00.000Z'],
      ['2024-01-12', '2024-01-12T15:00:00.000Z'],
    ]);
  });

  it('uses the full history file for an older range; a directory base URL works too', async () => {
    const { fetchImpl, calls } = fakeFetch(reply(200, history));
    const provider = createEcbRateProvider({
      baseUrl: 'http://127.0.0.1:9/ecb/',
      clock: () => new Date('2024-12-01T00:00:00Z'),
      http: fastHttp(fetchImpl),
    });
    const { snapshots } = await provider.fetchHistory!({ from: '2024-01-10', to: '2024-01-10' });
    expect(calls[0].url).toBe('http://127.0.0.1:9/ecb/eurofxref-hist.xml');
    expect(snapshots).toHaveLength(1);
  });
});
