import * as path from 'node:path';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { stageConfig } from '../../lib/config/stage-config';
import { loadOrCreateSigningKey, signJwt, type Jwks } from '../../lib/local-platform/token-service';
import { ROUTES, Schemas, fullScope } from '../../lambdas/shared/api-contract';
import {
  eventually,
  startPlatformProcess,
  type PlatformProcess,
} from '../support/local-platform-process';
import { rawPublications } from '../support/lake';
import { convertReference } from '../support/rational';

jest.setTimeout(180_000);

type Client = PlatformProcess['endpoints']['clients'][number];

interface Reply {
  readonly status: number;
  readonly headers: Headers;
  readonly json: {
    error?: { code: string; message: string; details?: Record<string, unknown> };
  } & Record<string, unknown>;
}

function parseJson(text: string): Reply['json'] {
  try {
    return text ? JSON.parse(text) : {};
  } catch {
    return { text } as Reply['json'];
  }
}

describe('partner API on the local platform (npm start, over HTTP, real tokens)', () => {
  let platform: PlatformProcess;
  const tokens: Record<string, string> = {};
  const devPartners = stageConfig('dev').api.partners;

  const client = (name: string): Client => platform.endpoints.clients.find((c) => c.name === name)!;
  const requestToken = (
    c: Pick<Client, 'clientId' | 'clientSecret'>,
    form: Record<string, string> = {},
  ) =>
    fetch(platform.endpoints.tokenUrl!, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', ...form }).toString(),
    });

  /** A call as partner `as` (its token and API key) unless told otherwise. */
  const call = async (
    method: string,
    url: string,
    options: {
      as?: string;
      token?: string | null;
      apiKey?: string | null;
      body?: unknown;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Reply> => {
    const as = options.as ?? 'acme-payments';
    const token = options.token === undefined ? tokens[as] : options.token;
    const apiKey = options.apiKey === undefined ? client(as).apiKey : options.apiKey;
    const response = await fetch(`${platform.endpoints.api}${url}`, {
      method,
      headers: {
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...(apiKey !== null ? { 'x-api-key': apiKey } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      body:
        options.body === undefined
          ? undefined
          : typeof options.body === 'string'
            ? options.body
            : JSON.stringify(options.body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: parseJson(text) };
  };
  const expectError = (reply: Reply, status: number, code: string) => {
    expect({ status: reply.status, code: reply.json.error?.code }).toEqual({ status, code });
    expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
    expect(Schemas.Error.safeParse(reply.json).success).toBe(true);
  };

  beforeAll(async () => {
    platform = await startPlatformProcess();
    for (const c of platform.endpoints.clients) {
      const response = await requestToken(c);
      expect(response.status).toBe(200);
      tokens[c.name] = ((await response.json()) as { access_token: string }).access_token;
    }
  });

  afterAll(async () => {
    await platform?.stop();
  });

  describe('endpoints.json and the token service', () => {
    it('lists the API, the token URL and every dev partner with credentials, scopes and API key', () => {
      const { api, tokenUrl, clients } = platform.endpoints;
      expect(api).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(tokenUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2\/token$/);
      expect(clients.map((c) => c.name)).toEqual(devPartners.map((p) => p.name));
      for (const [i, c] of clients.entries()) {
        expect(c).toEqual({
          name: devPartners[i].name,
          clientId: expect.stringMatching(/^[a-z0-9]{26}$/),
          clientSecret: expect.any(String),
          scopes: devPartners[i].scopes.map(fullScope),
          apiKey: expect.stringMatching(/^[A-Za-z0-9]{40}$/),
        });
      }
    });

    it('`npm run local -- token <client>` prints a Cognito-shaped access token that verifies against the JWKS', async () => {
      const { code, stdout } = await platform.cli(['token', 'rates-viewer']);
      expect(code).toBe(0);
      const token = stdout.trim().split('\n').pop()!;
      const issuer = new URL(platform.endpoints.tokenUrl!).origin;
      const jwks = (await (await fetch(`${issuer}/.well-known/jwks.json`)).json()) as Jwks;
      const verifier = JwtRsaVerifier.create({
        issuer,
        audience: null,
        jwksUri: `${issuer}/.well-known/jwks.json`,
      });
      verifier.cacheJwks(jwks as Parameters<typeof verifier.cacheJwks>[0]);
      const claims = await verifier.verify(token);
      expect(claims).toEqual(
        expect.objectContaining({
          client_id: client('rates-viewer').clientId,
          sub: client('rates-viewer').clientId,
          token_use: 'access',
          scope: 'fx-api/rates.read',
          version: 2,
        }),
      );
      expect(claims.exp! - claims.iat!).toBe(3600);
    });

    it('`npm run local -- token` with an unknown client fails with the client names', async () => {
      const { code, stderr } = await platform.cli(['token', 'nobody']);
      expect(code).not.toBe(0);
      expect(stderr).toContain('acme-payments');
    });

    it('refuses a wrong secret and a scope the client lacks; narrows to a requested scope', async () => {
      const wrong = await requestToken({ ...client('acme-payments'), clientSecret: 'wrong' });
      expect(wrong.status).toBe(400);
      expect(await wrong.json()).toEqual(expect.objectContaining({ error: 'invalid_client' }));
      const notAllowed = await requestToken(client('rates-viewer'), {
        scope: 'fx-api/currencies.admin',
      });
      expect(await notAllowed.json()).toEqual(expect.objectContaining({ error: 'invalid_scope' }));
      const narrowed = await requestToken(client('acme-payments'), { scope: 'fx-api/rates.read' });
      const token = ((await narrowed.json()) as { access_token: string }).access_token;
      expectError(await call('GET', '/v1/conversions', { token }), 403, 'FORBIDDEN');
    });
  });

  describe('the gateway answers itself', () => {
    const claimsOf = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

    it('401 without a token, with an expired, a tampered or a foreign-signed token', async () => {
      expectError(await call('GET', '/v1/conversions', { token: null }), 401, 'UNAUTHORIZED');
      expectError(
        await call('GET', '/v1/conversions', { token: 'not.a.jwt' }),
        401,
        'UNAUTHORIZED',
      );

      // Signed with the platform's own key, but an hour past its expiry.
      const key = loadOrCreateSigningKey(path.join(platform.dir, 'data'));
      const now = Math.floor(Date.now() / 1000);
      const expired = signJwt(key, {
        ...claimsOf(tokens['acme-payments']),
        iat: now - 7200,
        exp: now - 3600,
      });
      expectError(await call('GET', '/v1/conversions', { token: expired }), 401, 'UNAUTHORIZED');

      // rates-viewer's token with acme's scopes pasted in: the signature no longer matches.
      const [header, , signature] = tokens['rates-viewer'].split('.');
      const widened = Buffer.from(
        JSON.stringify({
          ...claimsOf(tokens['rates-viewer']),
          scope: client('acme-payments').scopes.join(' '),
        }),
      ).toString('base64url');
      expectError(
        await call('GET', '/v1/conversions', {
          as: 'rates-viewer',
          token: `${header}.${widened}.${signature}`,
        }),
        401,
        'UNAUTHORIZED',
      );

      const foreign = signJwt(
        loadOrCreateSigningKey(path.join(platform.dir, 'foreign-key')),
        claimsOf(tokens['acme-payments']),
      );
      expectError(await call('GET', '/v1/conversions', { token: foreign }), 401, 'UNAUTHORIZED');
    });

    it('403 for a valid token without the route’s scope, and for a missing or wrong API key', async () => {
      expectError(await call('GET', '/v1/conversions', { as: 'rates-viewer' }), 403, 'FORBIDDEN');
      expectError(
        await call('PUT', '/v1/currencies/SEK', { as: 'acme-payments', body: { enabled: false } }),
        403,
        'FORBIDDEN',
      );
      expectError(
        await call('GET', '/v1/convert?from=EUR&to=USD&amount=1', { apiKey: null }),
        403,
        'INVALID_API_KEY',
      );
      expectError(
        await call('GET', '/v1/convert?from=EUR&to=USD&amount=1', { apiKey: 'x'.repeat(40) }),
        403,
        'INVALID_API_KEY',
      );
    });

    it('403 API_KEY_MISMATCH for one partner’s token with another partner’s API key', async () => {
      const mismatch = await call('GET', '/v1/conversions', {
        as: 'acme-payments',
        apiKey: client('globex-treasury').apiKey,
      });
      expectError(mismatch, 403, 'API_KEY_MISMATCH');
      // Each with its own key is served.
      expect((await call('GET', '/v1/conversions', { as: 'globex-treasury' })).status).toBe(200);
    });

    it('404 for an unknown route, 405 for another method on a known path', async () => {
      expectError(await call('GET', '/v1/nothing-here'), 404, 'NOT_FOUND');
      const wrongMethod = await call('DELETE', '/v1/convert');
      expectError(wrongMethod, 405, 'METHOD_NOT_ALLOWED');
      expect(wrongMethod.headers.get('allow')).toBe('GET');
    });

    it('400 for missing required parameters and headers, 413 for a body over 10 MB', async () => {
      const missing = await call('GET', '/v1/convert?from=EUR');
      expectError(missing, 400, 'VALIDATION_ERROR');
      expect(missing.json.error?.details?.missing).toEqual(['to', 'amount']);
      expectError(
        await call('POST', '/v1/conversions', { body: { from: 'EUR', to: 'USD', amount: '1' } }),
        400,
        'VALIDATION_ERROR',
      );
      const big = await call('POST', '/v1/conversions', {
        body: `"${'x'.repeat(10 * 1024 * 1024)}"`,
        headers: { 'idempotency-key': 'big' },
      });
      expectError(big, 413, 'PAYLOAD_TOO_LARGE');
    });
  });

  // These reach the partner API functions (lambdas/handlers/*-api.ts) through the gateway.
  describe('through the handlers', () => {
    beforeAll(async () => {
      expect((await platform.cli(['invoke', 'fetch-rates'])).code).toBe(0);
      await eventually(
        async () => {
          const reply = await call('GET', '/v1/convert?from=EUR&to=USD&amount=1', {
            as: 'rates-viewer',
          });
          return reply.status === 200 ? reply : undefined;
        },
        60_000,
        'a EUR→USD quote',
      );
    });

    it('serves the seeded currencies and a quote in the contract’s shapes', async () => {
      const currencies = await call('GET', '/v1/currencies', { as: 'rates-viewer' });
      expect(currencies.status).toBe(200);
      const codes = (currencies.json.items as { code: string }[]).map((c) => c.code);
      expect(codes).toEqual(expect.arrayContaining(['EUR', 'USD', 'JPY']));
      const quote = await call('GET', '/v1/convert?from=EUR&to=JPY&amount=10.50', {
        as: 'rates-viewer',
      });
      expect(quote.status).toBe(200);
      expect(Schemas.Quote.parse(quote.json)).toEqual(
        expect.objectContaining({ from: 'EUR', to: 'JPY', amount: '10.50' }),
      );
      expect(quote.json.converted).toMatch(/^\d+$/); // JPY has no minor units
      // The value from the source: the JPY per EUR of the publication it names, in the raw payload.
      const publications = await rawPublications(platform.clients.s3, platform.endpoints.resources.buckets.dataLake);
      const used = publications.find((p) => p.inForceFrom === quote.json.asOf);
      expect(used).toBeDefined();
      expect(quote.json.converted).toBe(convertReference('10.50', used!.perEur.get('JPY')!, '1', 'JPY'));
      expect(quote.json.rate).toBe(used!.perEur.get('JPY')!.toTrimmedHalfEven(38));
    });

    it('records a conversion once per Idempotency-Key: a replay gets it again flagged Idempotent-Replayed, another body 409; only its partner can read it', async () => {
      const request = { from: 'EUR', to: 'USD', amount: '125.50' };
      const headers = { 'Idempotency-Key': `e2e-${Date.now()}` };
      const created = await call('POST', '/v1/conversions', {
        as: 'acme-payments',
        body: request,
        headers,
      });
      expect(created.status).toBe(201);
      expect(created.headers.get('Idempotent-Replayed')).toBe('false');
      const conversion = Schemas.Conversion.parse(created.json);
      expect(conversion).toEqual(expect.objectContaining(request));

      // The retry gets the first answer, flagged as a replay; the key order of the body does not matter.
      const replay = await call('POST', '/v1/conversions', {
        as: 'acme-payments',
        body: { amount: request.amount, to: request.to, from: request.from },
        headers,
      });
      expect(replay.status).toBe(201);
      expect(replay.headers.get('Idempotent-Replayed')).toBe('true');
      expect(replay.json).toEqual(created.json);

      // The same key with another body is refused, naming the conversion the key belongs to.
      const conflict = await call('POST', '/v1/conversions', {
        as: 'acme-payments',
        body: { ...request, amount: '125.51' },
        headers,
      });
      expectError(conflict, 409, 'IDEMPOTENCY_CONFLICT');
      expect(conflict.json.error?.details).toEqual({ idempotencyKey: headers['Idempotency-Key'], conversionId: conversion.id });
      expect(conflict.headers.get('Idempotent-Replayed')).toBeNull();

      // Keys are each partner's own: the same key from another partner is a new conversion.
      const theirsCreated = await call('POST', '/v1/conversions', { as: 'globex-treasury', body: request, headers });
      expect(theirsCreated.status).toBe(201);
      expect(theirsCreated.headers.get('Idempotent-Replayed')).toBe('false');
      expect(theirsCreated.json.id).not.toBe(conversion.id);

      const own = await call('GET', `/v1/conversions/${conversion.id}`, { as: 'acme-payments' });
      expect(own.status).toBe(200);
      expect(own.json).toEqual(created.json);
      expectError(
        await call('GET', `/v1/conversions/${conversion.id}`, { as: 'globex-treasury' }),
        404,
        'NOT_FOUND',
      );

      // Stored once: the replay and the refused body added nothing.
      const mine = await call('GET', '/v1/conversions', { as: 'acme-payments' });
      expect((mine.json.items as { id: string }[]).filter((c) => c.id === conversion.id)).toHaveLength(1);
      expect((mine.json.items as { amount: string }[]).filter((c) => c.amount === '125.51')).toEqual([]);
      const theirs = await call('GET', '/v1/conversions', { as: 'globex-treasury' });
      expect((theirs.json.items as { id: string }[]).map((c) => c.id)).not.toContain(conversion.id);
    });

    it('answers every operation of its OpenAPI document, called as the document says (servers, tokenUrl, x-api-key, examples)', async () => {
      type Parameter = { name: string; in: 'path' | 'query' | 'header'; example?: string };
      type Operation = {
        operationId: string;
        security: Record<string, string[]>[];
        parameters?: Parameter[];
        requestBody?: { content: { 'application/json': { example?: unknown } } };
        responses: Record<string, unknown>;
      };
      const doc = (await (await fetch(`${platform.endpoints.api}/v1/openapi.json`)).json()) as {
        servers: { url: string }[];
        paths: Record<string, Record<string, Operation>>;
        components: { securitySchemes: { partnerOAuth: { flows: { clientCredentials: { tokenUrl: string } } } } };
      };
      const [{ url: server }] = doc.servers;
      const { tokenUrl } = doc.components.securitySchemes.partnerOAuth.flows.clientCredentials;
      expect(server).toBe(platform.endpoints.api);
      expect(tokenUrl).toBe(platform.endpoints.tokenUrl);

      /** A partner with one of the operation's scopes, its token from the document's tokenUrl. */
      const tokenFor = async (scopes: string[]) => {
        const partner = platform.endpoints.clients.find((c) => scopes.some((s) => c.scopes.includes(s)))!;
        const basic = Buffer.from(`${partner.clientId}:${partner.clientSecret}`).toString('base64');
        const response = await fetch(tokenUrl, {
          method: 'POST',
          headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        });
        return { partner, token: ((await response.json()) as { access_token: string }).access_token };
      };

      const answers: { operation: string; status: number; documented: boolean }[] = [];
      for (const [template, methods] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(methods)) {
          const params = op.parameters ?? [];
          const example = (where: Parameter['in']) => params.filter((p) => p.in === where && p.example !== undefined);
          const urlPath = example('path').reduce((p, param) => p.replace(`{${param.name}}`, encodeURIComponent(String(param.example))), template)
            // A path parameter without an example (the docs' own file names) gets one of its files.
            .replace('{file}', 'swagger-ui.css');
          const query = new URLSearchParams(example('query').map((p): [string, string] => [p.name, String(p.example)]));
          const headers: Record<string, string> = Object.fromEntries(example('header').map((p) => [p.name, String(p.example)]));
          const scopes = op.security.flatMap((requirement) => requirement.partnerOAuth ?? []);
          if (scopes.length > 0) {
            const { partner, token } = await tokenFor(scopes);
            Object.assign(headers, { authorization: `Bearer ${token}`, 'x-api-key': partner.apiKey });
          }
          const body = op.requestBody?.content['application/json'].example;
          if (body !== undefined) headers['content-type'] = 'application/json';
          const response = await fetch(`${server}${urlPath}${query.size ? `?${query}` : ''}`, {
            method: method.toUpperCase(),
            headers,
            body: body === undefined ? undefined : JSON.stringify(body),
            redirect: 'manual',
          });
          await response.arrayBuffer();
          answers.push({ operation: op.operationId, status: response.status, documented: String(response.status) in op.responses });
        }
      }
      // Put back what the currency examples changed.
      const admin = await tokenFor(['fx-api/currencies.admin']);
      await call('PUT', '/v1/currencies/SEK', { token: admin.token, apiKey: admin.partner.apiKey, body: { enabled: true } });

      expect(answers.filter((a) => !a.documented || a.status >= 500)).toEqual([]);
      // Everything that needs no earlier data succeeds (a conversion id or a rate history may not exist yet).
      const succeeded = new Set(answers.filter((a) => a.status < 400).map((a) => a.operation));
      expect([...succeeded].sort()).toEqual(
        expect.arrayContaining(['apiRoot', 'convert', 'createConversion', 'deleteCurrency', 'docs', 'docsAsset', 'latestRates', 'listConversions', 'listCurrencies', 'openApi', 'putCurrency', 'versionRoot']),
      );
    });

    it('publishes its OpenAPI document and docs page without a token', async () => {
      const doc = await call('GET', '/v1/openapi.json', { token: null, apiKey: null });
      expect(doc.status).toBe(200);
      const paths = Object.keys(doc.json.paths as Record<string, unknown>);
      expect(paths).toEqual(expect.arrayContaining([...new Set(ROUTES.map((r) => r.path))]));
      const page = await fetch(`${platform.endpoints.api}/v1/docs`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    });
  });
});
