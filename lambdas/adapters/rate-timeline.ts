import { seriesId, type SeriesKey } from '../domain/rate-policy';
import { settledUntil } from '../domain/rate-publication';
import type { SeriesState } from '../domain/rate-resolver';
import type { SeriesSnapshot } from '../domain/rate-snapshot';
import type { LatestSeries, RateSeriesReader, RateTimeline, SeriesRequest } from '../ports/rate-series';

export interface RateTimelineOptions {
  /** Every series the policy reads: a latest refresh reads all that may have moved, in one call. */
  readonly series: readonly SeriesKey[];
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Series kept in memory, least recently used dropped first. @default 32 */
  readonly maxSeries?: number;
  /** History publications kept per series; beyond, its history is dropped and read again. @default 2000 */
  readonly maxItemsPerSeries?: number;
  /** History read this long ago is read again (a backfill may have added to it). @default 60000 */
  readonly historyTtlMs?: number;
  /** A latest item read this recently is not read again even for an instant it does not settle. @default 1000 */
  readonly latestMaxAgeMs?: number;
  /**
   * Publications read ahead of an instant followed by others within `streamGapMs` (a stream of
   * transactions, the days of a history page), so the next instants need no read. @default 100
   */
  readonly readAhead?: number;
  /** @default 86400000 (a day) */
  readonly streamGapMs?: number;
}

/** For every instant in [from, to], the publication in force is the last of `items` at or before it. */
interface Span {
  /** '' = since ever. */
  readonly from: string;
  readonly to: string;
  readonly items: readonly SeriesSnapshot[];
  readonly loadedAt: number;
}

interface Entry {
  /** undefined = not read; null = the series has no publication. */
  latest?: LatestSeries | null;
  latestReadAt: number;
  settledUntil?: string;
  spans: Span[];
}

const inForceIn = (items: readonly SeriesSnapshot[], at: string) => items.findLast((i) => i.inForceFrom <= at);

/**
 * The rate series as the resolver needs them, cached for the life of a warm container:
 * - each series' latest item and the instant up to which it settles answers; a request at a
 *   later instant reads the latest items again (one BatchGetItem for every series whose
 *   answer there may have moved), an earlier one is answered from memory;
 * - history spans: for an instant before the latest publication, the publication in force then
 *   (one Query, Limit 1) and, when more instants follow within a day (a stream of transactions,
 *   a history page), the `readAhead` publications after it (one more Query), so the stream
 *   reads once per span.
 * Bounded: LRU by series, history per series capped, history re-read after a TTL.
 */
