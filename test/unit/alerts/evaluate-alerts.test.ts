import { seriesMoves } from '../../../lambdas/domain/rate-change';
import type { RatePolicy } from '../../../lambdas/domain/rate-policy';
import { seriesSnapshotOf, type RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import type { StoredAlertRule } from '../../../lambdas/ports/alert-rules';
import { EmailRejectedError } from '../../../lambdas/ports/email-sender';
import { AlertDeliveryError, evaluateRateChange, parseRateChange, type EvaluateAlertsDeps } from '../../../lambdas/use-cases/evaluate-alerts';
import { singleSourcePolicy } from '../../../lib/config/stage-config';
import { armedRule, memoryAlertTable, memoryEmailSender } from '../../support/alerts';
import { memoryRateSources, snapshotOf } from '../../support/rates';

/** OXR publishes USD-based rates: EUR/USD is 1 / (EUR per USD). */
const oxr = (instant: string, eurPerUsd: string, more: Record<string, string> = {}) =>
  snapshotOf(instant, { EUR: eurPerUsd, JPY: '150.25', ...more }, { provider: 'oxr', base: 'USD' });

const T0 = '2024-01-10T10:00:00.000Z';
const minutesAfter = (minutes: number, from = T0) => new Date(Date.parse(from) + minutes * 60_000).toISOString();

let ruleIds = 0;
/** An armed rule as the API stores it, armed before every move of the tests. */
const rule = (overrides: Partial<StoredAlertRule> = {}) => armedRule(`01RULE${String(++ruleIds).padStart(20, '0')}`, overrides);

/**
 * A world of one policy: the series moves through `publications` one by one (each move is the
 * event process-rates would send), rules live in the memory table, e-mail in memory.
 */
function world(policy: RatePolicy = singleSourcePolicy('oxr'), options: { now?: string } = {}) {
  const table = memoryAlertTable();
  const email = memoryEmailSender();
  let now = new Date(options.now ?? '2024-01-10T12:00:00.000Z');
  const stored: RateSnapshot[] = [];
  let ids = 0;
  let rates = memoryRateSources(policy, stored, { clock: () => now });
  const deps = (): EvaluateAlertsDeps => ({
    rates: (rates = memoryRateSources(policy, stored, { clock: () => now })),
    index: table.index,
    email,
    claimMs: 60_000,
    apiBaseUrl: 'https://api.example.com/dev',
    clock: () => now,
    newId: () => `id-${++ids}`,
  });
  const pairs = () => table.watched.list();
  /** Stores the publication and returns the event of the move to it. */
  const publish = (snapshot: RateSnapshot) => {
    const previous = [...stored].filter((s) => s.provider === snapshot.provider && s.base === snapshot.base).pop();
    stored.push(snapshot);
    const [event] = seriesMoves(previous && seriesSnapshotOf(previous), [seriesSnapshotOf(snapshot)]);
    return event;
  };
  return {
    table,
    email,
    deps,
    publish,
    add: async (r: StoredAlertRule) => {
      table.put(r);
      await table.watched.watch(r.base, r.quote);
      return r;
    },
    evaluate: async (event: ReturnType<typeof publish>, over: Partial<EvaluateAlertsDeps> = {}) =>
      evaluateRateChange({ ...deps(), ...over }, event, await pairs()),
    setNow: (iso: string) => (now = new Date(iso)),
    /** Reads of the stored series by the last evaluation. */
    seriesReads: () => rates.reader.reads,
  };
}

describe('evaluate-alerts: a move crosses a rule', () => {
  it('fires an above rule once when EUR/USD rises past it, e-mailing what crossed and how to change the rule', async () => {
    const w = world();
    const r = await w.add(rule());
    await w.evaluate(w.publish(oxr(T0, '0.9200'))); // EUR/USD 1.0869…
    const result = await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100'))); // 1.0989…

    expect(result).toMatchObject({ pairsMoved: 1, rulesRead: 1, fired: 1, emailed: 1 });
    expect(w.email.sent).toHaveLength(1);
    const [sent] = w.email.sent;
    expect(sent.to).toEqual(['treasury@example.com']);
    expect(sent.template).toBe('rateAlert');
    const data = (sent.data as { text: Record<string, string> }).text;
    expect(data).toMatchObject({
      pair: 'EUR/USD',
      condition: 'above',
      movement: 'rose above',
      threshold: '1.0900',
      provider: 'oxr',
      inForceFrom: minutesAfter(1),
      ruleUrl: `https://api.example.com/dev/v1/alerts/${r.id}`,
    });
    // 1 / 0.91 and 1 / 0.92, by long division.
    expect(data.rate.startsWith('1.09890109890109890109')).toBe(true);
    expect(data.previousRate.startsWith('1.08695652173913043478')).toBe(true);
    expect(w.table.stored(r.owner, r.id)).toMatchObject({ state: 'fired', triggerCount: 1, lastTriggered: { at: minutesAfter(1), provider: 'oxr', emailed: true } });
  });

  it('fires a below rule on a fall past it, and not on the rise back', async () => {
    const w = world();
    await w.add(rule({ condition: 'below', threshold: '1.0800' }));
    await w.evaluate(w.publish(oxr(T0, '0.9200'))); // 1.0869…
    await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9300'))); // 1.0752…
    await w.evaluate(w.publish(oxr(minutesAfter(2), '0.9200')));
    expect(w.email.sent.map((e) => (e.data as { text: { movement: string } }).text.movement)).toEqual(['fell below']);
  });

  it('does not fire on a move that lands exactly on the threshold, and fires on the move that leaves it past the threshold', async () => {
    const w = world();
    await w.add(rule({ threshold: '1.25' }));
    await w.evaluate(w.publish(oxr(T0, '0.81'))); // 1.2345…
    const onIt = await w.evaluate(w.publish(oxr(minutesAfter(1), '0.8'))); // exactly 1.25
    expect(onIt).toMatchObject({ pairsMoved: 1, rulesRead: 0, fired: 0 });
    expect(w.email.sent).toHaveLength(0);
    const past = await w.evaluate(w.publish(oxr(minutesAfter(2), '0.79'))); // 1.2658…
    expect(past).toMatchObject({ rulesRead: 1, fired: 1, emailed: 1 });
  });

  it('reads only the rules a move crosses: 3 of 10,000 stored on the pair', async () => {
    const w = world();
    // Thresholds 1.0000 .. 1.9999 in steps of 0.0001, above and below in turn. The rise 1/0.92 = 1.08695…
    // -> 1/0.91954 = 1.08750… crosses the above rules at 1.0870, 1.0872 and 1.0874, and no below rule.
    for (let i = 0; i < 10_000; i++) {
      await w.add(rule({ threshold: (1 + i / 10_000).toFixed(4), condition: i % 2 === 0 ? 'above' : 'below' }));
    }
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    w.table.counter.itemsRead = 0;
    const result = await w.evaluate(w.publish(oxr(minutesAfter(1), '0.91954')));
    expect(w.email.sent.map((e) => (e.data as { text: { threshold: string } }).text.threshold).sort()).toEqual(['1.0870', '1.0872', '1.0874']);
    expect(result.rulesRead).toBe(3);
    expect(w.table.counter.itemsRead).toBe(3);
  });

  it('re-evaluates crosses valued through the moved series (the ECB EUR table moves USD/JPY)', async () => {
    const policy: RatePolicy = { fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }], crypto: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }] };
    const w = world(policy, { now: '2024-01-10T16:00:00.000Z' });
    await w.add(rule({ base: 'USD', quote: 'JPY', threshold: '146.00', armedSince: '2024-01-08T00:00:00.000Z' }));
    await w.evaluate(w.publish(snapshotOf('2024-01-08', { USD: '1.0950', JPY: '159.00' }))); // 145.205…
    const result = await w.evaluate(w.publish(snapshotOf('2024-01-09', { USD: '1.0900', JPY: '159.50' }))); // 146.330…
    expect(result).toMatchObject({ pairsMoved: 1, fired: 1, emailed: 1 });
    expect((w.email.sent[0].data as { text: { rate: string; provider: string } }).text).toMatchObject({ provider: 'ecb' });
    expect((w.email.sent[0].data as { text: { rate: string } }).text.rate.startsWith('146.33027522935779816513')).toBe(true);
  });

  it('leaves a pair the policy values from another source alone (a coin price moves no fiat pair): no query at all', async () => {
    const policy: RatePolicy = { fiat: [{ provider: 'oxr', staleAfter: 'PT3H' }], crypto: [{ provider: 'coingecko', staleAfter: 'PT30M' }] };
    const w = world(policy);
    await w.add(rule({ threshold: '1.0800' }));
    w.publish(oxr(T0, '0.9200'));
    const coin = (instant: string, price: string) => snapshotOf(instant, [{ quote: 'BTC', rate: price, orientation: 'base-per-quote' }], { provider: 'coingecko', base: 'USD' });
    w.publish(coin(minutesAfter(1), '42000'));
    const result = await w.evaluate(w.publish(coin(minutesAfter(2), '43000')));
    expect(result).toMatchObject({ pairsMoved: 0, rulesRead: 0 });
    expect(w.table.counter.queries).toBe(0);
  });
});

