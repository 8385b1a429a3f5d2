import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ses from 'aws-cdk-lib/aws-ses';
import { Construct } from 'constructs';
import type { AlertsConfig } from '../config/stage-config';
import { EMAIL_TEMPLATES, emailTemplateName } from '../definitions/email-templates';
import { alarmOnAnyOf } from './alarms';
import type { EmailTemplateKey } from '../../lambdas/ports/email-sender';

export interface AlertEmailProps {
  /** Stage name: part of every template's name. */
  readonly stage: string;
  /** The stage config's `alerts.email`: identity, sender, region, configuration set. */
  readonly email: AlertsConfig['email'];
  /** Where the bounce and complaint alarms notify. */
  readonly alarmAction: cloudwatch.IAlarmAction;
}

/** SES events that mean a recipient did not want or could not take an e-mail. */
const ALARMED_EVENTS = [
  { event: ses.EmailSendingEvent.BOUNCE, metricName: 'Bounce' },
  { event: ses.EmailSendingEvent.COMPLAINT, metricName: 'Complaint' },
] as const;

/** The message tag the sender sets to the template key, and the CloudWatch dimension it becomes. */
export const EMAIL_TAG = 'email';

/**
 * What the platform e-mails with: the stage's SES identity (a domain, whose DKIM records SES
 * lists, or an address SES asks to confirm), a configuration set that publishes bounce,
 * complaint and reject events to CloudWatch (one metric per e-mail kind, via the message tag
 * `email`, alarmed at the first bounce or complaint) and uses the account-level suppression list,
 * and the stage's stored templates (EMAIL_TEMPLATES: HTML and text).
 */
export class AlertEmail extends Construct {
  readonly identity: ses.EmailIdentity;
  readonly configurationSet: ses.ConfigurationSet;
  readonly templates: Record<EmailTemplateKey, ses.CfnTemplate>;
  private readonly stage: string;

  constructor(scope: Construct, id: string, props: AlertEmailProps) {
    super(scope, id);
    this.stage = props.stage;
    const region = Stack.of(this).region;
    if (props.email.region && !Token.isUnresolved(region) && region !== props.email.region) {
      throw new Error(`alerts.email.region is ${props.email.region}, but the stack deploys to ${region}: deploy the stage to the SES region`);
    }
    // No suppressionReasons of its own: e-mail through this set honours the account-level suppression list.
    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: props.email.configurationSet,
      reputationMetrics: true,
      sendingEnabled: true,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    this.configurationSet.addEventDestination('CloudWatch', {
      destination: ses.EventDestination.cloudWatchDimensions([
        { name: EMAIL_TAG, source: ses.CloudWatchDimensionSource.MESSAGE_TAG, defaultValue: 'untagged' },
      ]),
      events: [...ALARMED_EVENTS.map((e) => e.event), ses.EmailSendingEvent.REJECT],
    });
    const identity = props.email.identity;
    this.identity = new ses.EmailIdentity(this, 'Identity', {
      identity: identity.includes('@') ? ses.Identity.email(identity) : ses.Identity.domain(identity),
      configurationSet: this.configurationSet,
    });
    this.templates = Object.fromEntries(
      (Object.entries(EMAIL_TEMPLATES) as [EmailTemplateKey, (typeof EMAIL_TEMPLATES)[EmailTemplateKey]][]).map(([key, t]) => [
        key,
        new ses.CfnTemplate(this, `${key[0].toUpperCase()}${key.slice(1)}Template`, {
          template: { templateName: emailTemplateName(props.stage, key), subjectPart: t.subject, htmlPart: t.html, textPart: t.text },
        }),
      ]),
    ) as Record<EmailTemplateKey, ses.CfnTemplate>;
    for (const key of Object.keys(EMAIL_TEMPLATES) as EmailTemplateKey[]) {
      for (const { metricName } of ALARMED_EVENTS) {
        const metric = new cloudwatch.Metric({
          namespace: 'AWS/SES',
          metricName,
          dimensionsMap: { [EMAIL_TAG]: key },
          period: Duration.minutes(5),
          statistic: 'Sum',
        });
        alarmOnAnyOf(this, `${key}${metricName}`, metric, `SES: a ${key} e-mail ${metricName === 'Bounce' ? 'bounced' : 'drew a complaint'}`)
          .addAlarmAction(props.alarmAction);
      }
    }
  }

  /** SendEmail from the identity, through the configuration set, with the stage's templates only. */
  grantSend(fn: lambda.IFunction): void {
    const stack = Stack.of(this);
    const arn = (resource: string, resourceName: string) => stack.formatArn({ service: 'ses', resource, resourceName });
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          this.identity.emailIdentityArn,
          arn('configuration-set', this.configurationSet.configurationSetName),
          ...Object.keys(this.templates).map((key) => arn('template', emailTemplateName(this.stage, key as EmailTemplateKey))),
        ],
      }),
    );
  }
}
