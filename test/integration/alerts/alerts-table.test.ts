import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { dynamoAlertIndex } from '../../../lambdas/adapters/aws/dynamodb-alert-index';
import { dynamoAlertRuleStore, dynamoWatchedPairs } from '../../../lambdas/adapters/aws/dynamodb-alert-rules';
import { dynamoDigestStore } from '../../../lambdas/adapters/aws/dynamodb-digest-store';
import { partnerTableOf } from '../../../lambdas/adapters/aws/partner-idempotency';
import { sesEmailSender } from '../../../lambdas/adapters/aws/ses-email-sender';
import { Decimal } from '../../../lambdas/domain/decimal';
import { digestRowOf } from '../../../lambdas/domain/high-value-digest';
import { seriesMoves } from '../../../lambdas/domain/rate-change';
import { seriesSnapshotOf, type RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { AlertRuleLimitError, type StoredAlertRule } from '../../../lambdas/ports/alert-rules';
import { documentClientOf } from '../../../lambdas/shared/clients';
import { evaluateRateChange, type EvaluateAlertsDeps } from '../../../lambdas/use-cases/evaluate-alerts';
import { sendHighValueDigests } from '../../../lambdas/use-cases/high-value-digest';
import { singleSourcePolicy } from '../../../lib/config/stage-config';
import { emailTemplateNames } from '../../../lib/definitions/email-templates';
import { TABLES } from '../../../lib/definitions/resources';
import { inboxEmails, provisionEmailTemplates } from '../../../lib/local-platform/email';
import { armedRule, countRuleItemsRead, putRules } from '../../support/alerts';
import { createTableFrom, uniqueName, useEmulators } from '../../support/emulator-resources';
import { memoryRateSources, snapshotOf } from '../../support/rates';

jest.setTimeout(300_000);

const env = useEmulators('alerts');
const sdk = { region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };

/** A DynamoDB client whose rule items read are counted. */
function countingClient(endpoint: string) {
  const client = new DynamoDBClient({ ...sdk, endpoint });
  const counter = countRuleItemsRead(client);
  return { documents: documentClientOf(client), counter, client };
}

const oxr = (instant: string, eurPerUsd: string) => snapshotOf(instant, { EUR: eurPerUsd, JPY: '150.25' }, { provider: 'oxr', base: 'USD' });
const minute = (n: number) => new Date(Date.parse('2024-01-10T10:00:00.000Z') + n * 60_000).toISOString();
const NOW = new Date('2024-01-10T12:00:00.000Z');

/** Rule i, owned by one of seven partners, e-mailing its own address. */
const rule = (i: number, overrides: Partial<StoredAlertRule> = {}) =>
  armedRule(`01RULE${String(i).padStart(20, '0')}`, { owner: `partner-${i % 7}`, threshold: '1.5', email: `owner-${i}@example.com`, ...overrides });

describe('alert evaluation against DynamoDB Local and the SES emulator', () => {
  let table: string;
  let counting: ReturnType<typeof countingClient>;
  let ses: SESv2Client;
  const stored: RateSnapshot[] = [];
  const emailsTo = async (prefix: string) => (await inboxEmails(env.emulators.endpoints.ses)).filter((e) => e.destination.to[0].startsWith(prefix));

  const deps = (): EvaluateAlertsDeps => ({
    rates: memoryRateSources(singleSourcePolicy('oxr'), stored, { clock: () => NOW }),
    index: dynamoAlertIndex(counting.documents, table),
    email: sesEmailSender(ses, { sender: 'alerts@fx-platform.local', configurationSet: 'fx-local-alerts', templates: emailTemplateNames('local') }),
    claimMs: 60_000,
    apiBaseUrl: 'http://127.0.0.1:1',
    clock: () => NOW,
  });
  const publish = (snapshot: RateSnapshot) => {
    const previous = stored.at(-1);
    stored.push(snapshot);
    return seriesMoves(previous && seriesSnapshotOf(previous), [seriesSnapshotOf(snapshot)])[0];
  };

  beforeAll(async () => {
    table = uniqueName('alerts');
    await createTableFrom(env.clients, TABLES.alerts, table);
    await provisionEmailTemplates(env.emulators.endpoints.ses, 'local');
    counting = countingClient(env.emulators.endpoints.dynamodb);
    ses = new SESv2Client({ ...sdk, endpoint: env.emulators.endpoints.ses });
    // 10,000 rules on EUR/USD, above and below in turn, thresholds 1.0000 .. 1.9999; in other states too.
    const rules = Array.from({ length: 10_000 }, (_, i) =>
      rule(i, {
        threshold: (1 + i / 10_000).toFixed(4),
        condition: i % 2 === 0 ? 'above' : 'below',
        ...(i % 10 === 3 ? { state: 'fired' } : i % 10 === 7 ? { state: 'inactive', active: false } : {}),
      }),
    );
    await putRules(counting.documents, table, rules);
    await dynamoWatchedPairs(counting.documents, table).watch('EUR', 'USD');
  });
  afterAll(() => {
    counting?.client.destroy();
    ses?.destroy();
  });

  it('reads exactly the 3 rule items a move crosses out of 10,000 stored, and e-mails each once', async () => {
    await evaluateRateChange(deps(), publish(oxr(minute(0), '0.9200')), [{ base: 'EUR', quote: 'USD' }]); // 1.08695…
    counting.counter.items = 0;
    // The rise to 1/0.91954 = 1.08750… crosses the above rules (even i) at 1.0870, 1.0872 and 1.0874.
    const crossing = publish(oxr(minute(1), '0.91954'));
    const result = await evaluateRateChange(deps(), crossing, [{ base: 'EUR', quote: 'USD' }]);

    expect(counting.counter.items).toBe(3);
    expect(result).toMatchObject({ rulesRead: 3, fired: 3, emailed: 3 });
    const sent = await emailsTo('owner-');
    expect(sent.map((e) => e.subject).sort()).toEqual([
      'Rate alert: EUR/USD rose above 1.0870',
      'Rate alert: EUR/USD rose above 1.0872',
      'Rate alert: EUR/USD rose above 1.0874',
    ]);
    expect(sent.map((e) => e.destination.to[0]).sort()).toEqual(['owner-870@example.com', 'owner-872@example.com', 'owner-874@example.com']);

    // The same change again: nothing is crossed any more, nothing sent.
    counting.counter.items = 0;
    expect(await evaluateRateChange(deps(), crossing, [{ base: 'EUR', quote: 'USD' }])).toMatchObject({ fired: 0 });
    expect(counting.counter.items).toBe(0);
    expect(await emailsTo('owner-')).toHaveLength(3);
  });

  it('sends each crossing once when invocations evaluate the same change at the same time', async () => {
    const before = (await emailsTo('owner-')).length;
    // The fall from 1.08750… to 1/0.9202 = 1.08672… crosses the armed below rules (odd i) at 1.0875,
    // 1.0871 and 1.0869; the one at 1.0873 (i = 873) has fired before, so it is in no index.
    const fall = publish(oxr(minute(2), '0.9202'));
    const results = await Promise.all([1, 2, 3].map(() => evaluateRateChange(deps(), fall, [{ base: 'EUR', quote: 'USD' }])));
    expect(results.reduce((n, r) => n + r.emailed, 0)).toBe(3);
    const sent = (await emailsTo('owner-')).slice(before);
    expect(sent.map((e) => e.subject).sort()).toEqual([
      'Rate alert: EUR/USD fell below 1.0869',
      'Rate alert: EUR/USD fell below 1.0871',
      'Rate alert: EUR/USD fell below 1.0875',
    ]);
  });

  it('re-arms repeat rules through the waiting index, reading only the rules it re-arms', async () => {
    const index = dynamoAlertIndex(counting.documents, table);
    const repeat = rule(20_001, { owner: 'partner-r', threshold: '1.2000', mode: 'repeat', quote: 'JPY', base: 'GBP', email: 'repeat@example.com' });
    await putRules(counting.documents, table, [repeat]);
    const ok = await index.claim(repeat, { token: 't', crossingAt: minute(3), untilMs: NOW.getTime() + 1000 }, NOW.getTime());
    expect(ok).toBe(true);
    expect(await index.fire(repeat, 't', { stateId: 'waiting-1', trigger: { at: minute(3), rate: '1.21', provider: 'oxr', emailed: true }, rearmLevel: '1.1988' })).toBe(true);
    const key = 'GBP/JPY#above';
    counting.counter.items = 0;
    expect(await index.waiting(key, { from: new Decimal('1.1989') })).toHaveLength(0);
    const [waiting] = await index.waiting(key, { from: new Decimal('1.1988') });
    expect(waiting).toMatchObject({ id: repeat.id, state: 'waiting', rearmLevel: '1.1988', waitingSince: minute(3), triggerCount: 1 });
    expect(await index.armed(key, { from: new Decimal('1.1'), to: new Decimal('1.3') })).toHaveLength(0);
    expect(counting.counter.items).toBe(1);
    expect(await index.rearm(waiting, { stateId: 'armed-2', armedSince: minute(4) })).toBe(true);
    // The stale copy (its stateId is gone) cannot act again.
    expect(await index.rearm(waiting, { stateId: 'armed-3', armedSince: minute(5) })).toBe(false);
    expect(await index.armed(key, { from: new Decimal('1.2'), to: new Decimal('1.2') })).toEqual([
      expect.objectContaining({ id: repeat.id, state: 'armed', armedSince: minute(4), stateId: 'armed-2' }),
    ]);
  });
});

describe('a partner’s rules in DynamoDB Local', () => {
  let table: string;
  const create = (store: ReturnType<typeof dynamoAlertRuleStore>, partner: string, key: string, r: StoredAlertRule) =>
    store.createOnce(partner, key, { threshold: r.threshold }, async () => r);

  beforeAll(async () => {
    table = uniqueName('alert-rules');
    await createTableFrom(env.clients, TABLES.alerts, table);
  });

  it('stores one rule per Idempotency-Key, keeps the limit in the same transaction, even under concurrent creates', async () => {
    const store = dynamoAlertRuleStore(partnerTableOf(env.clients.dynamodbClient), table, { maxRulesPerPartner: 3 });
    const first = await create(store, 'p1', 'k1', rule(1, { owner: 'p1' }));
    expect(first.replayed).toBe(false);
    expect(await create(store, 'p1', 'k1', rule(99, { owner: 'p1' }))).toEqual({ rule: first.rule, replayed: true });
    const attempts = await Promise.allSettled([2, 3, 4, 5].map((i) => create(store, 'p1', `k${i}`, rule(i, { owner: 'p1' }))));
    expect(attempts.filter((a) => a.status === 'fulfilled')).toHaveLength(2);
    for (const refused of attempts.filter((a) => a.status === 'rejected')) expect((refused as PromiseRejectedResult).reason).toBeInstanceOf(AlertRuleLimitError);
    expect(await store.count('p1')).toBe(3);
    expect((await store.list('p1', { limit: 10 })).items).toHaveLength(3);
    // A refused key is free again: after a delete, the same key creates.
    const refusedKey = attempts.findIndex((a) => a.status === 'rejected') + 2;
    expect(await store.delete(first.rule)).toBe(true);
    expect(await store.count('p1')).toBe(2);
    expect((await create(store, 'p1', `k${refusedKey}`, rule(refusedKey, { owner: 'p1' }))).replayed).toBe(false);
  });

  it('finds no other partner’s rule, and refuses a stale revision', async () => {
    const store = dynamoAlertRuleStore(partnerTableOf(env.clients.dynamodbClient), table, { maxRulesPerPartner: 3 });
    const { rule: mine } = await create(store, 'p2', 'k', rule(50, { owner: 'p2' }));
    expect(await store.get('p3', mine.id)).toBeUndefined();
    expect((await store.list('p3', { limit: 10 })).items).toEqual([]);
    const changed = { ...mine, threshold: '1.6', revision: 2 };
    expect(await store.replace(changed, 1)).toBe(true);
    expect(await store.replace({ ...mine, threshold: '1.7', revision: 2 }, 1)).toBe(false);
    expect(await store.delete(mine)).toBe(false);
    expect(await store.get('p2', mine.id)).toMatchObject({ threshold: '1.6', revision: 2 });
  });
});

describe('the high-value digest in DynamoDB Local and the SES emulator', () => {
  let table: string;
  const row = (id: string) =>
    digestRowOf({ transaction_id: id, user_id_hash: 'b'.repeat(64), amount: '5000', currency: 'EUR', amount_base: '5450.00', base_currency: 'USD', merchant: 'Atlas Travel', timestamp: '2024-01-10T12:00:00.000Z' });

  beforeAll(async () => {
    table = uniqueName('digest');
    await createTableFrom(env.clients, TABLES.alerts, table);
    await provisionEmailTemplates(env.emulators.endpoints.ses, 'local');
  });

  it('collects each transaction once per window and e-mails each closed window once, as one digest', async () => {
    const digest = dynamoDigestStore(env.clients.dynamodb, table, 1);
    const ses = new SESv2Client({ ...sdk, endpoint: env.emulators.endpoints.ses });
    const email = sesEmailSender(ses, { sender: 'alerts@fx-platform.local', configurationSet: 'fx-local-alerts', templates: emailTemplateNames('local') });
    const recipients = ['ops-digest@example.com'];
    let now = new Date('2024-01-10T12:00:10.000Z');
    const send = () => sendHighValueDigests({ digest, email, recipients, windowMinutes: 1, claimMs: 60_000, clock: () => now });

    expect(await digest.add(row('hv-1'), now)).toBe('added');
    expect(await digest.add(row('hv-2'), new Date('2024-01-10T12:00:50.000Z'))).toBe('added');
    expect(await digest.add(row('hv-1'), new Date('2024-01-10T12:00:55.000Z'))).toBe('duplicate');
    expect(await send()).toMatchObject({ sent: [], pending: 1 });

    now = new Date('2024-01-10T12:01:05.000Z');
    const run = await send();
    expect(run.sent).toEqual([{ window: '2024-01-10T12:00:00.000Z', rows: 2, messageId: expect.any(String) }]);
    // A late row for the closed window goes to the next one; the window is not sent again.
    expect(await digest.add(row('hv-3'), new Date('2024-01-10T12:00:59.000Z'))).toBe('added');
    expect(await send()).toMatchObject({ sent: [], pending: 1 });
    now = new Date('2024-01-10T12:02:00.000Z');
    expect((await send()).sent).toEqual([{ window: '2024-01-10T12:01:00.000Z', rows: 1, messageId: expect.any(String) }]);
    expect(await send()).toEqual({ sent: [], refused: [], pending: 0 });

    const digests = (await inboxEmails(env.emulators.endpoints.ses)).filter((e) => e.destination.to.includes('ops-digest@example.com'));
    expect(digests.map((e) => e.subject)).toEqual([
      'High-value transactions: 2 from 2024-01-10T12:00:00.000Z to 2024-01-10T12:01:00.000Z',
      'High-value transactions: 1 from 2024-01-10T12:01:00.000Z to 2024-01-10T12:02:00.000Z',
    ]);
    expect(digests[0].body.text).toContain('- hv-1: 5000 EUR = 5450.00 USD, Atlas Travel');
    expect(digests[0].body.text).toContain('- hv-2:');
    ses.destroy();
  });

  it('takes over a window whose sender died after claiming it, once the claim lapsed', async () => {
    const digest = dynamoDigestStore(env.clients.dynamodb, table, 1);
    const at = new Date('2024-01-10T13:00:30.000Z');
    await digest.add(row('hv-9'), at);
    const nowMs = Date.parse('2024-01-10T13:01:10.000Z');
    expect(await digest.claim('2024-01-10T13:00:00.000Z', 'dead', nowMs + 60_000, nowMs)).toBe('claimed');
    expect(await digest.claim('2024-01-10T13:00:00.000Z', 'next', nowMs + 120_000, nowMs + 1_000)).toBe('busy');
    expect(await digest.claim('2024-01-10T13:00:00.000Z', 'next', nowMs + 180_000, nowMs + 60_001)).toBe('claimed');
    expect(await digest.markSent('2024-01-10T13:00:00.000Z', 'dead', { rows: 1 })).toBe(false);
    expect(await digest.markSent('2024-01-10T13:00:00.000Z', 'next', { rows: 1, messageId: 'm' })).toBe(true);
    expect(await digest.claim('2024-01-10T13:00:00.000Z', 'late', nowMs + 300_000, nowMs + 200_000)).toBe('sent');
    expect(await digest.openWindows()).not.toContain('2024-01-10T13:00:00.000Z');
  });
});