describe('evaluate-alerts: a rule another invocation changed meanwhile', () => {
  it('counts a rule it could not fire, re-arm or expire (changed since it was read) as skipped', async () => {
    const w = world();
    await w.add(rule());
    await w.add(rule({ mode: 'repeat', state: 'waiting', armedSince: undefined, rearmLevel: '1.1000', waitingSince: T0 }));
    await w.add(rule({ threshold: '1.0950', expiresAt: '2024-01-10T11:00:00.000Z' }));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    const lost = { ...w.table.index, fire: async () => false, rearm: async () => false, expire: async () => false };
    const result = await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100')), { index: lost });
    expect(result).toMatchObject({ rulesRead: 3, fired: 0, rearmed: 0, expired: 0, skipped: 3 });
  });
});

describe('evaluate-alerts: where the rates come from', () => {
  it('takes the moved series from the event, reading none of it from the store', async () => {
    const w = world();
    await w.add(rule());
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    expect(await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100')))).toMatchObject({ fired: 1 });
    expect(w.seriesReads()).toBe(0);
  });

  it('reads the other series of a cross from the store: BTC/EUR moves with the coin price, at the stored EUR rate', async () => {
    const policy: RatePolicy = { fiat: [{ provider: 'oxr', staleAfter: 'PT3H' }], crypto: [{ provider: 'coingecko', staleAfter: 'PT30M' }] };
    const w = world(policy);
    await w.add(rule({ base: 'BTC', quote: 'EUR', threshold: '39000' }));
    w.publish(oxr(T0, '0.9200'));
    const coin = (instant: string, price: string) => snapshotOf(instant, [{ quote: 'BTC', rate: price, orientation: 'base-per-quote' }], { provider: 'coingecko', base: 'USD' });
    await w.evaluate(w.publish(coin(minutesAfter(1), '42000'))); // 42000 x 0.92 = 38640 EUR
    const result = await w.evaluate(w.publish(coin(minutesAfter(2), '43000'))); // 43000 x 0.92 = 39560 EUR

    expect(result).toMatchObject({ pairsMoved: 1, fired: 1 });
    expect(w.seriesReads()).toBeGreaterThan(0);
    expect((w.email.sent[0].data as { text: Record<string, string> }).text).toMatchObject({ rate: '39560', previousRate: '38640' });
  });
});

describe('evaluate-alerts: each crossing is e-mailed once', () => {
  it('sends nothing more when the same change is delivered again', async () => {
    const w = world();
    await w.add(rule());
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    const crossing = w.publish(oxr(minutesAfter(1), '0.9100'));
    await w.evaluate(crossing);
    const again = await w.evaluate(crossing);
    expect(again).toMatchObject({ rulesRead: 0, fired: 0 });
    expect(w.email.sent).toHaveLength(1);
  });

  it('sends one e-mail when two invocations evaluate the same change at once', async () => {
    const w = world();
    await w.add(rule());
    await w.add(rule({ threshold: '1.0950' }));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    const crossing = w.publish(oxr(minutesAfter(1), '0.9100'));
    const [a, b] = await Promise.all([w.evaluate(crossing), w.evaluate(crossing)]);
    expect(a.emailed + b.emailed).toBe(2);
    expect(w.email.sent).toHaveLength(2);
    expect(new Set(w.email.sent.map((e) => (e.data as { text: { threshold: string } }).text.threshold))).toEqual(new Set(['1.0900', '1.0950']));
  });

  it('retries a crossing SES could not take: the message fails, and the redelivery e-mails it once its claim lapsed', async () => {
    const w = world();
    const r = await w.add(rule());
    const other = await w.add(rule({ threshold: '1.0950', email: 'other@example.com' }));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    const crossing = w.publish(oxr(minutesAfter(1), '0.9100'));
    let calls = 0;
    const flaky = { send: async (e: Parameters<typeof w.email.send>[0]) => (++calls === 1 ? Promise.reject(new Error('Throttling')) : w.email.send(e)) };
    await expect(w.evaluate(crossing, { email: flaky })).rejects.toBeInstanceOf(AlertDeliveryError);
    // The other rule was e-mailed in the same run; the failed one keeps its claim.
    expect(w.email.sent.map((e) => e.to[0])).toEqual(['other@example.com']);
    expect(w.table.stored(r.owner, r.id)).toMatchObject({ state: 'armed', claimCrossing: minutesAfter(1) });
    // A delivery while the claim lives sends nothing (the claimer's own message comes back).
    expect(await w.evaluate(crossing)).toMatchObject({ emailed: 0, skipped: 1 });
    w.setNow('2024-01-10T12:01:01.000Z');
    expect(await w.evaluate(crossing)).toMatchObject({ emailed: 1 });
    expect(w.email.sent.map((e) => e.to[0])).toEqual(['other@example.com', 'treasury@example.com']);
    expect(w.table.stored(other.owner, other.id)?.triggerCount).toBe(1);
  });

  it('e-mails again (never loses it) when the function dies between SES accepting the e-mail and the state write', async () => {
    const w = world();
    const r = await w.add(rule());
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    const crossing = w.publish(oxr(minutesAfter(1), '0.9100'));
    const dying = { ...w.table.index, fire: async () => Promise.reject(new Error('function timed out')) };
    await expect(w.evaluate(crossing, { index: dying })).rejects.toThrow('function timed out');
    expect(w.email.sent).toHaveLength(1);
    w.setNow('2024-01-10T12:01:01.000Z');
    await w.evaluate(crossing);
    // The documented window: a duplicate rather than a missed alert; then the rule is fired.
    expect(w.email.sent).toHaveLength(2);
    expect(w.table.stored(r.owner, r.id)).toMatchObject({ state: 'fired', triggerCount: 1 });
    await w.evaluate(crossing);
    expect(w.email.sent).toHaveLength(2);
  });

  it('records an address SES refuses for good on the rule, and does not retry it', async () => {
    const w = world();
    const r = await w.add(rule());
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    w.email.failWith(() => new EmailRejectedError('MessageRejected: Email address is not verified'));
    const result = await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100')));
    expect(result).toMatchObject({ fired: 1, refused: 1, emailed: 0 });
    expect(w.table.stored(r.owner, r.id)?.lastTriggered).toMatchObject({ emailed: false, notSent: 'MessageRejected: Email address is not verified' });
  });
});

describe('evaluate-alerts: repeat, hysteresis, cooldown, expiry, inactive rules', () => {
  it('re-arms a repeat rule only once the rate is back past the hysteresis, then fires again', async () => {
    const w = world();
    const r = await w.add(rule({ mode: 'repeat' })); // re-arms at or below 1.0900 x 0.999 = 1.08891
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100'))); // up past 1.09: e-mail 1
    expect(w.table.stored(r.owner, r.id)).toMatchObject({ state: 'waiting', rearmLevel: '1.08891' });

    await w.evaluate(w.publish(oxr(minutesAfter(2), '0.9180'))); // 1.08932…: back under 1.09, not past the level
    await w.evaluate(w.publish(oxr(minutesAfter(3), '0.9150'))); // 1.0928…: above again, but not re-armed
    expect(w.email.sent).toHaveLength(1);

    const rearm = await w.evaluate(w.publish(oxr(minutesAfter(4), '0.9190'))); // 1.08813…: past the level
    expect(rearm).toMatchObject({ rulesRead: 1, rearmed: 1 });
    expect(w.table.stored(r.owner, r.id)).toMatchObject({ state: 'armed', armedSince: minutesAfter(4) });
    await w.evaluate(w.publish(oxr(minutesAfter(5), '0.9100'))); // e-mail 2
    expect(w.email.sent).toHaveLength(2);
    expect(w.table.stored(r.owner, r.id)?.triggerCount).toBe(2);
  });

  it('fires a once rule one time only', async () => {
    const w = world();
    const r = await w.add(rule({ mode: 'once' }));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100')));
    await w.evaluate(w.publish(oxr(minutesAfter(2), '0.9300')));
    await w.evaluate(w.publish(oxr(minutesAfter(3), '0.9000')));
    expect(w.email.sent).toHaveLength(1);
    expect(w.table.stored(r.owner, r.id)?.state).toBe('fired');
    expect(w.table.stored(r.owner, r.id)?.rearmLevel).toBeUndefined();
    expect((w.email.sent[0].data as { text: { next: string } }).text.next).toBe('The rule has fired and watches no more (mode "once"); PATCH it to arm it again.');
  });

  it('tells a repeat below rule it re-arms at or above its level', async () => {
    const w = world();
    await w.add(rule({ mode: 'repeat', condition: 'below', threshold: '1.0800' })); // 1.0800 x 1.001 = 1.08108
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9300')));
    expect((w.email.sent[0].data as { text: { next: string } }).text.next).toBe('The rule re-arms once the rate is back at or above 1.08108.');
  });

  it('expires a waiting rule instead of re-arming it once its expiry has passed', async () => {
    const w = world();
    const r = await w.add(rule({ mode: 'repeat', expiresAt: '2024-01-10T12:30:00.000Z' }));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100'))); // fires, waits to re-arm at 1.08891
    w.setNow('2024-01-10T12:30:00.000Z');
    const back = await w.evaluate(w.publish(oxr(minutesAfter(2), '0.9200'))); // 1.0869…: past the level
    expect(back).toMatchObject({ rulesRead: 1, rearmed: 0, expired: 1 });
    expect(w.table.stored(r.owner, r.id)?.state).toBe('expired');
  });

  it('does not re-arm a rule on a move from before it started waiting (a late redelivery)', async () => {
    const w = world();
    const r = await w.add(rule({ mode: 'repeat' }));
    const first = w.publish(oxr(T0, '0.9200')); // 1.0869…, below the re-arm level to come
    await w.evaluate(first);
    await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100'))); // fires: waiting since minute 1
    expect(await w.evaluate(first)).toMatchObject({ rulesRead: 1, rearmed: 0, skipped: 1 });
    expect(w.table.stored(r.owner, r.id)).toMatchObject({ state: 'waiting', waitingSince: minutesAfter(1) });
  });

  it('skips what a stale index entry returns: an armed rule the move did not cross, a waiting rule the rate does not re-arm', async () => {
    const w = world();
    const notCrossed = await w.add(rule({ threshold: '1.2000' }));
    const notRearmed = await w.add(rule({ mode: 'repeat', state: 'waiting', armedSince: undefined, rearmLevel: '1.0000', waitingSince: T0 }));
    const levelless = await w.add(rule({ mode: 'repeat', state: 'waiting', armedSince: undefined, waitingSince: T0 }));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    const stale = { ...w.table.index, armed: async () => [notCrossed], waiting: async () => [notRearmed, levelless] };
    const result = await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100')), { index: stale });
    // A rise crosses only "above" thresholds: the armed entry is read once, the two waiting
    // entries once per condition. Five rules read, none acted on.
    expect(result).toMatchObject({ rulesRead: 5, skipped: 5, fired: 0, rearmed: 0 });
    expect(w.email.sent).toHaveLength(0);
  });

  it('sends no second e-mail within the cooldown (the crossing moves the rule on), and sends after it', async () => {
    const w = world();
    const r = await w.add(rule({ mode: 'repeat', cooldown: 'PT1H' }));
    const up = async (minute: number) => w.evaluate(w.publish(oxr(minutesAfter(minute), '0.9100')));
    const down = async (minute: number) => w.evaluate(w.publish(oxr(minutesAfter(minute), '0.9300')));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    await up(1); // e-mail at 12:00, cooldown until 13:00
    await down(2);
    w.setNow('2024-01-10T12:30:00.000Z');
    const suppressed = await up(3);
    expect(suppressed).toMatchObject({ fired: 1, suppressed: 1, emailed: 0 });
    expect(w.table.stored(r.owner, r.id)).toMatchObject({ state: 'waiting', lastTriggered: { emailed: false, notSent: 'COOLDOWN' } });
    await down(4);
    w.setNow('2024-01-10T13:00:00.000Z');
    expect(await up(5)).toMatchObject({ emailed: 1 });
    expect(w.email.sent).toHaveLength(2);
  });

  it('does not fire an expired rule: it leaves the index and is read no more', async () => {
    const w = world();
    const r = await w.add(rule({ expiresAt: '2024-01-10T11:00:00.000Z' }));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    const crossing = await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100')));
    expect(crossing).toMatchObject({ rulesRead: 1, expired: 1, emailed: 0 });
    expect(w.table.stored(r.owner, r.id)?.state).toBe('expired');
    await w.evaluate(w.publish(oxr(minutesAfter(2), '0.9300')));
    expect(await w.evaluate(w.publish(oxr(minutesAfter(3), '0.9000')))).toMatchObject({ rulesRead: 0 });
    expect(w.email.sent).toHaveLength(0);
  });

  it('never reads an inactive rule', async () => {
    const w = world();
    await w.add(rule({ active: false, state: 'inactive', armedSince: undefined }));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    expect(await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100')))).toMatchObject({ pairsMoved: 1, rulesRead: 0 });
    expect(w.email.sent).toHaveLength(0);
  });

  it('does not fire on a publication the rule was armed after (one its owner could already see)', async () => {
    const w = world();
    await w.add(rule({ armedSince: minutesAfter(1) }));
    await w.evaluate(w.publish(oxr(T0, '0.9200')));
    expect(await w.evaluate(w.publish(oxr(minutesAfter(1), '0.9100')))).toMatchObject({ rulesRead: 1, fired: 0, skipped: 1 });
    expect(w.email.sent).toHaveLength(0);
  });

  it('fires nothing on a series’ first publication (no rate before it to cross from)', async () => {
    const w = world();
    await w.add(rule({ threshold: '1.0000' }));
    expect(await w.evaluate(w.publish(oxr(T0, '0.9200')))).toMatchObject({ pairsMoved: 1, rulesRead: 0 });
  });
});

describe('the rate-changes message', () => {
  it('is read as process-rates writes it, and anything else is refused naming the field', () => {
    const w = world();
    w.publish(oxr(T0, '0.9200'));
    const event = w.publish(oxr(minutesAfter(1), '0.9100'));
    expect(parseRateChange(JSON.parse(JSON.stringify(event)))).toEqual(event);
    expect(() => parseRateChange({ ...event, provider: 'acme' })).toThrow('provider');
    expect(() => parseRateChange({ ...event, current: { ...event.current, rates: { EUR: { rate: '1e5', orientation: 'quote-per-base' } } } })).toThrow('current.rates.EUR.rate');
    expect(() => parseRateChange('not json')).toThrow('not a rate change');
  });

  it.each([
    ['an unknown provider', (e: Record<string, unknown>) => ({ ...e, provider: 'acme' }), 'not a rate change: provider an unknown provider'],
    ['a whole-number rate', (e: Record<string, unknown>) => e, undefined],
    ['an in-force time without milliseconds', (e: Record<string, unknown>) => ({ ...e, current: { ...(e.current as object), inForceFrom: '2024-01-10T12:00:00Z' } }), 'current.inForceFrom'],
    ['an in-force time with a prefix', (e: Record<string, unknown>) => ({ ...e, current: { ...(e.current as object), inForceFrom: 'x2024-01-10T12:00:00.000Z' } }), 'current.inForceFrom'],
    ['an in-force time with a suffix', (e: Record<string, unknown>) => ({ ...e, current: { ...(e.current as object), inForceFrom: '2024-01-10T12:00:00.000Zx' } }), 'current.inForceFrom'],
    ['an unknown orientation', (e: Record<string, unknown>) => ({ ...e, current: { ...(e.current as object), rates: { EUR: { rate: '1', orientation: 'sideways' } } } }), 'current.rates.EUR.orientation'],
    ['a value that is no object', () => 42, 'not a rate change: (root)'],
  ])('%s', (_what, change, refused) => {
    const w = world();
    w.publish(oxr(T0, '0.9200'));
    const event = JSON.parse(JSON.stringify(w.publish(oxr(minutesAfter(1), '0.9100')))) as Record<string, unknown>;
    const whole = { ...event, current: { ...(event.current as object), rates: { EUR: { rate: '1', orientation: 'base-per-quote' } } } };
    const body = change(whole);
    if (refused === undefined) expect(parseRateChange(body)).toEqual(body);
    else expect(() => parseRateChange(body)).toThrow(refused);
  });
});

describe('an alert e-mail that could not be sent', () => {
  it('says how many failed and why, each with its rule', () => {
    const error = new AlertDeliveryError([
      { ruleId: 'r-1', error: new Error('Throttling') },
      { ruleId: 'r-2', error: 'socket hang up' },
    ]);
    expect({ name: error.name, message: error.message }).toEqual({
      name: 'AlertDeliveryError',
      message: '2 alert e-mail(s) not sent: r-1: Throttling; r-2: socket hang up',
    });
  });

  it('keeps the list to 500 characters, and names a failure without an error object', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ ruleId: `rule-${String(i).padStart(2, '0')}`, error: new Error('Throttling: rate exceeded') }));
    const error = new AlertDeliveryError([{ ruleId: 'r-0', error: undefined }, ...many]);
    expect(error.message.startsWith('41 alert e-mail(s) not sent: r-0: undefined; rule-00: Throttling: rate exceeded; ')).toBe(true);
    expect(error.message.length).toBe('41 alert e-mail(s) not sent: '.length + 500);
  });
});
