import {
  createCoinGeckoRateProvider,
  parseCoinGeckoSimplePrice,
} from '../../../lambdas/adapters/http/coingecko-rate-provider';
import { RatePayloadError } from '../../../lambdas/adapters/http/provider-errors';
import { quotePerBase } from '../../../lambdas/domain/rate-snapshot';
import { fakeFetch, fastHttp, fixture, reply } from './fake-fetch';

const now = new Date('2024-05-01T10:15:42.123Z');
// The shape /simple/price returns with include_last_updated_at=true&precision=full (values made up).
const full =
  '{"bitcoin":{"usd":63251.1046,"last_updated_at":1714558500},' +
  '"ethereum":{"usd":3012.580,"last_updated_at":1714558512},' +
  '"solana":{"usd":135.71892201,"last_updated_at":1714558490}}';

describe('parseCoinGeckoSimplePrice', () => {
  it('parses the real /simple/price body as USD per coin (base-per-quote)', () => {
    const snapshot = parseCoinGeckoSimplePrice(
      fixture('coingecko_simple_price_ethereum_usd.json'),
      { fetchedAt: now },
    );
    expect(snapshot).toMatchObject({
      provider: 'coingecko',
      base: 'USD',
      // No last_updated_at in this body: the fetch minute stands in.
      inForceFrom: '2024-05-01T10:15:00.000Z',
      fetchedAt: now.toISOString(),
      snapshotId: 'coingecko-USD-20240501T101500Z',
      rates: [{ quote: 'ETH', rate: '1498.64', orientation: 'base-per-quote' }],
    });
  });

  it('is in force from the newest last_updated_at (no price before it was published) and keeps every digit', () => {
    const snapshot = parseCoinGeckoSimplePrice(full, { fetchedAt: now });
    expect(snapshot.inForceFrom).toBe('2024-05-01T10:15:12.000Z');
    expect(snapshot.rates.map((r) => `${r.quote}=${r.rate}`)).toEqual([
      'BTC=63251.1046',
      'ETH=3012.580',
      'SOL=135.71892201',
    ]);
    expect(
      quotePerBase(snapshot.rates[1]).times('3012.58').toSignificantDigits(40).toString(),
    ).toBe('1');
  });

  it('maps coin ids through the configured symbols and ignores unmapped coins', () => {
    const snapshot = parseCoinGeckoSimplePrice(full, { fetchedAt: now, ids: { solana: 'sol' } });
    expect(snapshot.rates).toEqual([
      { quote: 'SOL', rate: '135.71892201', orientation: 'base-per-quote' },
    ]);
  });

  it.each([
    ['not JSON', 'Throttled'],
    ['no known coins', '{}'],
    ['a zero price', '{"bitcoin":{"usd":0}}'],
    ['a negative price', '{"bitcoin":{"usd":-1}}'],
    ['a missing vs currency', '{"bitcoin":{"eur":60000}}'],
    ['a coin that is not an object', '{"bitcoin":60000}'],
    ['a bad timestamp', '{"bitcoin":{"usd":60000,"last_updated_at":-5}}'],
    ['an update in 2099', '{"bitcoin":{"usd":60000,"last_updated_at":4102444800}}'],
  ])('rejects %s', (_label, body) => {
    expect(() => parseCoinGeckoSimplePrice(body, { fetchedAt: now })).toThrow(RatePayloadError);
    expect(() => parseCoinGeckoSimplePrice(body, { fetchedAt: now })).toThrow(/^coingecko: /);
  });
});

describe('createCoinGeckoRateProvider', () => {
  it('requests full precision with timestamps and sends the demo key', async () => {
    const { fetchImpl, calls } = fakeFetch(reply(200, full));
    const provider = createCoinGeckoRateProvider({ apiKey: 'demo-key', http: fastHttp(fetchImpl) });
    const { snapshot, raw } = await provider.fetchLatest();
    expect(calls[0].url).toBe(
      'https://api.coingecko.com/api/v3/simple/price?ids=bitcoin,ethereum,solana&vs_currencies=usd' +
        '&include_last_updated_at=true&precision=full',
    );
    expect(calls[0].headers['x-cg-demo-api-key']).toBe('demo-key');
    expect(snapshot.rates).toHaveLength(3);
    expect(raw).toMatchObject({ body: full, extension: 'json' });
  });
});
