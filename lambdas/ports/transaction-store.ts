import type { EnrichedTransaction } from '../domain/transaction';

export interface TransactionStore {
  /**
   * Stores each transaction as one item keyed by transaction_id; storing it again replaces the
   * item with the same content. Resolves to the ids still not written after retries; throws when
   * the store cannot be reached at all.
   */
  putAll(
    transactions: readonly EnrichedTransaction[],
  ): Promise<{ readonly unwritten: readonly string[] }>;
}
