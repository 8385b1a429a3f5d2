import type { EnrichedTransaction, TransactionRejection } from '../domain/transaction';

/** A transaction the store will never take as it is: retrying cannot help, quarantine it. */
export interface RejectedTransaction {
  readonly transaction_id: string;
  readonly reason: Extract<TransactionRejection, 'TOO_LARGE' | 'STORE_REJECTED'>;
  readonly detail: string;
}

export interface TransactionStore {
  /**
   * Stores each transaction as one item keyed by transaction_id; storing it again replaces the
   * item with the same content. Resolves to the ids still not written after retries and the
   * transactions the store refuses (one refused item never keeps the others out); throws when
   * the store cannot be reached at all.
   */
  putAll(transactions: readonly EnrichedTransaction[]): Promise<{
    readonly unwritten: readonly string[];
    readonly rejected: readonly RejectedTransaction[];
  }>;
}
