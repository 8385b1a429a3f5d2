import { IDEMPOTENCY_REPLAYED_HEADER, SCOPES, Schemas } from '../../../lambdas/shared/api-contract';
import { withHttp } from '../../../lambdas/shared/http';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';
import { alertRuleOperations, updateAlertRule } from '../../../lambdas/use-cases/alert-rules';
import { snapshotOf } from '../../support/rates';
import { apiEvent, bodyOf, errorOf, memoryDeps, NOW, type RequestSpec } from '../api/fakes';

function api(snapshots?: readonly RateSnapshot[]) {
  const deps = memoryDeps(snapshots);
  const handler = withHttp(alertRuleOperations, deps);
  const send = (spec: RequestSpec) => handler(apiEvent(spec));
  const create = (key: string, body: unknown, spec: Partial<RequestSpec> = {}) =>
    send({ method: 'POST', path: '/v1/alerts', headers: { 'Idempotency-Key': key }, body, ...spec });
  return { deps, send, create };
}

const eurUsd = { base: 'EUR', quote: 'USD', condition: 'above', threshold: '1.0250', email: 'treasury@example.com' };

describe('POST /v1/alerts', () => {
  it('creates an armed rule with the defaults and answers 201 with it', async () => {
    const { create, deps } = api();
    const result = await create('rule-1', eurUsd);
    expect(result.statusCode).toBe(201);
    expect(result.headers[IDEMPOTENCY_REPLAYED_HEADER]).toBe('false');
    expect(Schemas.AlertRule.strict().parse(bodyOf(result))).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      ...eurUsd,
      mode: 'once',
      hysteresisPercent: '0.1',
      cooldown: null,
      expiresAt: null,
      active: true,
      status: 'armed',
      rearmLevel: null,
      createdAt: NOW.toISOString(),
      updatedAt: NOW.toISOString(),
      triggerCount: 0,
      lastTriggered: null,
    });
    // Armed since the ECB publication EUR/USD comes from now (2022-07-08, 16:00 Berlin).
    expect(deps.alerts.all()[0]).toMatchObject({ state: 'armed', armedSince: '2022-07-08T14:00:00.000Z', owner: 'partner-a' });
    expect(await deps.watched.list()).toEqual([{ base: 'EUR', quote: 'USD' }]);
  });

  it('answers the same key and request with the first rule (a replay), another request with 409', async () => {
    const { create, deps } = api();
    const first = await create('rule-1', { ...eurUsd, mode: 'repeat', cooldown: 'PT1H' });
    const again = await create('rule-1', { ...eurUsd, mode: 'repeat', cooldown: 'PT1H' });
    expect(again.statusCode).toBe(201);
    expect(again.headers[IDEMPOTENCY_REPLAYED_HEADER]).toBe('true');
    expect(bodyOf(again).id).toBe(bodyOf(first).id);
    const other = await create('rule-1', { ...eurUsd, threshold: '1.0300' });
    expect(other.statusCode).toBe(409);
    expect(errorOf(other)).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', details: { idempotencyKey: 'rule-1', alertId: bodyOf(first).id } });
    expect(deps.alerts.all()).toHaveLength(1);
  });

  it.each([
    ['the same currency twice', { quote: 'EUR' }, 'quote'],
    ['a threshold of 0', { threshold: '0' }, 'threshold'],
    ['a threshold of 39 significant digits', { threshold: `1.${'1'.repeat(38)}` }, 'threshold'],
    ['a threshold with leading zeros', { threshold: '001.5' }, 'threshold'],
    ['a cooldown on a once rule', { cooldown: 'PT1H' }, 'cooldown'],
    ['a cooldown of nothing', { mode: 'repeat', cooldown: 'PT0S' }, 'cooldown'],
    ['a cooldown that is not ISO-8601', { mode: 'repeat', cooldown: '1 hour' }, 'cooldown'],
    ['a hysteresis of 0', { mode: 'repeat', hysteresisPercent: '0' }, 'hysteresisPercent'],
    ['an expiry in the past', { expiresAt: '2022-07-13T11:59:59Z' }, 'expiresAt'],
    ['an expiry without a zone', { expiresAt: '2030-01-01T00:00:00' }, 'expiresAt'],
    ['an address that is no address', { email: 'treasury.example.com' }, 'email'],
    ['an unknown condition', { condition: 'crosses' }, 'condition'],
    ['an unknown field', { channel: 'sms' }, ''],
  ])('refuses %s with 400 naming the field', async (_what, change, field) => {
    const { create, deps } = api();
    const result = await create('bad', { ...eurUsd, ...change });
    expect(result.statusCode).toBe(400);
    const error = errorOf(result);
    expect(error.code).toBe('VALIDATION_ERROR');
    if (field) expect(JSON.stringify(error.details)).toContain(`"path":"${field}"`);
    expect(deps.alerts.all()).toHaveLength(0);
  });

  it.each([
    ['the same currency twice', { quote: 'EUR' }, 'quote: must differ from base'],
    ['a cooldown on a once rule', { cooldown: 'PT1H' }, 'cooldown: applies to mode "repeat" only (a "once" rule e-mails once)'],
    ['a cooldown of nothing', { mode: 'repeat', cooldown: 'PT0S' }, 'cooldown: must be an ISO-8601 duration longer than 0 and at most P30D, such as "PT1H"'],
    ['a cooldown a second over 30 days', { mode: 'repeat', cooldown: 'P30DT1S' }, 'cooldown: must be an ISO-8601 duration longer than 0 and at most P30D, such as "PT1H"'],
    ['a hysteresis of 0', { mode: 'repeat', hysteresisPercent: '0' }, 'hysteresisPercent: must be greater than 0 and at most 50'],
    ['a hysteresis over 50', { hysteresisPercent: '50.01' }, 'hysteresisPercent: must be greater than 0 and at most 50'],
    ['an expiry at this very instant', { expiresAt: '2022-07-13T12:00:00Z' }, 'expiresAt: must be in the future'],
  ])('refuses %s, saying what is wrong', async (_what, change, message) => {
    const { create } = api();
    const error = errorOf(await create('bad', { ...eurUsd, ...change }));
    expect(error.message).toBe(`Invalid body ${message}`);
    const [path, problem] = message.split(/: (.*)/);
    expect(error.details).toEqual({ issues: [{ in: 'body', path, message: problem }] });
  });

  it('takes the limits themselves: a cooldown of 30 days, a hysteresis of 50%, an expiry a second ahead', async () => {
    const { create } = api();
    const result = await create('edge', { ...eurUsd, mode: 'repeat', cooldown: 'P30D', hysteresisPercent: '50', expiresAt: '2022-07-13T12:00:01Z' });
    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toMatchObject({ cooldown: 'P30D', hysteresisPercent: '50', expiresAt: '2022-07-13T12:00:01.000Z' });
  });

  it('refuses an unsupported currency (422 UNSUPPORTED_CURRENCY) and a pair no source publishes (422 RATE_NOT_FOUND)', async () => {
    const { create, deps } = api();
    expect(errorOf(await create('a', { ...eurUsd, quote: 'XAU' })).code).toBe('UNSUPPORTED_CURRENCY');
    const unconnected = await create('b', { ...eurUsd, quote: 'ZMW' });
    expect(unconnected.statusCode).toBe(422);
    expect(errorOf(unconnected).code).toBe('RATE_NOT_FOUND');
    expect(deps.alerts.all()).toHaveLength(0);
    expect(await deps.watched.list()).toEqual([]);
  });

  it('takes any supported pair, crosses included (BTC/JPY through CoinGecko and the ECB)', async () => {
    const { create } = api();
    const result = await create('btc-jpy', { ...eurUsd, base: 'BTC', quote: 'JPY', threshold: '2500000', condition: 'below' });
    expect(result.statusCode).toBe(201);
  });

  it('refuses a rule beyond the partner’s limit (409 ALERT_RULE_LIMIT) and leaves the watched pairs as they were', async () => {
    const { create, deps } = api();
    for (const key of ['1', '2', '3']) expect((await create(key, eurUsd)).statusCode).toBe(201);
    const fourth = await create('4', { ...eurUsd, quote: 'JPY', threshold: '140' });
    expect(fourth.statusCode).toBe(409);
    expect(errorOf(fourth)).toMatchObject({ code: 'ALERT_RULE_LIMIT', details: { limit: 3 } });
    expect(await deps.watched.list()).toEqual([{ base: 'EUR', quote: 'USD' }]);
    // Another partner has its own limit.
    expect((await create('1', eurUsd, { clientId: 'partner-b' })).statusCode).toBe(201);
  });

  it('needs the alerts.write scope and an Idempotency-Key', async () => {
    const { create, send } = api();
    expect((await create('k', eurUsd, { scopes: [SCOPES.alertsRead] })).statusCode).toBe(403);
    expect((await send({ method: 'POST', path: '/v1/alerts', body: eurUsd })).statusCode).toBe(400);
  });
});

