import { Schemas, SCOPES, IDEMPOTENCY_REPLAYED_HEADER } from '../../../lambdas/shared/api-contract';
import { withHttp } from '../../../lambdas/shared/http';
import { conversionId, conversionOperations } from '../../../lambdas/use-cases/conversions';
import { apiEvent, bodyOf, errorOf, memoryDeps, NOW, type RequestSpec } from './fakes';

function api() {
  const deps = memoryDeps();
  const handler = withHttp(conversionOperations, deps);
  const send = (spec: RequestSpec) => handler(apiEvent(spec));
  const create = (key: string, body: unknown, spec: Partial<RequestSpec> = {}) =>
    send({ method: 'POST', path: '/v1/conversions', headers: { 'Idempotency-Key': key }, body, ...spec });
  return { deps, send, create };
}

const usdJpy = { from: 'USD', to: 'JPY', amount: '100' };

describe('POST /v1/conversions', () => {
  it('records a conversion at the latest rate and answers 201 with it', async () => {
    const { create, deps } = api();

    const result = await create('key-1', usdJpy);

    expect(result.statusCode).toBe(201);
    expect(result.headers[IDEMPOTENCY_REPLAYED_HEADER]).toBe('false');
    expect(Schemas.Conversion.strict().parse(bodyOf(result))).toEqual({
      id: expect.stringMatching(/^[0-9A-Z]{26}$/),
      createdAt: NOW.toISOString(),
      from: 'USD',
      to: 'JPY',
      amount: '100',
      converted: '13584',
      rate: '135.83587523369083931909869133129981304733',
      inverseRate: '0.00736182542557044549076421586381745744',
      asOf: '2022-07-08T14:00:00.000Z',
      provider: 'ecb',
    });
    expect(deps.conversions.conversions).toHaveLength(1);
  });

  it('refuses an amount that rounds to nothing in the target (422) and records no conversion of "0.00"', async () => {
    const { create, deps } = api();

    const result = await create('key-zero', { from: 'JPY', to: 'USD', amount: '0.4' });

    expect(result.statusCode).toBe(422);
    expect(errorOf(result)).toMatchObject({ code: 'AMOUNT_ROUNDS_TO_ZERO', details: { from: 'JPY', to: 'USD', amount: '0.4', minorUnits: 2 } });
    expect(deps.conversions.conversions).toHaveLength(0);
  });

  it('answers a repeated key and request with the first result: 201, same body, flagged as a replay', async () => {
    const { create, deps } = api();
    const first = await create('key-1', usdJpy);
    // Same request: another key order and spacing do not make it a different one.
    const again = await create('key-1', '{ "amount": "100", "to": "JPY", "from": "USD" }', { headers: { 'Idempotency-Key': 'key-1', 'Content-Type': 'application/json' } });

    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers[IDEMPOTENCY_REPLAYED_HEADER]).toBe('true');
    expect(deps.conversions.conversions).toHaveLength(1);
  });

  it('answers a repeated key with another request with 409, naming the first conversion', async () => {
    const { create, deps } = api();
    const first = bodyOf(await create('key-1', usdJpy));

    const result = await create('key-1', { ...usdJpy, amount: '100.00' });

    expect(result.statusCode).toBe(409);
    expect(errorOf(result)).toMatchObject({ code: 'IDEMPOTENCY_CONFLICT', details: { idempotencyKey: 'key-1', conversionId: first.id } });
    expect(deps.conversions.conversions).toHaveLength(1);
  });

  it('stores one conversion when retries with the same key race', async () => {
    const { create, deps } = api();

    const results = await Promise.all(Array.from({ length: 10 }, () => create('race', usdJpy)));

    expect(results.map((r) => r.statusCode)).toEqual(Array(10).fill(201));
    expect(new Set(results.map((r) => bodyOf(r).id)).size).toBe(1);
    expect(results.filter((r) => r.headers[IDEMPOTENCY_REPLAYED_HEADER] === 'false')).toHaveLength(1);
    expect(deps.conversions.conversions).toHaveLength(1);
  });

  it('keeps idempotency keys per partner', async () => {
    const { create } = api();
    const a = bodyOf(await create('shared-key', usdJpy, { clientId: 'partner-a' }));
    const b = await create('shared-key', { ...usdJpy, amount: '5' }, { clientId: 'partner-b' });

    expect(b.statusCode).toBe(201);
    expect(bodyOf(b).id).not.toBe(a.id);
  });

  it('stores nothing for a request it cannot price, so the key stays free', async () => {
    const { create, deps } = api();
    const unsupported = await create('key-1', { ...usdJpy, to: 'ABC' });
    const fixed = await create('key-1', usdJpy);

    expect(unsupported.statusCode).toBe(422);
    expect(fixed.statusCode).toBe(201);
    expect(deps.conversions.conversions).toHaveLength(1);
  });

  it('needs the Idempotency-Key header and the conversions.write scope', async () => {
    const { send } = api();
    const noKey = await send({ method: 'POST', path: '/v1/conversions', body: usdJpy });
    const readOnly = await send({ method: 'POST', path: '/v1/conversions', headers: { 'Idempotency-Key': 'k' }, body: usdJpy, scopes: [SCOPES.conversionsRead, SCOPES.ratesRead] });

    expect(noKey.statusCode).toBe(400);
    expect(readOnly.statusCode).toBe(403);
  });
});

