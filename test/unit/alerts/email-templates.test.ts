import { compileTemplateParts } from 'aws-ses-v2-local/dist/v2/renderTemplate';
import { BadHighValueEventError, digestRowOf, MAX_DIGEST_ROWS, windowOf } from '../../../lambdas/domain/high-value-digest';
import type { EmailTemplateKey } from '../../../lambdas/ports/email-sender';
import { digestEmail } from '../../../lambdas/use-cases/high-value-digest';
import { alertEmail } from '../../../lambdas/use-cases/evaluate-alerts';
import { resolveRateAt } from '../../../lambdas/use-cases/resolve-rates';
import { EMAIL_TEMPLATES, emailTemplateName } from '../../../lib/definitions/email-templates';
import { singleSourcePolicy } from '../../../lib/config/stage-config';
import type { ResolvedRate } from '../../../lambdas/domain/rate-resolver';
import { memoryRateSources, snapshotOf } from '../../support/rates';
import { refusal } from '../../support/refusal';

/** Renders like SES (and the SES emulator): Handlebars, values inserted as they are; strict = a missing value fails. */
const render = (key: EmailTemplateKey, data: object) => {
  const t = EMAIL_TEMPLATES[key];
  return compileTemplateParts({ Subject: t.subject, Html: t.html, Text: t.text }, { strict: true })(data as Record<string, unknown>);
};

const USER_HASH = 'a'.repeat(64);
const event = (overrides: Record<string, unknown> = {}) => ({
  eventId: 't-1',
  transaction_id: 't-1',
  user_id: 'raw-user-552193',
  user_id_hash: USER_HASH,
  amount: '5000.00',
  currency: 'EUR',
  amount_base: '5475.00',
  base_currency: 'USD',
  merchant: '<b>Corner</b> & "Shop"',
  timestamp: '2024-01-10T12:00:00.000Z',
  category: 'high_value',
  ...overrides,
});

async function rates(): Promise<{ r0: ResolvedRate; r1: ResolvedRate }> {
  const at0 = '2024-01-10T10:00:00.000Z';
  const at1 = '2024-01-10T10:01:00.000Z';
  const snapshots = [
    snapshotOf(at0, { EUR: '0.9200' }, { provider: 'oxr', base: 'USD' }),
    snapshotOf(at1, { EUR: '0.9100' }, { provider: 'oxr', base: 'USD' }),
  ];
  const deps = memoryRateSources(singleSourcePolicy('oxr'), snapshots, { clock: () => new Date('2024-01-10T11:00:00.000Z') });
  const [r0, r1] = await Promise.all([at0, at1].map((at) => resolveRateAt(deps, { from: 'EUR', to: 'USD', at })));
  return { r0: r0 as ResolvedRate, r1: r1 as ResolvedRate };
}

describe('the rate alert e-mail', () => {
  it('renders every part from its data: pair, condition, threshold, rate with provider and in-force time, how to change the rule', async () => {
    const { r0, r1 } = await rates();
    const rule = {
      owner: 'p', id: '01RULE00000000000000000001', base: 'EUR', quote: 'USD', condition: 'above' as const, threshold: '1.0900',
      email: 'treasury@example.com', mode: 'repeat' as const, hysteresisPercent: '0.1', cooldown: 'PT1H', active: true,
      createdAt: '', updatedAt: '', revision: 1, state: 'armed' as const, stateId: 's', triggerCount: 0,
    };
    const email = alertEmail(rule, r0, r1, '2024-01-10T10:01:00.000Z', 'https://api.example.com/dev');
    const { subject, text, html } = render('rateAlert', email.data);
    expect(subject).toBe('Rate alert: EUR/USD rose above 1.0900');
    expect(text).toContain('Rate:   1.0989010989010989010989010989010989011 USD per EUR (before: 1.08695652173913043478260869565217391304)');
    expect(text).toContain('Source: oxr, in force from 2024-01-10T10:01:00.000Z');
    expect(text).toContain('The rule re-arms once the rate is back at or below 1.08891, and e-mails at most once every PT1H.');
    expect(text).toContain('PATCH or DELETE https://api.example.com/dev/v1/alerts/01RULE00000000000000000001');
    expect(html).toContain('<a href="https://api.example.com/dev/v1/alerts/01RULE00000000000000000001">');
    expect(html).toContain('<b>1.0989010989010989010989010989010989011</b> USD per EUR');
  });
});