describe('GET, PATCH and DELETE /v1/alerts/{id}: a partner’s own rules only', () => {
  it('answers 404 for another partner’s rule, on every method, and leaves it untouched', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', eurUsd));
    const asB = { clientId: 'partner-b' };
    for (const spec of [
      { method: 'GET', path: `/v1/alerts/${id}` },
      { method: 'PATCH', path: `/v1/alerts/${id}`, body: { active: false } },
      { method: 'DELETE', path: `/v1/alerts/${id}` },
    ]) {
      const result = await send({ ...spec, ...asB });
      expect({ status: result.statusCode, code: errorOf(result).code }).toEqual({ status: 404, code: 'NOT_FOUND' });
    }
    expect(bodyOf(await send({ method: 'GET', path: '/v1/alerts', ...asB })).items).toEqual([]);
    expect(deps.alerts.all()[0]).toMatchObject({ active: true, revision: 1 });
  });

  it('lists a partner’s rules newest first, a page at a time', async () => {
    const { create, send } = api();
    const ids: string[] = [];
    for (const key of ['1', '2', '3']) ids.push(bodyOf(await create(key, eurUsd)).id);
    const first = bodyOf(await send({ method: 'GET', path: '/v1/alerts?limit=2' }));
    expect(first.items.map((r: { id: string }) => r.id)).toEqual([ids[2], ids[1]]);
    const second = bodyOf(await send({ method: 'GET', path: `/v1/alerts?limit=2&cursor=${first.nextCursor}` }));
    expect(second).toEqual({ items: [expect.objectContaining({ id: ids[0] })], nextCursor: null });
    expect(errorOf(await send({ method: 'GET', path: '/v1/alerts?cursor=bm9wZQ' })).code).toBe('INVALID_CURSOR');
  });

  it('PATCH changes the settings and arms the rule afresh; a fired rule watches again', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', { ...eurUsd, mode: 'repeat', cooldown: 'PT1H' }));
    const stored = deps.alerts.stored('partner-a', id)!;
    deps.alerts.put({ ...stored, state: 'fired', stateId: 'fired-state', triggerCount: 1 });

    const patched = await send({ method: 'PATCH', path: `/v1/alerts/${id}`, body: { threshold: '1.0300', cooldown: null } });
    expect(patched.statusCode).toBe(200);
    expect(bodyOf(patched)).toMatchObject({ threshold: '1.0300', cooldown: null, status: 'armed', triggerCount: 1 });
    expect(deps.alerts.stored('partner-a', id)).toMatchObject({ state: 'armed', revision: 2, stateId: expect.not.stringMatching('fired-state') });

    const off = bodyOf(await send({ method: 'PATCH', path: `/v1/alerts/${id}`, body: { active: false } }));
    expect(off.status).toBe('inactive');
    expect(deps.alerts.stored('partner-a', id)?.state).toBe('inactive');
    const empty = await send({ method: 'PATCH', path: `/v1/alerts/${id}`, body: {} });
    expect({ status: empty.statusCode, error: errorOf(empty) }).toEqual({
      status: 400,
      error: { code: 'VALIDATION_ERROR', message: 'Give at least one field to change', details: { issues: [{ in: 'body', path: '', message: 'empty' }] } },
    });
    const missing = await send({ method: 'GET', path: '/v1/alerts/01HM0000000000000000000000' });
    expect(errorOf(missing)).toEqual({ code: 'NOT_FOUND', message: 'No alert rule 01HM0000000000000000000000', details: { id: '01HM0000000000000000000000' } });
    expect((await send({ method: 'PATCH', path: `/v1/alerts/${id}`, body: { mode: 'once', cooldown: 'PT5M' } })).statusCode).toBe(400);
  });

  it('PATCH to another pair moves the rule to that pair in the watched registry', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', eurUsd));
    await send({ method: 'PATCH', path: `/v1/alerts/${id}`, body: { quote: 'JPY', threshold: '140' } });
    expect(await deps.watched.list()).toEqual([{ base: 'EUR', quote: 'JPY' }]);
  });

  it('DELETE removes the rule (204), then it is gone (404), and its pair is no longer watched', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', eurUsd));
    expect((await send({ method: 'DELETE', path: `/v1/alerts/${id}` })).statusCode).toBe(204);
    expect((await send({ method: 'GET', path: `/v1/alerts/${id}` })).statusCode).toBe(404);
    expect((await send({ method: 'DELETE', path: `/v1/alerts/${id}` })).statusCode).toBe(404);
    expect(await deps.watched.list()).toEqual([]);
  });

  it('shows a rule past its expiry as expired, and a waiting rule with its re-arm level', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', { ...eurUsd, mode: 'repeat', expiresAt: '2022-07-13T12:30:00+00:00' }));
    deps.alerts.put({ ...deps.alerts.stored('partner-a', id)!, state: 'waiting', rearmLevel: '1.023975' });
    expect(bodyOf(await send({ method: 'GET', path: `/v1/alerts/${id}` }))).toMatchObject({
      expiresAt: '2022-07-13T12:30:00.000Z',
      status: 'waiting',
      rearmLevel: '1.023975',
    });
    deps.alerts.put({ ...deps.alerts.stored('partner-a', id)!, expiresAt: '2022-07-13T11:00:00.000Z' });
    expect(bodyOf(await send({ method: 'GET', path: `/v1/alerts/${id}` })).status).toBe('expired');
  });
});

