import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type GetCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { findCurrency, listCurrencies } from '../../../lambdas/domain/currency';
import { ENV } from '../../../lambdas/shared/env-names';
import type { ApiHandler } from '../../../lambdas/shared/http';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { ecbFixtureSnapshot } from '../../support/rates';
import { apiEvent, apiKeyIdOf, bodyOf, errorOf } from './fakes';

const ddbMock = mockClient(DynamoDBDocumentClient);
/** The low-level client, which Powertools Idempotency writes its records with. */
const rawMock = mockClient(DynamoDBClient);
/** Each partner's API key id, as the stacks (and the local platform) give the API functions. */
const KEYS = { [ENV.partnerApiKeys]: JSON.stringify({ 'partner-a': apiKeyIdOf('partner-a'), 'partner-b': apiKeyIdOf('partner-b') }) };
/** The fixture's ECB rates stay usable for a century, whatever the test machine's clock says. */
const POLICY = { fiat: [{ provider: 'ecb', staleAfter: 'P36500D' }], crypto: [{ provider: 'ecb', staleAfter: 'P36500D' }] };
const API_ENV = { [ENV.ratesTable]: 'rates', [ENV.apiTable]: 'api', [ENV.ratePolicy]: JSON.stringify(POLICY), ...KEYS };

type Loaded = { handler: unknown };
const handlers: { name: string; env: Record<string, string>; load: () => Promise<Loaded> }[] = [
  { name: 'currencies-api', env: { [ENV.apiTable]: 'api', ...KEYS }, load: () => import('../../../lambdas/handlers/currencies-api') },
  { name: 'rates-api', env: API_ENV, load: () => import('../../../lambdas/handlers/rates-api') },
  { name: 'conversions-api', env: API_ENV, load: () => import('../../../lambdas/handlers/conversions-api') },
];

async function coldStart(load: () => Promise<Loaded>): Promise<unknown> {
  let handler: unknown;
  await jest.isolateModulesAsync(async () => {
    ({ handler } = await load());
  });
  return handler;
}

describe.each(handlers)('$name cold start', ({ name, env, load }) => {
  let restore = () => undefined as void;
  afterEach(() => restore());

  it.each(Object.keys(env))('fails naming %s when it is missing', async (missing) => {
    restore = setEnv({ ...LOCAL_AWS, ...QUIET_POWERTOOLS, ...env, [missing]: undefined });
    await expect(coldStart(load)).rejects.toThrow(`${name}: missing environment variable ${missing}`);
  });
});

describe('API handlers wired to DynamoDB (mocked SDK)', () => {
  let restore: () => void;
  let rates: ApiHandler;
  let conversions: ApiHandler;
  let seed: (typeof import('../../../lambdas/handlers/seed-currencies'))['handler'];

  beforeAll(async () => {
    restore = setEnv({ ...LOCAL_AWS, ...QUIET_POWERTOOLS, ...API_ENV });
    ({ handler: rates } = await import('../../../lambdas/handlers/rates-api'));
    ({ handler: conversions } = await import('../../../lambdas/handlers/conversions-api'));
    ({ handler: seed } = await import('../../../lambdas/handlers/seed-currencies'));
  });
  afterAll(() => restore());

  beforeEach(() => {
    ddbMock.reset();
    rawMock.reset();
    rawMock.on(PutItemCommand).resolves({});
    const ecb = ecbFixtureSnapshot();
    const rates = Object.fromEntries(ecb.rates.map((r) => [r.quote, { published: r.rate, orientation: 'quote-per-base' }]));
    const latest = { pk: 'LATEST#ecb#EUR', sk: 'LATEST', ...ecb, rates, checkedAt: ecb.fetchedAt };
    ddbMock.on(BatchGetCommand).resolves({ Responses: { rates: [latest] } });
    ddbMock.on(QueryCommand).resolves({ Items: [] });
    ddbMock.on(GetCommand).callsFake((input: GetCommandInput) => {
      const { pk, sk } = input.Key as { pk: string; sk: string };
      if (pk !== 'CURRENCY') return {};
      return { Item: { pk, sk, ...findCurrency(sk), enabled: true } };
    });
    ddbMock.on(TransactWriteCommand).resolves({});
    ddbMock.on(PutCommand).resolves({});
  });

  it('rates-api quotes from the rates and API tables', async () => {
    const result = await rates(apiEvent({ method: 'GET', path: '/v1/convert?from=USD&to=JPY&amount=100' }));

    expect(result.statusCode).toBe(200);
    expect(bodyOf(result)).toMatchObject({ converted: '13584', provider: 'ecb' });
    const input = (c: (typeof ddbMock)['calls'] extends () => (infer C)[] ? C : never) =>
      c.args[0].input as { TableName?: string; RequestItems?: Record<string, unknown> };
    const tables = ddbMock.calls().flatMap((c) => input(c).TableName ?? Object.keys(input(c).RequestItems ?? {}));
    expect(new Set(tables)).toEqual(new Set(['rates', 'api']));
  });

  it('conversions-api claims the key, then records the conversion with its idempotency record in one transaction', async () => {
    const result = await conversions(
      apiEvent({ method: 'POST', path: '/v1/conversions', headers: { 'Idempotency-Key': 'k' }, body: { from: 'EUR', to: 'USD', amount: '10' } }),
    );

    expect(result.statusCode).toBe(201);
    expect(bodyOf(result)).toMatchObject({ converted: '10.16', rate: '1.0163' });
    expect(rawMock.commandCalls(PutItemCommand)).toHaveLength(1);
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('refuses partner A’s token with partner B’s API key before touching a table', async () => {
    const request = { method: 'POST', path: '/v1/conversions', headers: { 'Idempotency-Key': 'k' }, body: { from: 'EUR', to: 'USD', amount: '10' } };
    const results = [
      await conversions(apiEvent({ ...request, clientId: 'partner-a', apiKeyId: apiKeyIdOf('partner-b') })),
      await rates(apiEvent({ method: 'GET', path: '/v1/convert?from=USD&to=JPY&amount=1', clientId: 'partner-b', apiKeyId: apiKeyIdOf('partner-a') })),
    ];

    expect(results.map((r) => [r.statusCode, errorOf(r).code])).toEqual([
      [403, 'API_KEY_MISMATCH'],
      [403, 'API_KEY_MISMATCH'],
    ]);
    expect([...ddbMock.calls(), ...rawMock.calls()]).toHaveLength(0);
  });

  it('seed-currencies adds every currency on Create and does nothing on Delete', async () => {
    const created = await seed({ RequestType: 'Create' });
    ddbMock.resetHistory();
    const deleted = await seed({ RequestType: 'Delete', PhysicalResourceId: 'supported-currencies' });

    expect(created).toEqual({
      PhysicalResourceId: 'supported-currencies',
      Data: { added: String(listCurrencies().length), known: String(listCurrencies().length) },
    });
    expect(deleted).toEqual({ PhysicalResourceId: 'supported-currencies' });
    expect(ddbMock.calls()).toHaveLength(0);
  });
});
