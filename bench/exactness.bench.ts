import '../lib/local-platform/esm-only-packages';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import currencyCodes from 'currency-codes';
import { mulberry32 } from '../lambdas/adapters/simulated/seeded-random';
import { parseCoinGeckoSimplePrice } from '../lambdas/adapters/http/coingecko-rate-provider';
import { parseEcbXml } from '../lambdas/adapters/http/ecb-rate-provider';
import { findCurrency } from '../lambdas/domain/currency';
import type { RatePolicy } from '../lambdas/domain/rate-policy';
import type { RateSnapshot } from '../lambdas/domain/rate-snapshot';
import { STALE_AFTER } from '../lib/config/stage-config';
import type { BenchFigure } from './figures';
import { convertInProcess } from './in-memory-api';

const CONVERSIONS = Number(process.env.BENCH_CONVERSIONS ?? 1_000_000);
const SEED = 20_260_101;
const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures', 'rates');
/** What a missed tie means, and where to look; printed when one does. */
const TIE_NOTE =
  'A tie that misses means a path rounds before it multiplies: a rounded cross rate leaves an exact half a hair below ' +
  'or above it, and half-even then goes the wrong way. The domain converts with one division of the exact fraction ' +
  '(lambdas/domain/cross-rate.ts convert: amount x numerator / denominator, rounded once); look for a path that does not.';

/** Crypto assets are kept to 8 decimals (DESIGN: "crypto 8"); fiat per ISO 4217 (currency-codes). */
const CRYPTO_DIGITS = 8;

/**
 * 1,000,000 random conversions through `GET /v1/convert` (the handler, in-process) against a
 * reference written here with BigInt rationals only: the exact value of amount × (to per EUR) ÷
 * (from per EUR), rounded half-even to the target's minor units. The rates are real publications:
 * ECB's 2022-07-08 reference rates (EUR base) and CoinGecko's ETH price in USD, so the API
 * crosses inside ECB's table and, for ETH, through USD, as it does in production.
 */
