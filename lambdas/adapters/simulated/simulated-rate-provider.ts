import { Decimal } from '../../domain/decimal';
import {
  buildSnapshot,
  daysOf,
  type PublishedRate,
  type RateOrientation,
  type RateSnapshot,
} from '../../domain/rate-snapshot';
import { publicationOf } from '../../domain/rate-publication';
import type {
  DayRange,
  FetchedHistory,
  FetchedRates,
  RateProvider,
  RawPayload,
} from '../../ports/rate-provider';
import { hashInts, mulberry32 } from './seeded-random';

export interface SimulatedOptions {
  readonly seed?: number;
  readonly clock?: () => Date;
}

interface Instrument {
  readonly quote: string;
  /** Centre of the walk, as a decimal string. */
  readonly anchor: string;
  /** Standard deviation of one minute's log move. */
  readonly volatility: number;
  readonly orientation?: RateOrientation;
}

const FIAT = 0.0002;
const CRYPTO = 0.002;

/** EUR base, realistic magnitudes: 3-decimal currencies (KWD), big numbers (IDR) and crypto both ways. */
export const SIMULATED_INSTRUMENTS: readonly Instrument[] = [
  { quote: 'USD', anchor: '1.08', volatility: FIAT },
  { quote: 'GBP', anchor: '0.85', volatility: FIAT },
  { quote: 'JPY', anchor: '160', volatility: FIAT },
  { quote: 'CHF', anchor: '0.95', volatility: FIAT },
  { quote: 'KWD', anchor: '0.33', volatility: FIAT },
  { quote: 'CAD', anchor: '1.47', volatility: FIAT },
  { quote: 'AUD', anchor: '1.63', volatility: FIAT },
  { quote: 'CNY', anchor: '7.8', volatility: FIAT },
  { quote: 'INR', anchor: '90', volatility: FIAT },
  { quote: 'SEK', anchor: '11.5', volatility: FIAT },
  { quote: 'PLN', anchor: '4.3', volatility: FIAT },
  { quote: 'MXN', anchor: '19.5', volatility: FIAT },
  { quote: 'BRL', anchor: '5.9', volatility: FIAT },
  { quote: 'IDR', anchor: '17500', volatility: FIAT },
  // Bitcoin as a tiny quote-per-base value (BTC per EUR), the others as EUR per coin.
  { quote: 'BTC', anchor: '0.0000105', volatility: CRYPTO },
  { quote: 'ETH', anchor: '3200', volatility: CRYPTO, orientation: 'base-per-quote' },
  { quote: 'SOL', anchor: '150', volatility: CRYPTO, orientation: 'base-per-quote' },
];

const SIGNIFICANT_DIGITS = 8;
const MINUTE_MS = 60_000;
const MINUTES_PER_DAY = 1440;

/**
 * The rates at `asOf` (whole minute) as a pure function of (seed, asOf): each instrument walks
 * minute by minute from its anchor, restarting every UTC day from a seeded daily offset and
 * pulled gently back to the anchor so it never drifts far.
 */
export function simulatedRates(seed: number, asOf: Date): PublishedRate[] {
  const minute = Math.floor(asOf.getTime() / MINUTE_MS);
  const day = Math.floor(minute / MINUTES_PER_DAY);
  const minuteOfDay = minute - day * MINUTES_PER_DAY;
  return SIMULATED_INSTRUMENTS.map(({ quote, anchor, volatility, orientation }, index) => {
    const random = mulberry32(hashInts(seed, day, index));
    let logMove = (random() - 0.5) * 100 * volatility;
    for (let m = 0; m <= minuteOfDay; m++) {
      logMove = logMove * 0.995 + (random() - 0.5) * 2 * volatility;
    }
    // The float only shapes the walk; the published digits come from Decimal at fixed precision.
    const rate = new Decimal(anchor)
      .times(new Decimal(logMove.toFixed(12)).exp())
      .toPrecision(SIGNIFICANT_DIGITS);
    return orientation ? { quote, rate, orientation } : { quote, rate };
  });
}

export function createSimulatedRateProvider(options: SimulatedOptions = {}): RateProvider {
  const seed = options.seed ?? 42;
  const clock = options.clock ?? (() => new Date());
  /** The publication of the tick `at`, fetched now. */
  const snapshotAt = (at: Date) =>
    buildSnapshot('simulated', 'EUR', publicationOf('simulated', at.toISOString()), simulatedRates(seed, at), clock());

  return {
    name: 'simulated',
    async fetchLatest(): Promise<FetchedRates> {
      const now = clock().getTime();
      const snapshot = snapshotAt(new Date(now - (now % MINUTE_MS)));
      return { snapshot, raw: rawOf(seed, snapshot) };
    },
    async fetchHistory(range: DayRange): Promise<FetchedHistory> {
      const snapshots = daysOf(range).map((day) => snapshotAt(new Date(`${day}T00:00:00.000Z`)));
      return { snapshots, raw: rawOf(seed, snapshots) };
    },
  };
}

function rawOf(seed: number, snapshots: RateSnapshot | readonly RateSnapshot[]): RawPayload {
  const body = JSON.stringify({ provider: 'simulated', seed, snapshots: [snapshots].flat() });
  return { body, contentType: 'application/json', extension: 'json' };
}
