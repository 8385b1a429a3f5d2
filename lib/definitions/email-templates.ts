import type { EmailTemplateKey } from '../../lambdas/ports/email-sender';

/**
 * The SES templates the platform sends with, defined once: the stateless stack stores them in
 * SES (one per stage), the local platform in the SES emulator at every start. Values come as
 * `text.*` (subject and text part) and `html.*` (HTML part, already escaped: SES inserts values
 * as they are); see lambdas/domain/email-content.ts.
 */
export interface EmailTemplate {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
}

const page = (title: string, body: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title></head>` +
  `<body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#1f2933">${body}` +
  `<p style="color:#7b8794;font-size:12px">FX Platform</p></body></html>`;

export const EMAIL_TEMPLATES: Readonly<Record<EmailTemplateKey, EmailTemplate>> = {
  rateAlert: {
    subject: 'Rate alert: {{text.pair}} {{text.movement}} {{text.threshold}}',
    html: page(
      'Rate alert {{html.pair}}',
      '<h2 style="margin:0 0 12px">{{html.pair}} {{html.movement}} {{html.threshold}}</h2>' +
        '<table cellpadding="6" style="border-collapse:collapse">' +
        '<tr><td>Rule</td><td><code>{{html.ruleId}}</code>: {{html.condition}} {{html.threshold}}</td></tr>' +
        '<tr><td>Rate</td><td><b>{{html.rate}}</b> {{html.quote}} per {{html.base}} (before: {{html.previousRate}})</td></tr>' +
        '<tr><td>Source</td><td>{{html.provider}}, in force from {{html.inForceFrom}}</td></tr>' +
        '</table>' +
        '<p>{{html.next}}</p>' +
        '<p>Change or delete the rule with the partner API: <code>PATCH</code> or <code>DELETE</code> ' +
        '<a href="{{html.ruleUrl}}">{{html.ruleUrl}}</a> (scope alerts.write).</p>',
    ),
    text:
      '{{text.pair}} {{text.movement}} {{text.threshold}}\n\n' +
      'Rule:   {{text.ruleId}} ({{text.condition}} {{text.threshold}})\n' +
      'Rate:   {{text.rate}} {{text.quote}} per {{text.base}} (before: {{text.previousRate}})\n' +
      'Source: {{text.provider}}, in force from {{text.inForceFrom}}\n\n' +
      '{{text.next}}\n\n' +
      'Change or delete the rule with the partner API: PATCH or DELETE {{text.ruleUrl}} (scope alerts.write).\n',
  },
  highValueDigest: {
    subject: 'High-value transactions: {{text.count}} from {{text.windowStart}} to {{text.windowEnd}}',
    html: page(
      'High-value transactions',
      '<h2 style="margin:0 0 12px">{{html.count}} high-value transactions</h2>' +
        '<p>From {{html.windowStart}} to {{html.windowEnd}}; together {{html.totalBase}}.</p>' +
        '<table cellpadding="6" style="border-collapse:collapse" border="1">' +
        '<tr><th>Transaction</th><th>Amount</th><th>Amount in base</th><th>Merchant</th><th>User (hashed)</th><th>Time</th></tr>' +
        '{{#each html.rows}}<tr><td><code>{{this.transactionId}}</code></td><td>{{this.amount}} {{this.currency}}</td>' +
        '<td>{{this.amountBase}} {{this.baseCurrency}}</td><td>{{this.merchant}}</td><td><code>{{this.userIdHash}}</code></td>' +
        '<td>{{this.timestamp}}</td></tr>{{/each}}' +
        '</table><p>{{html.omitted}}</p>',
    ),
    text:
      '{{text.count}} high-value transactions from {{text.windowStart}} to {{text.windowEnd}}; together {{text.totalBase}}.\n\n' +
      '{{#each text.rows}}- {{this.transactionId}}: {{this.amount}} {{this.currency}} = {{this.amountBase}} {{this.baseCurrency}}, ' +
      '{{this.merchant}}, user {{this.userIdHash}}, {{this.timestamp}}\n{{/each}}\n{{text.omitted}}\n',
  },
};

/** The template's name in SES: one set per stage (`fx-dev-rate-alert`), so stages share an account safely. */
export const emailTemplateName = (stage: string, key: EmailTemplateKey): string =>
  `fx-${stage}-${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

export const emailTemplateNames = (stage: string): Record<EmailTemplateKey, string> =>
  Object.fromEntries((Object.keys(EMAIL_TEMPLATES) as EmailTemplateKey[]).map((k) => [k, emailTemplateName(stage, k)])) as Record<EmailTemplateKey, string>;
