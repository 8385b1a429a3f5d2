import { seriesSnapshotOf, type RateSnapshot, type SeriesSnapshot } from '../../../lambdas/domain/rate-snapshot';
import type { RateChangeEvent } from '../../../lambdas/domain/rate-change';
import type { OutgoingMessage } from '../../../lambdas/ports/message-publisher';
import type { LatestAdvance } from '../../../lambdas/ports/rate-series';
import { seriesId } from '../../../lambdas/domain/rate-policy';
import { curatedRatesProblem } from '../../../lambdas/adapters/parquet/curated-rate-rows';
import { processRateSnapshots, type ProcessRatesDeps, type RateSnapshotMessage } from '../../../lambdas/use-cases/process-rate-snapshot';
import { snapshotOf } from '../../support/rates';

/**
 * processRateSnapshots against an in-memory series store that keeps history and latest the way
 * the DynamoDB adapter does (a newer publication moves latest; the same one re-fetched confirms
 * it; an older one is superseded).
 */
const NOW = new Date('2024-01-20T00:00:00.000Z');
const ecbDay = (day: string, usd: string, fetchedAt = new Date(`${day}T15:30:00.000Z`)) => snapshotOf(day, { USD: usd, JPY: '160' }, { fetchedAt });

function fakes(stored: RateSnapshot[] = [], failures: { history?: Record<string, string>; advance?: string; publish?: string } = {}) {
  const history = new Map<string, RateSnapshot>(stored.map((s) => [s.snapshotId, s]));
  /** Each series' latest publication, by seriesId. */
  const latestOf = new Map<string, RateSnapshot>();
  for (const s of [...stored].sort((a, b) => (a.inForceFrom < b.inForceFrom ? -1 : 1))) latestOf.set(seriesId(s), s);
  const published: OutgoingMessage[] = [];
  const deps: ProcessRatesDeps = {
    series: {
      async putHistory(snapshots) {
        const refused = snapshots.filter((s) => failures.history?.[s.snapshotId]).map((s) => ({ snapshotId: s.snapshotId, reason: failures.history![s.snapshotId] }));
        for (const s of snapshots) if (!failures.history?.[s.snapshotId]) history.set(s.snapshotId, s);
        return refused;
      },
      async advanceLatest(snapshot): Promise<LatestAdvance> {
        if (failures.advance) throw new Error(failures.advance);
        const latest = latestOf.get(seriesId(snapshot));
        if (!latest || snapshot.inForceFrom > latest.inForceFrom) {
          const previous = latest && seriesSnapshotOf(latest);
          latestOf.set(seriesId(snapshot), snapshot);
          return { outcome: 'moved', previous };
        }
        if (snapshot.inForceFrom < latest.inForceFrom) return { outcome: 'superseded', latestInForceFrom: latest.inForceFrom };
        if (snapshot.fetchedAt > latest.fetchedAt) return { outcome: 'confirmed' };
        return { outcome: 'unchanged', latestInForceFrom: latest.inForceFrom };
      },
      async atOrBefore(key, at, limit): Promise<readonly SeriesSnapshot[]> {
        return [...history.values()].filter((s) => seriesId(s) === seriesId(key) && s.inForceFrom <= at).sort((a, b) => (a.inForceFrom < b.inForceFrom ? 1 : -1)).slice(0, limit).map(seriesSnapshotOf);
      },
    },
    curatedProblem: curatedRatesProblem,
    rateChanges: {
      async publish(messages) {
        if (failures.publish) throw new Error(failures.publish);
        published.push(...messages);
      },
    },
    clock: () => NOW,
  };
  const events = () => published.map((m) => JSON.parse(m.body) as RateChangeEvent);
  return { deps, history, published, events, latest: () => latestOf.get('ecb#EUR') };
}

const message = (id: string, snapshot: RateSnapshot, receiveCount = 1): RateSnapshotMessage => ({ messageId: id, body: JSON.stringify(snapshot), receiveCount });
const moves = (events: RateChangeEvent[]) => events.map((e) => `${e.previous?.rateDate ?? 'none'}->${e.current.rateDate}`);

const d8 = ecbDay('2024-01-08', '1.0940');
const d9 = ecbDay('2024-01-09', '1.0950');
const d10 = ecbDay('2024-01-10', '1.0960');
const d11 = ecbDay('2024-01-11', '1.0970');

