/** Where each feed's checkpoint lives between runs. */
export interface CursorStore {
  /** The saved cursor, or null when the feed was never read. */
  load(feed: string): Promise<string | null>;
  /**
   * Moves the cursor from `expected` (what load returned) to `next`. Throws CursorConflictError
   * when the stored cursor is no longer `expected`: another run advanced it first.
   */
  save(feed: string, expected: string | null, next: string): Promise<void>;
}

export class CursorConflictError extends Error {
  override readonly name = 'CursorConflictError';

  constructor(readonly feed: string) {
    super(`cursor of feed ${feed} was moved by another run`);
  }
}
