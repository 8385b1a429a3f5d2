import fc from 'fast-check';
import type { RatePolicy, SourceRule } from '../../../lambdas/domain/rate-policy';
import { PROVIDER_PROFILES, type RateProviderName } from '../../../lambdas/domain/rate-publication';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import type { EnrichedTransaction } from '../../../lambdas/domain/transaction';
import { HttpError } from '../../../lambdas/shared/http';
import { processTransactions } from '../../../lambdas/use-cases/process-transactions';
import { quote } from '../../../lambdas/use-cases/rate-queries';
import { memoryRateSources, snapshotOf } from '../../support/rates';
import { feedTransaction, HMAC_KEY, RULES, transactionMessage } from '../../support/transactions';
import { memoryCurrencyStore } from '../api/fakes';

/**
 * Random published histories (providers, bases, orientations, publication instants), random
 * policies (source order, staleness windows) and random instants: GET /v1/convert?at= (the use
 * case over in-memory adapters) and process-transactions' amount_base agree to the last digit,
 * and both equal a reference written here with BigInt rationals (none of the project's Decimal
 * code): the policy applied by hand, the rate as an exact fraction, rounded once half-even.
 */

const FIAT = ['EUR', 'USD', 'JPY', 'GBP', 'KWD'] as const;
const CRYPTO = ['BTC', 'ETH'] as const;
const START = Date.parse('2024-01-01T00:00:00.000Z');
const END = Date.parse('2024-02-01T00:00:00.000Z');
const HOUR = 3_600_000;

// ---- the reference: exact rationals ---------------------------------------------------------

interface Q {
  readonly n: bigint;
  readonly d: bigint;
}
const q = (text: string): Q => {
  const [whole, fraction = ''] = text.split('.');
  return { n: BigInt(whole + fraction), d: 10n ** BigInt(fraction.length) };
};
const times = (a: Q, b: Q): Q => ({ n: a.n * b.n, d: a.d * b.d });
const over = (a: Q, b: Q): Q => ({ n: a.n * b.d, d: a.d * b.n });
const ONE: Q = { n: 1n, d: 1n };

/** a rounded half-even to `places` decimals, as a plain decimal string. */
function roundHalfEven(a: Q, places: number): string {
  const scaled = a.n * 10n ** BigInt(places);
  let whole = scaled / a.d;
  const twice = 2n * (scaled % a.d);
  if (twice > a.d || (twice === a.d && whole % 2n === 1n)) whole += 1n;
  const digits = whole.toString().padStart(places + 1, '0');
  return places === 0 ? digits : `${digits.slice(0, -places)}.${digits.slice(-places)}`;
}

/** Without trailing fraction zeros: "1.50" and "1.5" are the same number. */
const plain = (text: string) => (text.includes('.') ? text.replace(/0+$/, '').replace(/\.$/, '') : text);

const windowMs = (rule: SourceRule) => Number(/^PT(\d+)H$/.exec(rule.staleAfter as string)![1]) * HOUR;

/** Units of `base` per 1 `code` in a snapshot, as published. */
function valueIn(s: RateSnapshot, code: string): Q | undefined {
  if (code === s.base) return ONE;
  const r = s.rates.find((x) => x.quote === code);
  if (!r) return undefined;
  return r.orientation === 'base-per-quote' ? q(r.rate) : over(ONE, q(r.rate));
}

/** USD per 1 `from` at `at` by the policy, or undefined when the policy gives no rate. */
function reference(policy: RatePolicy, stored: readonly RateSnapshot[], from: string, to: string, at: string): Q | undefined {
  const inForce = (provider: RateProviderName) =>
    stored.filter((s) => s.provider === provider && s.inForceFrom <= at).sort((a, b) => (a.inForceFrom < b.inForceFrom ? 1 : -1))[0];
  const source = (code: string) => {
    const rules = (CRYPTO as readonly string[]).includes(code) ? policy.crypto : policy.fiat;
    for (const rule of rules) {
      const s = inForce(rule.provider);
      if (s && valueIn(s, code) && Date.parse(at) < Date.parse(s.inForceFrom) + windowMs(rule)) return s;
    }
    return undefined;
  };
  /** Each currency on the chain with the units of it per 1 `code`. */
  const chain = (code: string) => {
    const nodes: { code: string; per: Q }[] = [{ code, per: ONE }];
    for (;;) {
      const last = nodes[nodes.length - 1];
      const s = source(last.code);
      if (!s || s.base === last.code || nodes.some((n) => n.code === s.base)) return nodes;
      nodes.push({ code: s.base, per: times(last.per, valueIn(s, last.code)!) });
    }
  };
  if (from === to) return ONE;
  const a = chain(from);
  const b = chain(to);
  const meeting = a.find((n) => b.some((m) => m.code === n.code));
  if (!meeting) return undefined;
  return over(meeting.per, b.find((m) => m.code === meeting.code)!.per);
}

// ---- random histories ---------------------------------------------------------------------

const decimal = fc
  .tuple(fc.integer({ min: 1, max: 99_999_999 }), fc.integer({ min: 0, max: 8 }))
  .map(([n, scale]) => {
    const digits = String(n).padStart(scale + 1, '0');
    return scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  });

/** What each provider may publish (the ECB no KWD, CoinGecko coins only), and which way round. */
const PUBLISHES: Record<string, readonly string[]> = {
  ecb: ['USD', 'JPY', 'GBP'],
  oxr: ['EUR', 'JPY', 'GBP', 'KWD', 'BTC'],
  coingecko: ['BTC', 'ETH'],
  simulated: ['USD', 'JPY', 'GBP', 'KWD', 'BTC', 'ETH'],
};

