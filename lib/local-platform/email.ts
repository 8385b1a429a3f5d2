import { CreateEmailTemplateCommand, ListEmailTemplatesCommand, SESv2Client, UpdateEmailTemplateCommand } from '@aws-sdk/client-sesv2';
import { EMAIL_TEMPLATES, emailTemplateName } from '../definitions/email-templates';
import type { EmailTemplateKey } from '../../lambdas/ports/email-sender';

/**
 * Stores the stage's e-mail templates in the SES emulator, as the stateless stack stores them in
 * SES (the emulator keeps them in memory, so this runs at every start).
 */
export async function provisionEmailTemplates(endpoint: string, stage: string): Promise<string[]> {
  const ses = new SESv2Client({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const { TemplatesMetadata = [] } = await ses.send(new ListEmailTemplatesCommand({ PageSize: 100 }));
    const existing = new Set(TemplatesMetadata.map((t) => t.TemplateName));
    const names: string[] = [];
    for (const [key, template] of Object.entries(EMAIL_TEMPLATES) as [EmailTemplateKey, (typeof EMAIL_TEMPLATES)[EmailTemplateKey]][]) {
      const TemplateName = emailTemplateName(stage, key);
      const TemplateContent = { Subject: template.subject, Html: template.html, Text: template.text };
      await ses.send(
        existing.has(TemplateName)
          ? new UpdateEmailTemplateCommand({ TemplateName, TemplateContent })
          : new CreateEmailTemplateCommand({ TemplateName, TemplateContent }),
      );
      names.push(TemplateName);
    }
    return names;
  } finally {
    ses.destroy();
  }
}

/** One e-mail as the SES emulator keeps it (`GET /store`). */
export interface StoredEmail {
  readonly messageId: string;
  readonly from: string;
  readonly destination: { readonly to: readonly string[]; readonly cc: readonly string[]; readonly bcc: readonly string[] };
  readonly subject: string;
  readonly body: { readonly text?: string; readonly html?: string };
  /** Seconds since the epoch. */
  readonly at: number;
}

/** Every e-mail the SES emulator received, oldest first. */
export async function inboxEmails(sesEndpoint: string): Promise<StoredEmail[]> {
  const response = await fetch(`${sesEndpoint}/store`);
  if (!response.ok) throw new Error(`SES emulator answered ${response.status} for /store`);
  return ((await response.json()) as { emails?: StoredEmail[] }).emails ?? [];
}

/** The newest `count` e-mails as text: date, recipients, subject, and the text part. */
export function formatInbox(emails: readonly StoredEmail[], count: number): string {
  if (emails.length === 0) return 'The inbox is empty.';
  const newest = [...emails].sort((a, b) => b.at - a.at).slice(0, count);
  return newest
    .map((e) =>
      [
        `── ${new Date(e.at * 1000).toISOString()}  ${e.messageId}`,
        `From:    ${e.from}`,
        `To:      ${e.destination.to.join(', ')}`,
        `Subject: ${e.subject}`,
        '',
        (e.body.text ?? '(no text part)').trimEnd(),
      ].join('\n'),
    )
    .join('\n\n');
}