export function cachedRateTimeline(reader: RateSeriesReader, options: RateTimelineOptions): RateTimeline {
  const clock = options.clock ?? (() => new Date());
  const maxSeries = options.maxSeries ?? 32;
  const maxItems = options.maxItemsPerSeries ?? 2_000;
  const historyTtlMs = options.historyTtlMs ?? 60_000;
  const latestMaxAgeMs = options.latestMaxAgeMs ?? 1_000;
  const readAhead = options.readAhead ?? 100;
  const streamGapMs = options.streamGapMs ?? 86_400_000;
  const entries = new Map<string, Entry>();

  const entryOf = (key: SeriesKey): Entry => {
    const id = seriesId(key);
    const entry = entries.get(id) ?? { latestReadAt: -Infinity, spans: [] };
    entries.delete(id);
    entries.set(id, entry);
    while (entries.size > maxSeries) entries.delete(entries.keys().next().value!);
    return entry;
  };
  const freshSpan = (entry: Entry, at: string, now: number) =>
    entry.spans.find((s) => s.loadedAt >= now - historyTtlMs && s.from <= at && at <= s.to);

  /** What the series' latest item says about `at`, if it was read recently enough to say it. */
  const latestKnown = (entry: Entry, at: string, now: number) =>
    entry.latest !== undefined && ((entry.settledUntil ?? '') >= at || entry.latestReadAt >= now - latestMaxAgeMs);

  function stateAt(entry: Entry | undefined, at: string, now: number): SeriesState | undefined {
    if (!entry || entry.latest === undefined || !latestKnown(entry, at, now)) return undefined;
    if (entry.latest === null) return {};
    const latest = entry.latest.snapshot;
    const known = { latest, settledUntil: entry.settledUntil };
    if (at >= latest.inForceFrom) return { ...known, inForce: latest };
    const span = freshSpan(entry, at, now);
    return span && { ...known, inForce: inForceIn(span.items, at) };
  }

  async function refreshLatest(requests: readonly SeriesRequest[], now: number): Promise<void> {
    const unsettled = (key: SeriesKey, at: string) => !latestKnown(entryOf(key), at, now);
    if (!requests.some((r) => unsettled(r.key, r.at))) return;
    const until = requests.reduce((max, r) => (r.at > max ? r.at : max), '');
    const keys = [...new Map([...requests.map((r) => r.key), ...options.series].map((k) => [seriesId(k), k])).values()];
    const stale = keys.filter((k) => unsettled(k, until));
    const found = await reader.latest(stale);
    for (const key of stale) {
      const entry = entryOf(key);
      const latest = found.get(seriesId(key)) ?? null;
      entry.latest = latest;
      entry.latestReadAt = now;
      entry.settledUntil = latest ? settledUntil(key.provider, latest.snapshot, latest.checkedAt) : undefined;
    }
  }

  async function loadHistory(key: SeriesKey, instants: readonly string[], now: number): Promise<void> {
    const entry = entryOf(key);
    entry.spans = entry.spans.filter((s) => s.loadedAt >= now - historyTtlMs);
    if (entry.spans.reduce((n, s) => n + s.items.length, 0) > maxItems) entry.spans = [];
    const sorted = [...new Set(instants)].sort();
    for (const [i, at] of sorted.entries()) {
      if (stateAt(entry, at, now)) continue;
      const next = sorted[i + 1];
      const stream = next !== undefined && Date.parse(next) - Date.parse(at) <= streamGapMs;
      const [before, after] = await Promise.all([
        reader.atOrBefore(key, at, 1),
        stream ? reader.after(key, at, readAhead) : { items: [], complete: false },
      ]);
      const last = after.items.at(-1)?.inForceFrom ?? at;
      const latestFrom = entry.latest ? entry.latest.snapshot.inForceFrom : '';
      // Complete: every publication after `at` was returned, and none up to the latest read before can still appear.
      const to = after.complete && latestFrom > last ? latestFrom : last;
      addSpan(entry, { from: before[0]?.inForceFrom ?? '', to, items: [...before, ...after.items], loadedAt: now });
    }
  }

  return {
    async load(requests) {
      const now = clock().getTime();
      await refreshLatest(requests, now);
      const bySeries = new Map<string, { key: SeriesKey; instants: string[] }>();
      for (const r of requests) {
        const group = bySeries.get(seriesId(r.key)) ?? { key: r.key, instants: [] };
        group.instants.push(r.at);
        bySeries.set(seriesId(r.key), group);
      }
      await Promise.all([...bySeries.values()].map((g) => loadHistory(g.key, g.instants, now)));
      return (key, at) => stateAt(entries.get(seriesId(key)), at, now);
    },
  };
}

/** Adds a span, merging it with the spans it overlaps. */
function addSpan(entry: Entry, span: Span): void {
  const spans = [...entry.spans, span].sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  const merged: Span[] = [];
  for (const s of spans) {
    const previous = merged.at(-1);
    if (!previous || s.from > previous.to) {
      merged.push(s);
      continue;
    }
    const items = new Map([...previous.items, ...s.items].map((i) => [i.inForceFrom, i]));
    merged[merged.length - 1] = {
      from: previous.from,
      to: s.to > previous.to ? s.to : previous.to,
      items: [...items.values()].sort((a, b) => (a.inForceFrom < b.inForceFrom ? -1 : 1)),
      loadedAt: Math.min(previous.loadedAt, s.loadedAt),
    };
  }
  entry.spans = merged;
}
