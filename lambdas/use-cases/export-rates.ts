import { lakeKeys } from '../domain/lake-keys';
import type { RateSnapshot } from '../domain/rate-snapshot';
import type { ObjectStore } from '../ports/object-store';
import { writeToLake, type StreamExportResult } from './lake-writes';

/** What a curated rates object holds of a publication. */
export type CuratedRatePublication = Pick<RateSnapshot, 'snapshotId' | 'provider' | 'base' | 'rates' | 'inForceFrom' | 'rateDate'>;

/** A publication written to a series' history, as the rates table's stream delivered it. */
export interface RateHistoryChange {
  /** The stream record's sequence number: what a partial batch failure reports. */
  readonly sequenceNumber: string;
  readonly publication: CuratedRatePublication;
}

export interface ExportRatesDeps {
  readonly lake: ObjectStore;
  readonly curatedPrefix: string;
  /** Encodes a publication as its curated Parquet object. */
  readonly toCurated: (publication: CuratedRatePublication) => Uint8Array;
}

export type ExportRatesResult = StreamExportResult;

/**
 * Writes each stored publication to the curated lake: one Parquet object per publication, at the
 * key its snapshot id gives, so a retried record overwrites its own object. Two records of one
 * item in a batch write it once, from the later. A record whose object cannot be written is
 * retried alone.
 */
export async function exportRates(deps: ExportRatesDeps, changes: readonly RateHistoryChange[]): Promise<ExportRatesResult> {
  const byKey = new Map<string, { publication: CuratedRatePublication; sequenceNumbers: string[] }>();
  for (const { sequenceNumber, publication } of changes) {
    const key = lakeKeys.curatedRates(deps.curatedPrefix, publication);
    byKey.set(key, { publication, sequenceNumbers: [...(byKey.get(key)?.sequenceNumbers ?? []), sequenceNumber] });
  }
  const { failedSequenceNumbers, objectKeys } = await writeToLake(
    deps.lake,
    [...byKey].map(([key, { publication, sequenceNumbers }]) => ({
      key,
      body: () => deps.toCurated(publication),
      contentType: 'application/vnd.apache.parquet',
      sequenceNumbers,
    })),
  );
  return { exported: changes.length - failedSequenceNumbers.length, failedSequenceNumbers, objectKeys };
}
