import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';
import { EmailRejectedError, type EmailSender, type EmailTemplateKey } from '../../ports/email-sender';

export interface SesSenderSettings {
  /** The From address (within the stage's SES identity). */
  readonly sender: string;
  /** Bounce and complaint events, the account-level suppression list. */
  readonly configurationSet: string;
  /** The stored template of each e-mail. */
  readonly templates: Readonly<Record<EmailTemplateKey, string>>;
}

/** SES answers these for an e-mail that can never be sent as it is; anything else is retried. */
const PERMANENT = new Set(['MessageRejected', 'BadRequestException']);

/**
 * SES v2 SendEmail with a stored template (HTML and text parts), through the stage's
 * configuration set. The message is tagged with its template, which the configuration set's
 * CloudWatch destination uses as the dimension of its bounce and complaint metrics.
 */
export function sesEmailSender(client: SESv2Client, settings: SesSenderSettings): EmailSender {
  return {
    async send({ to, template, data }) {
      try {
        const { MessageId } = await client.send(
          new SendEmailCommand({
            FromEmailAddress: settings.sender,
            Destination: { ToAddresses: [...to] },
            ConfigurationSetName: settings.configurationSet,
            EmailTags: [{ Name: 'email', Value: template }],
            Content: { Template: { TemplateName: settings.templates[template], TemplateData: JSON.stringify(data) } },
          }),
        );
        if (!MessageId) throw new Error('SES accepted the e-mail without a message id');
        return { messageId: MessageId };
      } catch (error) {
        const name = (error as { name?: string }).name ?? '';
        if (PERMANENT.has(name)) throw new EmailRejectedError(`${name}: ${(error as Error).message}`.slice(0, 300));
        throw error;
      }
    },
  };
}
