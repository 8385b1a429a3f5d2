import { lakeKeys } from '../domain/lake-keys';
import type { EnrichedTransaction } from '../domain/transaction';
import type { ObjectStore } from '../ports/object-store';
import { writeToLake, type StreamExportResult } from './lake-writes';

/** A transaction the transactions table stored, as its change stream delivered it. */
export interface TransactionChange {
  /** The stream record's sequence number: what a partial batch failure reports. */
  readonly sequenceNumber: string;
  readonly transaction: EnrichedTransaction;
}

export interface ExportTransactionsDeps {
  readonly lake: ObjectStore;
  readonly curatedPrefix: string;
  /** Encodes the curated Parquet object of some transactions. */
  readonly toCurated: (transactions: readonly EnrichedTransaction[]) => Uint8Array;
}

export type ExportTransactionsResult = StreamExportResult;

/**
 * Writes stored transactions to the curated lake: one Parquet object per batch and UTC day of
 * `timestamp`, at a key derived from the transaction ids (`lakeKeys.curatedBatch`), so a retried
 * batch overwrites its own objects. A transaction written twice in the batch is exported once, as
 * last written. An object that cannot be written fails only its own records.
 */
export async function exportTransactions(
  deps: ExportTransactionsDeps,
  changes: readonly TransactionChange[],
): Promise<ExportTransactionsResult> {
  const latest = new Map<string, { transaction: EnrichedTransaction; sequenceNumbers: string[] }>();
  for (const { sequenceNumber, transaction } of changes) {
    const before = latest.get(transaction.transaction_id)?.sequenceNumbers ?? [];
    latest.set(transaction.transaction_id, { transaction, sequenceNumbers: [...before, sequenceNumber] });
  }
  const byDay = new Map<string, { transaction: EnrichedTransaction; sequenceNumbers: string[] }[]>();
  for (const entry of latest.values()) {
    const day = entry.transaction.timestamp.slice(0, 10);
    byDay.set(day, [...(byDay.get(day) ?? []), entry]);
  }
  const { failedSequenceNumbers, objectKeys } = await writeToLake(
    deps.lake,
    [...byDay.values()].map((day) => ({
      key: lakeKeys.curatedBatch(deps.curatedPrefix, day[0].transaction.timestamp, day.map((e) => e.transaction.transaction_id)),
      body: () => deps.toCurated(day.map((e) => e.transaction)),
      contentType: 'application/vnd.apache.parquet',
      sequenceNumbers: day.flatMap((e) => e.sequenceNumbers),
    })),
  );
  return { exported: changes.length - failedSequenceNumbers.length, failedSequenceNumbers, objectKeys };
}