export async function run(): Promise<BenchFigure[]> {
  const published = realRates();
  const perEur = perEurTable(published);
  const codes = [...perEur.keys()].filter((code) => findCurrency(code) && digitsOf(code) !== undefined).sort();
  const convert = convertInProcess(published, POLICY, NOW);
  const random = mulberry32(SEED);

  let mismatches = 0;
  const examples: string[] = [];
  const started = process.hrtime.bigint();
  for (let i = 0; i < CONVERSIONS; i++) {
    const from = codes[Math.floor(random() * codes.length)];
    const to = codes[Math.floor(random() * codes.length)];
    const amount = randomAmount(random);
    const response = await convert(from, to, amount);
    const expected = expectedAnswer(times(rational(amount), divide(perEur.get(to)!, perEur.get(from)!)), digitsOf(to)!);
    const converted = answerOf(response);
    if (converted !== expected) {
      mismatches += 1;
      if (examples.length < 5) examples.push(`${amount} ${from}->${to}: API ${converted}, exact ${expected}`);
    }
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  // Random amounts almost never land exactly on a half; these do. X -> EUR of amount
  // 5 x n x (2j + 1) / 10^(k + 3), where X's rate is n / 10^k, is exactly (2j + 1) / 200 EUR.
  let ties = 0;
  let tieMismatches = 0;
  for (const from of codes.filter((c) => c !== 'EUR' && c !== 'ETH')) {
    const { n, d } = perEur.get(from)!;
    for (let j = 0n; j < 100n; j++) {
      const amount = decimalText(5n * n * (2n * j + 1n), d * 1000n);
      const converted = answerOf(await convert(from, 'EUR', amount));
      const expected = expectedAnswer(times(rational(amount), divide(perEur.get('EUR')!, perEur.get(from)!)), 2);
      ties += 1;
      if (converted !== expected) {
        tieMismatches += 1;
        if (examples.length < 5) examples.push(`${amount} ${from}->EUR (a tie): API ${converted}, exact ${expected}`);
      }
    }
  }
  return [
    {
      figure: `exactness: ${CONVERSIONS.toLocaleString('en-US')} random conversions vs a BigInt-rational reference, mismatches`,
      value: mismatches,
      target: '0',
      met: mismatches === 0,
      note:
        mismatches > 0
          ? `e.g. ${examples.join('; ')}`
          : `${codes.length} currencies (ECB 2022-07-08 + ETH via USD), amounts 1e-8 to 1e12, seed ${SEED}, ${Math.round(CONVERSIONS / seconds).toLocaleString('en-US')} conversions/s`,
    },
    {
      figure: `exactness: ${ties.toLocaleString('en-US')} conversions whose exact result is a half-cent tie, mismatches`,
      value: tieMismatches,
      target: '0',
      met: tieMismatches === 0,
      ...(tieMismatches > 0 ? { note: `${TIE_NOTE} E.g. ${examples.join('; ')}` } : {}),
    },
  ];
}

const ROUNDS_TO_ZERO = '422 AMOUNT_ROUNDS_TO_ZERO';

/** The converted amount, or the refusal of one that rounds to zero; anything else stops the bench. */
function answerOf(response: { statusCode: number; body: string }): string {
  const body = JSON.parse(response.body) as { converted?: string; error?: { code: string } };
  if (response.statusCode === 200 && body.converted !== undefined) return body.converted;
  if (response.statusCode === 422 && body.error?.code === 'AMOUNT_ROUNDS_TO_ZERO') return ROUNDS_TO_ZERO;
  throw new Error(`convert answered ${response.statusCode}: ${response.body}`);
}

// ---- the reference: BigInt rationals, nothing from the project's Decimal ----------------

/** What the API should answer: the exact value rounded half-even, or the refusal of an amount that rounds to zero. */
function expectedAnswer(exact: Rational, digits: number): string {
  const rounded = roundHalfEven(exact, digits);
  return /^[0.]+$/.test(rounded) ? ROUNDS_TO_ZERO : rounded;
}

interface Rational {
  readonly n: bigint;
  readonly d: bigint;
}

/** A plain decimal string ("1498.64") as an exact fraction. */
function rational(text: string): Rational {
  const [whole, fraction = ''] = text.split('.');
  return { n: BigInt(whole + fraction), d: 10n ** BigInt(fraction.length) };
}

const times = (a: Rational, b: Rational): Rational => ({ n: a.n * b.n, d: a.d * b.d });
const divide = (a: Rational, b: Rational): Rational => ({ n: a.n * b.d, d: a.d * b.n });

/** n / d as a plain decimal string, for a d that is a power of ten. */
function decimalText(n: bigint, d: bigint): string {
  const digits = d.toString().length - 1;
  const text = n.toString().padStart(digits + 1, '0');
  if (digits === 0) return text;
  const fraction = text.slice(-digits).replace(/0+$/, '');
  return fraction ? `${text.slice(0, -digits)}.${fraction}` : text.slice(0, -digits);
}

/** A positive fraction rounded half-even to `digits` decimals, as a plain string with exactly that many. */
function roundHalfEven(value: Rational, digits: number): string {
  const scaled = value.n * 10n ** BigInt(digits);
  let units = scaled / value.d;
  const twiceRemainder = 2n * (scaled - units * value.d);
  if (twiceRemainder > value.d || (twiceRemainder === value.d && units % 2n === 1n)) units += 1n;
  const text = units.toString().padStart(digits + 1, '0');
  return digits === 0 ? text : `${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

function digitsOf(code: string): number | undefined {
  if (code === 'ETH') return CRYPTO_DIGITS;
  return currencyCodes.code(code)?.digits;
}

/** Units of each currency per 1 EUR, exactly, from the published numbers. */
function perEurTable([ecb, coingecko]: readonly RateSnapshot[]): Map<string, Rational> {
  const table = new Map<string, Rational>([['EUR', { n: 1n, d: 1n }]]);
  for (const r of ecb.rates) table.set(r.quote, rational(r.rate));
  // CoinGecko publishes USD per ETH: ETH per EUR = (USD per EUR) / (USD per ETH).
  const eth = coingecko.rates.find((r) => r.quote === 'ETH')!;
  table.set('ETH', divide(table.get('USD')!, rational(eth.rate)));
  return table;
}

// ---- inputs --------------------------------------------------------------------------------

/** The instant asked: after both publications came into force, while both are fresh. */
const NOW = new Date('2022-07-08T15:05:00.000Z');
/** As in production: fiat from the ECB, crypto from CoinGecko (valued in USD, which the ECB values in EUR). */
const POLICY: RatePolicy = {
  fiat: [{ provider: 'ecb', staleAfter: STALE_AFTER.ecb }],
  crypto: [{ provider: 'coingecko', staleAfter: STALE_AFTER.coingecko }],
};

/** The real publications the conversions use, parsed by the providers' adapters: [ECB, CoinGecko]. */
function realRates(): [RateSnapshot, RateSnapshot] {
  const [ecb] = parseEcbXml(readFileSync(path.join(FIXTURES, 'ecb_eurofxref-daily_2022-07-08.xml'), 'utf8'), NOW);
  const coingecko = parseCoinGeckoSimplePrice(readFileSync(path.join(FIXTURES, 'coingecko_simple_price_ethereum_usd.json'), 'utf8'), {
    ids: { ethereum: 'ETH' },
    fetchedAt: NOW,
  });
  return [ecb, coingecko];
}

/** An amount from 1e-8 to 1e12: 1–12 integer digits (log-uniform size), 0–8 fraction digits. */
function randomAmount(random: () => number): string {
  const integerDigits = 1 + Math.floor(random() * 12);
  let whole = String(1 + Math.floor(random() * 9));
  for (let i = 1; i < integerDigits; i++) whole += String(Math.floor(random() * 10));
  if (random() < 0.3) whole = '0';
  const fractionDigits = Math.floor(random() * 9);
  let fraction = '';
  for (let i = 0; i < fractionDigits; i++) fraction += String(Math.floor(random() * 10));
  if (whole === '0' && !/[1-9]/.test(fraction)) fraction = `${fraction}1`;
  return fraction ? `${whole}.${fraction}` : whole;
}
