import type { FeedSource } from './cursor-store';

/** One transaction as the feed sent it. */
export interface FeedItem {
  /** The item's `transaction_id` when it has a string one (for logs and error messages). */
  readonly transactionId?: string;
  /** The item's JSON, every number with the digits the feed wrote, safe to put on a queue. */
  readonly json: string;
  /** Why the item is MALFORMED although the page parsed (it writes a key twice). */
  readonly problem?: string;
}

export interface FeedPage {
  readonly transactions: readonly FeedItem[];
  /** Where the next page starts; null when the feed has nothing more for now. */
  readonly nextCursor: string | null;
}

/** A partner transaction feed (contract in README, "Partner transaction feed"). */
export interface TransactionFeed extends FeedSource {
  /** The page after `cursor` (null: the feed's beginning). Throws when the feed fails or keeps answering garbage. */
  fetchPage(cursor: string | null, limit: number): Promise<FeedPage>;
}

/** What fetch-transactions is told about each configured feed (`ENV.transactionFeeds`, by feed name). */
export interface TransactionFeedSettings {
  readonly url: string;
  readonly pageSize: number;
  /** Secrets Manager secret holding the feed's bearer token. */
  readonly credentialsSecretName?: string;
}

export type TransactionFeedsSettings = Readonly<Record<string, TransactionFeedSettings>>;