describe('alert rules: what a partner sees and keeps', () => {
  const patch = (send: ReturnType<typeof api>['send'], id: string, body: unknown) => send({ method: 'PATCH', path: `/v1/alerts/${id}`, body });

  it('shows a fired rule as fired, and a rule whose expiry is this very instant as expired', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', { ...eurUsd, expiresAt: '2022-07-13T12:00:01Z' }));
    deps.alerts.put({ ...deps.alerts.stored('partner-a', id)!, state: 'fired' });
    expect(bodyOf(await send({ method: 'GET', path: `/v1/alerts/${id}` })).status).toBe('fired');
    deps.alerts.put({ ...deps.alerts.stored('partner-a', id)!, state: 'armed', expiresAt: NOW.toISOString() });
    expect(bodyOf(await send({ method: 'GET', path: `/v1/alerts/${id}` })).status).toBe('expired');
  });

  it('shows a re-arm level only while the rule waits', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', { ...eurUsd, mode: 'repeat' }));
    deps.alerts.put({ ...deps.alerts.stored('partner-a', id)!, state: 'expired', rearmLevel: '1.023975' });
    expect(bodyOf(await send({ method: 'GET', path: `/v1/alerts/${id}` }))).toMatchObject({ status: 'expired', rearmLevel: null });
  });

  it('arms a rule on a cross since the newer of its legs', async () => {
    const { create, deps } = api();
    const { id } = bodyOf(await create('eur-btc', { ...eurUsd, base: 'EUR', quote: 'BTC', threshold: '0.00006' }));
    // CoinGecko's price is from 10:00, the ECB's rates of that day from 14:00 (16:00 in Frankfurt).
    expect(deps.alerts.stored('partner-a', id)?.armedSince).toBe('2022-07-08T14:00:00.000Z');
  });

  it('creates a rule on a pair whose rate is stale now, armed from now', async () => {
    const { create, deps } = api([snapshotOf('2022-06-01', { USD: '1.0702' })]);
    const created = await create('k', eurUsd);
    expect(created.statusCode).toBe(201);
    expect(deps.alerts.stored('partner-a', bodyOf(created).id)?.armedSince).toBe(NOW.toISOString());
  });

  it('names the pair no source connects in the 422', async () => {
    const { create } = api();
    expect(errorOf(await create('k', { ...eurUsd, quote: 'ZMW' })).details).toEqual({ base: 'EUR', quote: 'ZMW' });
  });

  it('says how to get under the limit and why a reused key is refused', async () => {
    const { create } = api();
    for (const key of ['1', '2', '3']) await create(key, eurUsd);
    expect(errorOf(await create('4', eurUsd)).message).toBe('A partner may have at most 3 alert rules; delete one first (GET /v1/alerts lists them)');
    expect(errorOf(await create('1', { ...eurUsd, threshold: '2' })).message).toBe('This Idempotency-Key was used with a different request; use a new key for a new rule');
  });

  it('answers 409 IDEMPOTENCY_IN_PROGRESS to a second request with a key whose first is still running', async () => {
    const { create, deps } = api();
    const [first, second] = await Promise.all([create('same', eurUsd), create('same', eurUsd)]);
    expect(first.statusCode).toBe(201);
    expect({ status: second.statusCode, error: errorOf(second) }).toEqual({
      status: 409,
      error: { code: 'IDEMPOTENCY_IN_PROGRESS', message: 'Another request with this Idempotency-Key is in progress; retry it', details: { idempotencyKey: 'same' } },
    });
    expect(deps.alerts.all()).toHaveLength(1);
  });

  it('refuses an expiry that is not a real instant, naming the field', async () => {
    const { create } = api();
    const result = await create('k', { ...eurUsd, expiresAt: '2023-02-30T12:00:00Z' });
    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toEqual({
      code: 'VALIDATION_ERROR',
      message: 'Invalid body expiresAt: is not a real date and time',
      details: { issues: [{ in: 'body', path: 'expiresAt', message: 'is not a real date and time' }] },
    });
  });

  it('PATCH keeps what it is not given: cooldown, expiry, cooldown-until and the last trigger', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', { ...eurUsd, mode: 'repeat', cooldown: 'PT1H', expiresAt: '2022-08-01T00:00:00Z' }));
    const lastTriggered = { at: '2022-07-13T11:00:00.000Z', rate: '1.03', provider: 'ecb', emailed: true };
    deps.alerts.put({ ...deps.alerts.stored('partner-a', id)!, cooldownUntil: '2022-07-13T12:10:00.000Z', lastTriggered, triggerCount: 1 });

    const patched = bodyOf(await patch(send, id, { threshold: '1.0300' }));

    expect(patched).toMatchObject({ threshold: '1.0300', cooldown: 'PT1H', expiresAt: '2022-08-01T00:00:00.000Z', lastTriggered, triggerCount: 1 });
    expect(deps.alerts.stored('partner-a', id)).toMatchObject({ cooldownUntil: '2022-07-13T12:10:00.000Z', lastTriggered });
  });

  it('PATCH sets a new expiry, and null clears it', async () => {
    const { create, send } = api();
    const { id } = bodyOf(await create('k', { ...eurUsd, expiresAt: '2022-08-01T00:00:00Z' }));
    expect(bodyOf(await patch(send, id, { expiresAt: '2022-09-01T00:00:00+02:00' })).expiresAt).toBe('2022-08-31T22:00:00.000Z');
    expect(bodyOf(await patch(send, id, { expiresAt: null })).expiresAt).toBeNull();
  });

  it('takes a settings object whose unset fields are undefined as leaving them alone', async () => {
    const { create, deps } = api();
    const { id } = bodyOf(await create('k', eurUsd));
    const view = await updateAlertRule(deps, { clientId: 'partner-a', scopes: [] } as never, id, { threshold: undefined, active: false });
    expect(view).toMatchObject({ threshold: '1.0250', active: false });
  });

  it('keeps the watched registry right through PATCHes: same pair, new base, then DELETE', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', eurUsd));
    await patch(send, id, { threshold: '1.0300' });
    expect(await deps.watched.list()).toEqual([{ base: 'EUR', quote: 'USD' }]);
    await patch(send, id, { base: 'GBP' });
    expect(await deps.watched.list()).toEqual([{ base: 'GBP', quote: 'USD' }]);
    expect((await send({ method: 'DELETE', path: `/v1/alerts/${id}` })).statusCode).toBe(204);
    expect(await deps.watched.list()).toEqual([]);
  });

  it('answers 409 ALERT_RULE_CHANGED when the rule changed meanwhile, and leaves the registry as it was', async () => {
    const { create, send, deps } = api();
    const { id } = bodyOf(await create('k', eurUsd));
    const lost = { ...deps, rules: { ...deps.rules, replace: async () => false, delete: async () => false } };
    const racing = withHttp(alertRuleOperations, lost);
    const expected = { code: 'ALERT_RULE_CHANGED', message: 'The rule was changed or deleted by another request meanwhile; read it again and retry', details: { id } };

    const patched = await racing(apiEvent({ method: 'PATCH', path: `/v1/alerts/${id}`, body: { quote: 'JPY', threshold: '140' } }));
    expect({ status: patched.statusCode, error: errorOf(patched) }).toEqual({ status: 409, error: expected });
    expect(await deps.watched.list()).toEqual([{ base: 'EUR', quote: 'USD' }]);

    const samePair = await racing(apiEvent({ method: 'PATCH', path: `/v1/alerts/${id}`, body: { threshold: '1.0300' } }));
    expect(samePair.statusCode).toBe(409);
    expect(await deps.watched.list()).toEqual([{ base: 'EUR', quote: 'USD' }]);

    const deleted = await racing(apiEvent({ method: 'DELETE', path: `/v1/alerts/${id}` }));
    expect({ status: deleted.statusCode, error: errorOf(deleted) }).toEqual({ status: 409, error: expected });
    expect(await deps.watched.list()).toEqual([{ base: 'EUR', quote: 'USD' }]);
    expect((await send({ method: 'GET', path: `/v1/alerts/${id}` })).statusCode).toBe(200);
  });
});
