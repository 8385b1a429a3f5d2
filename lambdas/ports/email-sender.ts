/** The e-mails the platform sends, each a stored SES template (HTML and text). */
export type EmailTemplateKey = 'rateAlert' | 'highValueDigest';

export interface Email {
  readonly to: readonly string[];
  readonly template: EmailTemplateKey;
  /** The template's data (see domain/email-content.ts: text and HTML-escaped values). */
  readonly data: object;
}

/** SES refused this e-mail for good (a malformed or refused address): retrying cannot help. */
export class EmailRejectedError extends Error {
  override readonly name = 'EmailRejectedError';

  constructor(readonly reason: string) {
    super(`e-mail refused: ${reason}`);
  }
}

export interface EmailSender {
  /** @throws EmailRejectedError when the e-mail can never be sent; any other error is worth a retry */
  send(email: Email): Promise<{ readonly messageId: string }>;
}