describe('the high-value digest e-mail', () => {
  it('lists id, amount, currency, amount in base, merchant and hashed user; never the raw user id', () => {
    const rows = [digestRowOf(event()), digestRowOf(event({ transaction_id: 't-2', amount: '4000', currency: 'USD', amount_base: '4000.00' }))];
    const email = digestEmail('2024-01-10T12:00:00.000Z', 15, rows, ['ops@example.com']);
    const { subject, text, html } = render('highValueDigest', email.data);
    expect(subject).toBe('High-value transactions: 2 from 2024-01-10T12:00:00.000Z to 2024-01-10T12:15:00.000Z');
    expect(text).toContain(`- t-1: 5000.00 EUR = 5475.00 USD, <b>Corner</b> & "Shop", user ${USER_HASH}, 2024-01-10T12:00:00.000Z`);
    expect(text).toContain('together 9475 USD');
    // The merchant is shown as written, never as markup, in the HTML part.
    expect(html).toContain('<td>&lt;b&gt;Corner&lt;/b&gt; &amp; &quot;Shop&quot;</td>');
    expect(html).not.toContain('<b>Corner</b>');
    for (const part of [subject, text, html]) expect(part).not.toContain('raw-user-552193');
    expect(email.to).toEqual(['ops@example.com']);
  });

  it(`lists at most ${MAX_DIGEST_ROWS} transactions and counts the rest`, () => {
    const rows = Array.from({ length: MAX_DIGEST_ROWS + 5 }, (_, i) => digestRowOf(event({ transaction_id: `t-${i}` })));
    const { text } = render('highValueDigest', digestEmail('2024-01-10T12:00:00.000Z', 15, rows, ['ops@example.com']).data);
    expect(text.match(/^- t-/gm)).toHaveLength(MAX_DIGEST_ROWS);
    expect(text).toContain('5 more are not listed here');
  });

  it('takes only the fields of the digest from an event, and refuses one without a hashed user', () => {
    expect(Object.keys(digestRowOf(event())).sort()).toEqual(['amount', 'amountBase', 'baseCurrency', 'currency', 'merchant', 'timestamp', 'transactionId', 'userIdHash']);
    expect(() => digestRowOf(event({ user_id_hash: 'raw-user-552193' }))).toThrow(BadHighValueEventError);
    expect(() => digestRowOf(event({ amount: 5000 }))).toThrow('amount');
    expect(() => digestRowOf(null)).toThrow(BadHighValueEventError);
  });

  it.each([
    ['an empty transaction id', { transaction_id: '' }, 'high-value event: transaction_id is missing or not a string of 1 to 2048 characters'],
    ['a currency over 10 characters', { currency: 'EURO-DOLLAR' }, 'high-value event: currency is missing or not a string of 1 to 10 characters'],
    ['a hash over 64 characters', { user_id_hash: 'a'.repeat(65) }, 'high-value event: user_id_hash is missing or not a string of 1 to 64 characters'],
    ['a negative amount', { amount: '-5000.00' }, 'high-value event: amount and amount_base must be positive decimal strings'],
    ['an amount in base in exponent form', { amount_base: '5.475e3' }, 'high-value event: amount and amount_base must be positive decimal strings'],
    ['a lower-case currency', { currency: 'eur' }, 'high-value event: bad currency code'],
    ['a base currency with a prefix', { base_currency: 'xUSD' }, 'high-value event: bad currency code'],
    ['a base currency with a suffix', { base_currency: 'USDx' }, 'high-value event: bad currency code'],
    ['a hash with a non-hex prefix', { user_id_hash: `z${'a'.repeat(63)}` }, 'high-value event: user_id_hash is not an HMAC-SHA256 hex digest'],
    ['a hash with a non-hex suffix', { user_id_hash: `${'a'.repeat(63)}z` }, 'high-value event: user_id_hash is not an HMAC-SHA256 hex digest'],
  ])('refuses an event with %s, saying what is wrong', async (_what, overrides, message) => {
    expect(await refusal(() => digestRowOf(event(overrides)), ['name', 'message'])).toEqual({ name: 'BadHighValueEventError', message });
  });

  it('puts an instant in its window', () => {
    expect(windowOf(new Date('2024-01-10T12:14:59.999Z'), 15)).toEqual({ start: '2024-01-10T12:00:00.000Z', end: '2024-01-10T12:15:00.000Z' });
    expect(windowOf(new Date('2024-01-10T12:15:00.000Z'), 15).start).toBe('2024-01-10T12:15:00.000Z');
    expect(windowOf(new Date('2024-01-10T23:59:00.000Z'), 60).end).toBe('2024-01-11T00:00:00.000Z');
  });
});

describe('template names', () => {
  it('are one set per stage', () => {
    expect(emailTemplateName('dev', 'rateAlert')).toBe('fx-dev-rate-alert');
    expect(emailTemplateName('prod', 'highValueDigest')).toBe('fx-prod-high-value-digest');
  });
});
