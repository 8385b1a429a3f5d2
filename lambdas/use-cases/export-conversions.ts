import { createHash } from 'node:crypto';
import { lakeKeys } from '../domain/lake-keys';
import type { ObjectStore } from '../ports/object-store';
import type { StoredConversion } from '../ports/conversion-store';
import { writeToLake, type LakeWrite, type StreamExportResult } from './lake-writes';

/** A conversion the API table recorded, as its change stream delivered it. */
export interface ConversionChange {
  /** The stream record's sequence number: what a partial batch failure reports. */
  readonly sequenceNumber: string;
  readonly partnerId: string;
  /** Fields as stored; a missing one makes the row unfit and sends it to quarantine. */
  readonly conversion: Partial<StoredConversion>;
}

type CuratedRow = Record<string, string | null | undefined>;

/** How a conversion becomes a curated row and rows become a Parquet object. */
export interface ConversionCodec {
  row(partnerId: string, conversion: Partial<StoredConversion>): CuratedRow;
  /** Why the row cannot be stored exactly, or undefined. */
  problem(row: CuratedRow): string | undefined;
  parquet(rows: readonly CuratedRow[]): Uint8Array;
}

export interface ExportConversionsDeps {
  readonly lake: ObjectStore;
  readonly codec: ConversionCodec;
  readonly curatedPrefix: string;
  readonly quarantinePrefix: string;
}

export interface ExportConversionsResult extends StreamExportResult {
  readonly quarantined: number;
}

/**
 * Writes conversions to the lake with the transactions' conventions: one Parquet object per
 * batch and UTC day of `created_at`, at a key derived from the conversion ids, so a retried
 * batch overwrites its own objects. A conversion that does not fit the DECIMAL(38,18) columns
 * (the API accepts 38 fraction digits) goes to quarantine with its reason, never rounded.
 */
export async function exportConversions(
  deps: ExportConversionsDeps,
  changes: readonly ConversionChange[],
): Promise<ExportConversionsResult> {
  const byDay = new Map<string, { rows: CuratedRow[]; sequenceNumbers: string[]; ids: string[] }>();
  const unfit: { change: ConversionChange; reason: string }[] = [];
  for (const change of changes) {
    const row = deps.codec.row(change.partnerId, change.conversion);
    const reason = deps.codec.problem(row);
    if (reason) {
      unfit.push({ change, reason });
      continue;
    }
    const createdAt = String(row.created_at);
    const day = byDay.get(createdAt.slice(0, 10)) ?? { rows: [], sequenceNumbers: [], ids: [] };
    day.rows.push(row);
    day.sequenceNumbers.push(change.sequenceNumber);
    day.ids.push(String(row.conversion_id));
    byDay.set(createdAt.slice(0, 10), day);
  }

  const writes: LakeWrite[] = [...byDay.values()].map((day) => ({
    key: lakeKeys.curatedBatch(deps.curatedPrefix, String(day.rows[0].created_at), day.ids),
    body: deps.codec.parquet(day.rows),
    contentType: 'application/vnd.apache.parquet',
    sequenceNumbers: day.sequenceNumbers,
  }));
  if (unfit.length > 0) writes.push(quarantineObject(deps.quarantinePrefix, unfit));

  const { failedSequenceNumbers, objectKeys } = await writeToLake(deps.lake, writes);
  const failedSet = new Set(failedSequenceNumbers);
  const ok = (c: ConversionChange) => !failedSet.has(c.sequenceNumber);
  const unfitSequences = new Set(unfit.map((u) => u.change.sequenceNumber));
  return {
    exported: changes.filter((c) => ok(c) && !unfitSequences.has(c.sequenceNumber)).length,
    quarantined: unfit.filter((u) => ok(u.change)).length,
    failedSequenceNumbers,
    objectKeys,
  };
}

/** `quarantine/conversions/dt=<day first seen>/<hash of the ids>.jsonl`, one line per conversion and reason. */
function quarantineObject(prefix: string, unfit: readonly { change: ConversionChange; reason: string }[]): LakeWrite {
  const lines = unfit
    .map(({ change, reason }) => ({ partnerId: change.partnerId, reason, conversion: change.conversion }))
    .sort((a, b) => String(a.conversion.id).localeCompare(String(b.conversion.id)));
  const day = unfit.map((u) => String(u.change.conversion.createdAt ?? '')).sort()[0].slice(0, 10) || 'unknown';
  const hash = createHash('sha256')
    .update(unfit.map((u) => u.change.sequenceNumber).sort().join('\n'))
    .digest('hex');
  return {
    key: `${prefix}/dt=${day}/${hash}.jsonl`,
    body: lines.map((line) => `${JSON.stringify(line)}\n`).join(''),
    contentType: 'application/x-ndjson',
    sequenceNumbers: unfit.map((u) => u.change.sequenceNumber),
  };
}
