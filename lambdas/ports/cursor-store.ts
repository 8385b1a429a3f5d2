/** A feed as its checkpoint knows it: the configured name and the URL it is read from. */
export interface FeedSource {
  readonly name: string;
  readonly url: string;
}

export interface CursorState {
  /** Where to read on from; null: the feed's beginning. */
  readonly cursor: string | null;
  /**
   * A cursor was saved for this name but another URL (or before URLs were recorded): it is
   * that feed's position, not this one's, so it is not used.
   */
  readonly urlChanged: boolean;
}

/** Where each feed's checkpoint lives between runs. */
export interface CursorStore {
  load(feed: FeedSource): Promise<CursorState>;
  /**
   * Moves the cursor from `expected` (what load returned) to `next`, for this URL. Throws
   * CursorConflictError when the stored cursor is no longer `expected`: another run advanced it first.
   */
  save(feed: FeedSource, expected: string | null, next: string): Promise<void>;
}

export class CursorConflictError extends Error {
  override readonly name = 'CursorConflictError';

  constructor(readonly feed: string) {
    super(`cursor of feed ${feed} was moved by another run`);
  }
}