describe('GET /v1/conversions and /v1/conversions/{id}', () => {
  it("lists only the caller's conversions, newest first, page by page", async () => {
    const { create, send } = api();
    for (const amount of ['1', '2', '3', '4', '5']) await create(`a-${amount}`, { ...usdJpy, amount }, { clientId: 'partner-a' });
    await create('b-1', usdJpy, { clientId: 'partner-b' });
    const list = (query = '') => send({ method: 'GET', path: `/v1/conversions?limit=2${query}`, clientId: 'partner-a' });

    const first = bodyOf(await list());
    const second = bodyOf(await list(`&cursor=${first.nextCursor}`));
    const third = bodyOf(await list(`&cursor=${second.nextCursor}`));

    const amounts = (page: Record<string, { amount: string }[]>) => page.items.map((c) => c.amount);
    expect([amounts(first), amounts(second), amounts(third)]).toEqual([['5', '4'], ['3', '2'], ['1']]);
    expect(third.nextCursor).toBeNull();
    expect(Schemas.Conversion.array().parse(first.items)).toHaveLength(2);
  });

  it('finds the caller’s conversion by id and answers 404 for another partner’s', async () => {
    const { create, send } = api();
    const mine = bodyOf(await create('k', usdJpy, { clientId: 'partner-a' }));

    const own = await send({ method: 'GET', path: `/v1/conversions/${mine.id}`, clientId: 'partner-a' });
    const other = await send({ method: 'GET', path: `/v1/conversions/${mine.id}`, clientId: 'partner-b' });

    expect(own.statusCode).toBe(200);
    expect(own.body).toBe(JSON.stringify(mine));
    expect(other.statusCode).toBe(404);
    expect(errorOf(other).code).toBe('NOT_FOUND');
  });

  it('rejects a cursor it did not issue and a limit over 100', async () => {
    const { send } = api();
    for (const query of ['cursor=abc', `cursor=${Buffer.from('{"after":"x"}').toString('base64url')}`, 'limit=101', 'limit=0']) {
      const result = await send({ method: 'GET', path: `/v1/conversions?${query}` });
      expect({ query, status: result.statusCode }).toEqual({ query, status: 400 });
    }
  });

  it('needs the conversions.read scope', async () => {
    const result = await api().send({ method: 'GET', path: '/v1/conversions', scopes: [SCOPES.conversionsWrite] });
    expect(result.statusCode).toBe(403);
  });
});

describe('conversionId', () => {
  it('sorts by creation time and fits the contract id pattern', () => {
    const earlier = conversionId(new Date('2022-07-08T00:00:00.000Z'), new Uint8Array(10).fill(255));
    const later = conversionId(new Date('2022-07-08T00:00:00.001Z'), new Uint8Array(10));

    expect(earlier < later).toBe(true);
    expect(earlier).toMatch(/^[0-9A-Z]{26}$/);
    expect(conversionId(new Date(0), new Uint8Array(10))).toBe('0'.repeat(26));
  });
});
