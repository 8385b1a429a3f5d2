import { seriesMoves, type RateChangeEvent } from '../domain/rate-change';
import { seriesId, type SeriesKey } from '../domain/rate-policy';
import { seriesSnapshotOf, validateSnapshot, type RateSnapshot } from '../domain/rate-snapshot';
import type { MessagePublisher } from '../ports/message-publisher';
import type { RateSeriesReader, RateSeriesWriter } from '../ports/rate-series';

export interface ProcessRatesDeps {
  readonly series: RateSeriesWriter & Pick<RateSeriesReader, 'atOrBefore'>;
  /**
   * Why the curated table could not hold the snapshot exactly, or undefined: such a snapshot is
   * refused here, since export-rates writes every stored publication to the lake.
   */
  readonly curatedProblem: (snapshot: RateSnapshot) => string | undefined;
  readonly rateChanges: MessagePublisher;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

export interface RateSnapshotMessage {
  readonly messageId: string;
  readonly body: string;
  /** SQS ApproximateReceiveCount: above 1 the message was delivered before. */
  readonly receiveCount: number;
}

export interface ProcessRatesResult {
  /** Messages to retry or dead-letter: the SQS batchItemFailures, with why. */
  readonly failed: readonly { readonly messageId: string; readonly reason: string }[];
  /** Messages whose snapshot broke the rules (future-dated, malformed): the RateSnapshotsRejected metric. */
  readonly rejected: number;
  /** Snapshots written to history, and the rates they hold. */
  readonly snapshots: number;
  readonly rates: number;
  /** Series whose latest publication moved forward. */
  readonly moved: readonly string[];
  readonly changes: number;
}

interface Held {
  snapshot: RateSnapshot;
  readonly messageIds: string[];
  redelivered: boolean;
}

const keyOf = (s: RateSnapshot): SeriesKey => ({ provider: s.provider, base: s.base });

/**
 * Stores one SQS batch of snapshots (each message one snapshot):
 * 1. each is validated (now is the processor's clock, so a future-dated one is refused), and
 *    checked against the curated table's columns; a bad one fails alone;
 * 2. one history item per snapshot, every snapshot of the batch in BatchWriteItem calls (the
 *    rates table's stream takes each to export-rates, which writes its curated Parquet object);
 * 3. per series, the newest snapshot of the batch is offered as the series' latest, on a
 *    condition that a newer one never loses to it (a re-fetch of the same publication only
 *    moves `checkedAt`);
 * 4. one change event per publication the series moved through, batched onto the queue.
 * History comes before latest: whoever sees a latest item can rely on the history below it.
 * Every step is idempotent; a message delivered again leaves the same state, and re-sends the
 * events its first delivery may have died before sending (same eventIds).
 */
export async function processRateSnapshots(
  deps: ProcessRatesDeps,
  messages: readonly RateSnapshotMessage[],
): Promise<ProcessRatesResult> {
  const now = (deps.clock ?? (() => new Date()))();
  const failed: { messageId: string; reason: string }[] = [];
  let rejected = 0;
  const held = new Map<string, Held>();
  for (const message of messages) {
    try {
      const snapshot = validateSnapshot(JSON.parse(message.body) as RateSnapshot, now);
      // A snapshot the curated table cannot hold fails before anything is written.
      const problem = deps.curatedProblem(snapshot);
      if (problem) throw new Error(problem);
      const same = held.get(snapshot.snapshotId);
      const redelivered = message.receiveCount > 1;
      if (!same) held.set(snapshot.snapshotId, { snapshot, messageIds: [message.messageId], redelivered });
      else {
        same.messageIds.push(message.messageId);
        same.redelivered ||= redelivered;
        if (snapshot.fetchedAt > same.snapshot.fetchedAt) same.snapshot = snapshot;
      }
    } catch (error) {
      rejected += 1;
      failed.push({ messageId: message.messageId, reason: (error as Error).message });
    }
  }
  const fail = (items: readonly Held[], reason: string) => {
    for (const h of items) {
      for (const messageId of h.messageIds) failed.push({ messageId, reason });
      held.delete(h.snapshot.snapshotId);
    }
  };

  for (const { snapshotId, reason } of await deps.series.putHistory([...held.values()].map((h) => h.snapshot))) {
    fail([held.get(snapshotId)!], `history not written: ${reason}`);
  }

  const bySeries = new Map<string, Held[]>();
  for (const h of held.values()) bySeries.set(seriesId(h.snapshot), [...(bySeries.get(seriesId(h.snapshot)) ?? []), h]);
  const moved: string[] = [];
  const changes: { events: RateChangeEvent[]; items: Held[] }[] = [];
  await Promise.all(
    [...bySeries].map(async ([id, items]) => {
      items.sort((a, b) => (a.snapshot.inForceFrom < b.snapshot.inForceFrom ? -1 : 1));
      try {
        const events = await advanceSeries(deps, items);
        if (events.moved) moved.push(id);
        changes.push({ events: events.events, items });
      } catch (error) {
        fail(items, `latest not advanced: ${(error as Error).message}`);
      }
    }),
  );

  const events = changes.flatMap((c) => c.events);
  try {
    await deps.rateChanges.publish(events.map((e) => ({ id: e.eventId, body: JSON.stringify(e) })));
  } catch (error) {
    // Retried as a whole: a redelivery finds the latest already moved and sends the events again.
    fail(changes.filter((c) => c.events.length > 0).flatMap((c) => c.items), `rate changes not sent: ${(error as Error).message}`);
  }
  const written = [...held.values()];
  return {
    failed,
    rejected,
    snapshots: written.length,
    rates: written.reduce((n, h) => n + h.snapshot.rates.length, 0),
    moved: moved.sort(),
    changes: events.length,
  };
}

/** Offers the batch's newest snapshot of one series as its latest; the events of the move. */
async function advanceSeries(deps: ProcessRatesDeps, items: readonly Held[]): Promise<{ moved: boolean; events: RateChangeEvent[] }> {
  const newest = items[items.length - 1].snapshot;
  const advance = await deps.series.advanceLatest(newest);
  if (advance.outcome === 'moved') {
    const from = advance.previous?.inForceFrom ?? '';
    const newer = items.filter((h) => h.snapshot.inForceFrom > from).map((h) => seriesSnapshotOf(h.snapshot));
    return { moved: true, events: seriesMoves(advance.previous, newer) };
  }
  if (advance.outcome === 'unchanged' && items.some((h) => h.redelivered)) {
    return { moved: false, events: await replayedMoves(deps, items) };
  }
  return { moved: false, events: [] };
}

/**
 * A redelivered batch whose newest snapshot is already the latest may have died before its
 * events went out. The publications it moved the series through are the run of its snapshots
 * directly below the latest in history; the item below that run is where the move started.
 */
async function replayedMoves(deps: ProcessRatesDeps, items: readonly Held[]): Promise<RateChangeEvent[]> {
  const newest = items[items.length - 1].snapshot;
  const ids = new Set(items.map((h) => h.snapshot.snapshotId));
  const history = await deps.series.atOrBefore(keyOf(newest), newest.inForceFrom, items.length + 1);
  const run = [];
  for (const item of history) {
    if (!ids.has(item.snapshotId)) return seriesMoves(item, run.reverse());
    run.push(item);
  }
  return seriesMoves(undefined, run.reverse());
}