const publication = (provider: RateProviderName) =>
  fc.record({
    at: fc.integer({ min: START - 5 * 24 * HOUR, max: END }),
    rates: fc.subarray([...PUBLISHES[provider]], { minLength: 1 }).chain((quotes) =>
      fc.tuple(...quotes.map((quote) => fc.tuple(fc.constant(quote), decimal, fc.boolean()))),
    ),
  });

const history = fc.record({
  ecb: fc.array(publication('ecb'), { minLength: 1, maxLength: 5 }),
  oxr: fc.array(publication('oxr'), { minLength: 1, maxLength: 5 }),
  coingecko: fc.array(publication('coingecko'), { minLength: 1, maxLength: 5 }),
  simulated: fc.array(publication('simulated'), { minLength: 1, maxLength: 5 }),
});

const rules = (providers: readonly RateProviderName[]) =>
  fc
    .shuffledSubarray([...providers], { minLength: 1 })
    .chain((order) =>
      fc.tuple(
        // Mostly windows of weeks; sometimes hours, so stale sources and fallbacks occur.
        ...order.map((provider) =>
          fc.oneof(fc.integer({ min: 1, max: 48 }), fc.integer({ min: 500, max: 2000 }), fc.integer({ min: 500, max: 2000 })).map((h): SourceRule => ({ provider, staleAfter: `PT${h}H` })),
        ),
      ),
    );

const policy = fc.record({ fiat: rules(['ecb', 'oxr', 'simulated']), crypto: rules(['coingecko', 'oxr', 'simulated']) });

function snapshotsOf(generated: Record<string, readonly { at: number; rates: readonly (readonly [string, string, boolean])[] }[]>): RateSnapshot[] {
  const snapshots = new Map<string, RateSnapshot>();
  for (const [name, publications] of Object.entries(generated)) {
    const provider = name as RateProviderName;
    const daily = PROVIDER_PROFILES[provider].schedule === 'target-daily';
    for (const p of publications) {
      const at = new Date(p.at).toISOString();
      const rates = p.rates.map(([quote, rate, flipped]) => ({
        quote,
        rate,
        // Coins are priced per coin (base-per-quote) by CoinGecko; elsewhere either way round.
        ...((provider === 'coingecko' || flipped) && { orientation: 'base-per-quote' as const }),
      }));
      const s = snapshotOf(daily ? at.slice(0, 10) : at, rates, { provider, base: PROVIDER_PROFILES[provider].base });
      snapshots.set(s.snapshotId, s);
    }
  }
  return [...snapshots.values()];
}

// ---- the property -------------------------------------------------------------------------

describe('rate resolution (property)', () => {
  it('convert?at= and process-transactions give the same amount, and it is the exact reference rounded once', async () => {
    await fc.assert(
      fc.asyncProperty(
        history,
        policy,
        fc.constantFrom(...FIAT, ...CRYPTO),
        fc.integer({ min: START - 2 * 24 * HOUR, max: END }),
        decimal,
        async (generated, rulesOf, from, atMs, amount) => {
          const stored = snapshotsOf(generated);
          const chosen: RatePolicy = { fiat: rulesOf.fiat, crypto: rulesOf.crypto };
          const at = new Date(atMs).toISOString();
          const clock = () => new Date(END + 24 * HOUR);
          const expected = reference(chosen, stored, from, 'USD', at);

          // The API: GET /v1/convert?from=&to=USD&amount=&at= through the use case.
          const api = { ...memoryRateSources(chosen, stored, { clock }), currencies: memoryCurrencyStore(), clock };
          const quoted = await quote(api, { from, to: 'USD', amount, at }).catch((error: unknown) => {
            if (error instanceof HttpError || (error as { code?: string }).code) return error as { code: string };
            throw error;
          });

          // The pipeline: one transaction at that instant, received a second later.
          const items = new Map<string, EnrichedTransaction>();
          const pipeline = await processTransactions(
            {
              rates: memoryRateSources(chosen, stored, { clock }),
              rateWait: { retryAfterSeconds: 15, maxRetryAfterSeconds: 300, maxWaitSeconds: 1800 },
              clock,
              store: { putAll: async (ts) => (ts.forEach((t) => items.set(t.transaction_id, t)), { unwritten: [], rejected: [] }) },
              lake: { put: async () => undefined },
              highValue: { publish: async () => undefined },
              rules: RULES,
              hmacKey: HMAC_KEY,
              quarantinePrefix: 'quarantine/transactions',
            },
            [transactionMessage('m', feedTransaction({ currency: from, amount, timestamp: at }), new Date(atMs + 1000).toISOString())],
          );
          const stored1 = items.get('tx-1');

          if (!expected) {
            expect('code' in quoted && ['NO_RATE_AT_TIME', 'RATE_STALE', 'RATE_NOT_FOUND'].includes(quoted.code)).toBe(true);
            expect(stored1).toBeUndefined();
            expect(pipeline.stored).toBe(0);
            return;
          }
          const usd = roundHalfEven(times(q(amount), expected), 2);
          expect(stored1?.amount_base).toBe(usd);
          if (usd === '0.00') {
            expect(quoted).toMatchObject({ code: 'AMOUNT_ROUNDS_TO_ZERO' });
            return;
          }
          expect(quoted).toMatchObject({ converted: usd, asOf: stored1!.rate_as_of, provider: stored1!.rate_provider });
          // The rate shown is the exact fraction to 38 decimals, half-even.
          expect(plain((quoted as { rate: string }).rate)).toBe(plain(roundHalfEven(expected, 38)));
        },
      ),
      { numRuns: 500, seed: 20240110 },
    );
  });
});
