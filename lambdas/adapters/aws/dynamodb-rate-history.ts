import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Decimal } from '../../domain/decimal';
import type { RateOrientation } from '../../domain/rate-snapshot';
import { RateUnavailable, type RateAt, type RateHistory } from '../../ports/rate-history';
import { rateKeys } from './dynamodb-rate-store';

/** Bases the providers publish in (ECB/Frankfurter/simulated: EUR; OXR/CoinGecko: USD). */
const PIVOTS = ['EUR', 'USD'] as const;

interface HistoryItem {
  readonly published: string;
  readonly orientation: RateOrientation;
  readonly asOf: string;
  readonly provider: string;
}

/** Times for which an answer stays the same: [from, until), '' = since ever, null = no end yet. */
interface Span {
  readonly from: string;
  readonly until: string | null;
}

/** One currency into another as a fraction of published numbers, so a cross divides only once. */
interface Leg extends Span {
  readonly numerator: Decimal;
  readonly denominator: Decimal;
  readonly asOf: string;
  readonly provider: string;
  readonly pair: string;
}

type Lookup = { readonly leg?: Leg } & Span;

const ONE = new Decimal(1);

function intersect(...spans: Span[]): Span {
  const from = spans.reduce((max, s) => (s.from > max ? s.from : max), '');
  const ends = spans.map((s) => s.until).filter((u): u is string => u !== null);
  return { from, until: ends.length > 0 ? ends.reduce((min, u) => (u < min ? u : min)) : null };
}

/** All history items of one pair with as-of times in [from, until), read in one go. */
interface Window extends Span {
  readonly items: readonly (HistoryItem & { readonly sk: string })[];
}

/** How many later items one lookup reads ahead: a batch's transactions usually span a few of them. */
const LOOKAHEAD = 25;

/**
 * Rates in force at a time, read from the rate history items that process-rates writes
 * (`HISTORY#<base>#<quote>`, `<asOf>#<provider>`). A pair is looked up as stored either way
 * round; otherwise through EUR, then USD. Each answer carries the span of times it holds for
 * (see cachedRateHistory).
 *
 * Items read are remembered by this instance, so create one per batch: a rate backfilled
 * between two known items would not be seen by an instance that outlives the batch.
 */
export function dynamoRateHistory(client: DynamoDBDocumentClient, tableName: string): RateHistory {
  const windows = new Map<string, Window[]>();

  async function query(
    pk: string,
    condition: string,
    bound: string,
    forward: boolean,
    limit: number,
  ) {
    const result = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: `pk = :pk AND ${condition}`,
        ExpressionAttributeValues: { ':pk': pk, ':bound': bound },
        ScanIndexForward: forward,
        Limit: limit,
      }),
    );
    return (result.Items ?? []).map((i) => ({
      sk: String(i.sk),
      published: String(i.published ?? (i.rate as { value: string }).value),
      orientation: (i.orientation ?? 'quote-per-base') as RateOrientation,
      asOf: String(i.asOf),
      provider: String(i.provider),
    }));
  }

  /** The item in force at `at` and the items after it, from memory or with two queries. */
  async function windowAt(pk: string, at: string): Promise<Window> {
    const known = windows.get(pk)?.find((w) => w.from <= at && (w.until === null || at < w.until));
    if (known) return known;
    // Sort keys are `<asOf>#<provider>` and '$' sorts right after '#': `< at$` includes items at `at`.
    const bound = `${at}$`;
    const [before, after] = await Promise.all([
      query(pk, 'sk < :bound', bound, false, 1),
      query(pk, 'sk > :bound', bound, true, LOOKAHEAD),
    ]);
    // A full page may have left out other providers' items at its last as-of time.
    const until = after.length < LOOKAHEAD ? null : after[after.length - 1].asOf;
    const window = {
      from: before[0]?.asOf ?? '',
      until,
      items: [...before, ...after.filter((i) => until === null || i.asOf < until)],
    };
    windows.set(pk, [...(windows.get(pk) ?? []), window]);
    return window;
  }

  /** The stored base/quote item in force at `at`, and until when it stays so. */
  async function itemAt(
    base: string,
    quote: string,
    at: string,
  ): Promise<{ item?: HistoryItem } & Span> {
    const window = await windowAt(rateKeys.history(base, quote, at, '').pk, at);
    const next = window.items.findIndex((i) => i.sk > `${at}$`);
    const item = window.items[(next === -1 ? window.items.length : next) - 1];
    return {
      item,
      from: item?.asOf ?? '',
      until: next === -1 ? window.until : window.items[next].asOf,
    };
  }

  /** Units of `to` per 1 `from` from the pair stored either way round; the newer one wins. */
  async function leg(from: string, to: string, at: string): Promise<Lookup> {
    const [direct, inverse] = await Promise.all([itemAt(from, to, at), itemAt(to, from, at)]);
    const span = intersect(direct, inverse);
    const useDirect = direct.item && (!inverse.item || direct.item.asOf >= inverse.item.asOf);
    const chosen = useDirect ? direct.item : inverse.item;
    if (!chosen) return span;
    const value = new Decimal(chosen.published);
    // Stored as quote-per-base unless flagged; reading it from the other side flips it again.
    const quotePerBase = chosen.orientation === 'quote-per-base';
    const numeratorIsValue = useDirect ? quotePerBase : !quotePerBase;
    return {
      ...span,
      leg: {
        ...span,
        numerator: numeratorIsValue ? value : ONE,
        denominator: numeratorIsValue ? ONE : value,
        asOf: chosen.asOf,
        provider: chosen.provider,
        pair: useDirect ? `${from}/${to}` : `${to}/${from}`,
      },
    };
  }

  return {
    async rateAt(from, to, at) {
      if (from === to) return { rate: '1', asOf: at, provider: 'identity', via: 'identity' };
      const direct = await leg(from, to, at);
      if (direct.leg) {
        const { numerator, denominator, asOf, provider, pair } = direct.leg;
        return answer(numerator.div(denominator), { asOf, provider, via: pair }, direct);
      }
      const looked: Span[] = [direct];
      for (const pivot of PIVOTS.filter((p) => p !== from && p !== to)) {
        const [a, b] = await Promise.all([leg(from, pivot, at), leg(pivot, to, at)]);
        looked.push(a, b);
        if (a.leg && b.leg) {
          const rate = a.leg.numerator
            .times(b.leg.numerator)
            .div(a.leg.denominator.times(b.leg.denominator));
          const providers = [...new Set([a.leg.provider, b.leg.provider])].join('+');
          const asOf = a.leg.asOf < b.leg.asOf ? a.leg.asOf : b.leg.asOf;
          return answer(
            rate,
            { asOf, provider: providers, via: `${a.leg.pair},${b.leg.pair}` },
            intersect(...looked),
          );
        }
      }
      throw new RateUnavailable(from, to, at);
    },
  };
}

function answer(
  rate: Decimal,
  fields: { asOf: string; provider: string; via: string },
  span: Span,
): RateAt {
  return { rate: rate.toString(), ...fields, validFrom: span.from, validUntil: span.until };
}