describe('processRateSnapshots', () => {
  it('stores a batch out of order as history and one move per publication, oldest first', async () => {
    const f = fakes([d8]);
    const result = await processRateSnapshots(f.deps, [message('m-11', d11), message('m-9', d9), message('m-10', d10)]);
    expect(result).toEqual({ failed: [], rejected: 0, snapshots: 3, rates: 6, moved: ['ecb#EUR'], changes: 3 });
    expect(moves(f.events())).toEqual(['2024-01-08->2024-01-09', '2024-01-09->2024-01-10', '2024-01-10->2024-01-11']);
    expect(f.published.map((m) => m.id)).toEqual([d9.snapshotId, d10.snapshotId, d11.snapshotId]);
    expect([...f.history.keys()].sort()).toEqual([d8, d9, d10, d11].map((s) => s.snapshotId).sort());
    expect(f.latest()?.snapshotId).toBe(d11.snapshotId);
  });

  it('announces only the publications newer than the latest a late, older snapshot in the batch found', async () => {
    const f = fakes([d9]);
    const result = await processRateSnapshots(f.deps, [message('m-8', d8), message('m-10', d10)]);
    expect(moves(f.events())).toEqual(['2024-01-09->2024-01-10']);
    expect(result).toMatchObject({ snapshots: 2, changes: 1, failed: [] });
  });

  it('keeps one snapshot of a publication sent twice in a batch, the later fetch, and reports both messages as done', async () => {
    const later = ecbDay('2024-01-09', '1.0950', new Date('2024-01-09T16:30:00.000Z'));
    const f = fakes([d8]);
    const result = await processRateSnapshots(f.deps, [message('m-a', d9), message('m-b', later)]);
    expect(result).toEqual({ failed: [], rejected: 0, snapshots: 1, rates: 2, moved: ['ecb#EUR'], changes: 1 });
    expect(f.history.get(d9.snapshotId)?.fetchedAt).toBe('2024-01-09T16:30:00.000Z');
  });

  it('re-sends, with the same ids, the moves of a redelivered batch whose newest snapshot is already the latest', async () => {
    const f = fakes([d8, d9, d10]);
    const result = await processRateSnapshots(f.deps, [message('m-10', d10, 2), message('m-9', d9, 1)]);
    expect(moves(f.events())).toEqual(['2024-01-08->2024-01-09', '2024-01-09->2024-01-10']);
    expect(f.published.map((m) => m.id)).toEqual([d9.snapshotId, d10.snapshotId]);
    expect(result).toMatchObject({ moved: [], changes: 2 });
  });

  it('sends nothing for a first delivery of the publication that is already the latest', async () => {
    const f = fakes([d8, d9]);
    expect(await processRateSnapshots(f.deps, [message('m-9', d9)])).toMatchObject({ moved: [], changes: 0, failed: [] });
    expect(f.published).toEqual([]);
  });

  it('fails only the snapshot whose history was not written, and stores its siblings', async () => {
    const f = fakes([d8], { history: { [d10.snapshotId]: 'ValidationException' } });
    const result = await processRateSnapshots(f.deps, [message('m-9', d9), message('m-10', d10)]);
    expect(result.failed).toEqual([{ messageId: 'm-10', reason: 'history not written: ValidationException' }]);
    expect(result).toMatchObject({ snapshots: 1, changes: 1 });
    expect([...f.history.keys()].sort()).toEqual([d8.snapshotId, d9.snapshotId].sort());
  });

  it('refuses, before anything is written, a snapshot the curated table could not hold, and stores its siblings', async () => {
    // 19 fraction digits: DynamoDB holds them (38 significant), the curated DECIMAL(38,18) column cannot.
    const tooFine = ecbDay('2024-01-10', '1.0000000000000000001');
    const f = fakes([d8]);
    const result = await processRateSnapshots(f.deps, [message('m-9', d9), message('m-10', tooFine)]);
    expect(result.failed).toEqual([{ messageId: 'm-10', reason: 'rate 1.0000000000000000001 has more than 18 fraction digits' }]);
    expect(result).toMatchObject({ rejected: 1, snapshots: 1 });
    expect([...f.history.keys()].sort()).toEqual([d8.snapshotId, d9.snapshotId].sort());
    expect(moves(f.events())).toEqual(['2024-01-08->2024-01-09']);
  });

  it('fails every message of a series whose latest could not be advanced', async () => {
    const f = fakes([d8], { advance: 'ProvisionedThroughputExceeded' });
    const result = await processRateSnapshots(f.deps, [message('m-9', d9), message('m-10', d10)]);
    expect(result.failed).toEqual([
      { messageId: 'm-9', reason: 'latest not advanced: ProvisionedThroughputExceeded' },
      { messageId: 'm-10', reason: 'latest not advanced: ProvisionedThroughputExceeded' },
    ]);
    expect(result).toMatchObject({ snapshots: 0, rates: 0, changes: 0 });
  });

  it('fails the messages whose moves were not sent, so a redelivery sends them', async () => {
    const f = fakes([d8], { publish: 'KMS.ThrottlingException' });
    const result = await processRateSnapshots(f.deps, [message('m-9', d9)]);
    expect(result.failed).toEqual([{ messageId: 'm-9', reason: 'rate changes not sent: KMS.ThrottlingException' }]);
  });

  it('keeps the later fetch of a publication sent twice, whichever message comes first', async () => {
    const later = ecbDay('2024-01-09', '1.0950', new Date('2024-01-09T16:30:00.000Z'));
    const f = fakes([d8]);
    await processRateSnapshots(f.deps, [message('m-b', later), message('m-a', d9)]);
    expect(f.history.get(d9.snapshotId)?.fetchedAt).toBe('2024-01-09T16:30:00.000Z');
  });

  it('fails both messages of a publication sent twice when its history is not written', async () => {
    const f = fakes([d8], { history: { [d9.snapshotId]: 'ValidationException' } });
    const result = await processRateSnapshots(f.deps, [message('m-a', d9), message('m-b', d9)]);
    expect(result.failed.map((x) => x.messageId)).toEqual(['m-a', 'm-b']);
  });

  it('re-sends the moves when any copy of a publication sent twice is a redelivery', async () => {
    const f = fakes([d8, d9]);
    const result = await processRateSnapshots(f.deps, [message('m-a', d9, 1), message('m-b', d9, 2)]);
    expect(moves(f.events())).toEqual(['2024-01-08->2024-01-09']);
    expect(result).toMatchObject({ moved: [], changes: 1 });
  });

  it('re-sends, oldest first, the moves of a redelivered batch that started its series', async () => {
    const f = fakes([d9, d10]);
    await processRateSnapshots(f.deps, [message('m-10', d10, 2), message('m-9', d9, 2)]);
    expect(moves(f.events())).toEqual(['none->2024-01-09', '2024-01-09->2024-01-10']);
  });

  it('re-sends nothing for a redelivered snapshot older than the latest', async () => {
    const f = fakes([d8, d9, d10]);
    expect(await processRateSnapshots(f.deps, [message('m-9', d9, 2)])).toMatchObject({ failed: [], changes: 0 });
    expect(f.published).toEqual([]);
  });

  describe('two series in one batch', () => {
    const oxr = (instant: string, eurPerUsd: string) => snapshotOf(instant, { EUR: eurPerUsd }, { provider: 'oxr', base: 'USD', fetchedAt: new Date(instant) });
    const o1 = oxr('2024-01-09T10:00:00.000Z', '0.9100');
    const o2 = oxr('2024-01-09T11:00:00.000Z', '0.9150');

    it('lists the moved series in order', async () => {
      const f = fakes([d8, o1]);
      const result = await processRateSnapshots(f.deps, [message('m-o2', o2), message('m-9', d9)]);
      expect(result).toMatchObject({ moved: ['ecb#EUR', 'oxr#USD'], changes: 2, failed: [] });
    });

    it('fails only the messages whose moves were not sent', async () => {
      const f = fakes([d8, o1], { publish: 'KMS.ThrottlingException' });
      // o1 again: already the latest of its series, a first delivery: no move to send.
      const result = await processRateSnapshots(f.deps, [message('m-o1', o1), message('m-9', d9)]);
      expect(result.failed).toEqual([{ messageId: 'm-9', reason: 'rate changes not sent: KMS.ThrottlingException' }]);
    });
  });

  it('refuses a message that is no snapshot, and counts it as rejected', async () => {
    const f = fakes([d8]);
    const result = await processRateSnapshots(f.deps, [{ messageId: 'm-x', body: '{"provider":"ecb"', receiveCount: 1 }, message('m-9', d9)]);
    expect(result.rejected).toBe(1);
    expect(result.failed.map((x) => x.messageId)).toEqual(['m-x']);
    expect(result.snapshots).toBe(1);
  });
});
