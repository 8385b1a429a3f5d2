import type { DigestRow } from '../domain/high-value-digest';

/** The high-value digest's windows: their rows, and whether each was e-mailed. */
export interface DigestStore {
  /**
   * Puts the row in the window open at `at` (the next one if that window was already closed by a
   * digest): `duplicate` when the transaction is in a window already.
   */
  add(row: DigestRow, at: Date): Promise<'added' | 'duplicate'>;
  /** Start instants of the windows that hold rows and have not been e-mailed. */
  openWindows(): Promise<readonly string[]>;
  /**
   * Closes the window for new rows and claims its e-mail until `untilMs`: `sent` when it was
   * e-mailed already, `busy` while another run holds a live claim.
   */
  claim(window: string, token: string, untilMs: number, nowMs: number): Promise<'claimed' | 'sent' | 'busy'>;
  /** Every row of a closed window, oldest transaction first. */
  rows(window: string): Promise<readonly DigestRow[]>;
  /** The window was e-mailed (or had nothing to send), if `token` still holds its claim. */
  markSent(window: string, token: string, result: { readonly messageId?: string; readonly rows: number }): Promise<boolean>;
}
