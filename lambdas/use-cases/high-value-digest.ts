import { randomUUID } from 'node:crypto';
import { Decimal } from '../domain/decimal';
import { templateData } from '../domain/email-content';
import { MAX_DIGEST_ROWS, digestRowOf, windowOf, type DigestRow } from '../domain/high-value-digest';
import type { DigestStore } from '../ports/digest-store';
import { EmailRejectedError, type Email, type EmailSender } from '../ports/email-sender';

export interface CollectDeps {
  readonly digest: DigestStore;
  /** @default () => new Date() */
  readonly clock?: () => Date;
}

/** One high-value event into the open digest window; a redelivered event is there already. */
export async function collectHighValueTransaction(deps: CollectDeps, event: unknown): Promise<'added' | 'duplicate'> {
  return deps.digest.add(digestRowOf(event), (deps.clock ?? (() => new Date()))());
}

export interface SendDigestDeps {
  readonly digest: DigestStore;
  readonly email: EmailSender;
  readonly recipients: readonly string[];
  readonly windowMinutes: number;
  /** How long a claim on a window lives: longer than a run can take. */
  readonly claimMs: number;
  readonly clock?: () => Date;
  readonly newToken?: () => string;
}

export interface DigestRun {
  /** Windows e-mailed in this run, with their row counts. */
  readonly sent: readonly { readonly window: string; readonly rows: number; readonly messageId?: string }[];
  /** Windows whose e-mail SES refused (the recipients' addresses): recorded as sent, nothing more to do. */
  readonly refused: readonly { readonly window: string; readonly reason: string }[];
  /** Windows still open, or being sent by another run. */
  readonly pending: number;
}

/**
 * E-mails each closed window once: one digest of all its rows to the operations recipients. A
 * window is claimed first (a run that dies mid-way leaves a claim the next run takes over when
 * it lapses; no row can join a claimed window), then read, e-mailed and marked sent.
 */
export async function sendHighValueDigests(deps: SendDigestDeps): Promise<DigestRun> {
  const now = (deps.clock ?? (() => new Date()))();
  const sent: { window: string; rows: number; messageId?: string }[] = [];
  const refused: { window: string; reason: string }[] = [];
  let pending = 0;
  for (const window of [...(await deps.digest.openWindows())].sort()) {
    if (windowOf(new Date(window), deps.windowMinutes).end > now.toISOString()) {
      pending++;
      continue;
    }
    const token = (deps.newToken ?? randomUUID)();
    const claim = await deps.digest.claim(window, token, now.getTime() + deps.claimMs, now.getTime());
    if (claim === 'busy') pending++;
    if (claim !== 'claimed') continue;
    const rows = await deps.digest.rows(window);
    let messageId: string | undefined;
    if (rows.length > 0) {
      try {
        ({ messageId } = await deps.email.send(digestEmail(window, deps.windowMinutes, rows, deps.recipients)));
      } catch (error) {
        if (!(error instanceof EmailRejectedError)) throw error;
        refused.push({ window, reason: error.reason });
      }
    }
    await deps.digest.markSent(window, token, { messageId, rows: rows.length });
    if (messageId) sent.push({ window, rows: rows.length, messageId });
  }
  return { sent, refused, pending };
}

/** The digest e-mail (template `highValueDigest`): the window's transactions, at most MAX_DIGEST_ROWS listed. */
export function digestEmail(window: string, windowMinutes: number, rows: readonly DigestRow[], recipients: readonly string[]): Email {
  const listed = rows.slice(0, MAX_DIGEST_ROWS);
  const bases = [...new Set(rows.map((r) => r.baseCurrency))];
  const total = rows.reduce((sum, r) => sum.plus(r.amountBase), new Decimal(0));
  return {
    to: recipients,
    template: 'highValueDigest',
    data: templateData({
      windowStart: window,
      windowEnd: windowOf(new Date(window), windowMinutes).end,
      count: String(rows.length),
      totalBase: bases.length === 1 ? `${total.toFixed()} ${bases[0]}` : 'mixed base currencies',
      omitted: rows.length > listed.length ? `${rows.length - listed.length} more are not listed here; query the transactions table (high_value_alert) for them.` : '',
      rows: listed,
    }),
  };
}
