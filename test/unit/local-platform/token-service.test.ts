import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { stageConfig } from '../../../lib/config/stage-config';
import { loadPartnerClients } from '../../../lib/local-platform/partner-clients';
import {
  TokenIssuer,
  loadOrCreateSigningKey,
  startTokenService,
  type Jwks,
  type RunningTokenService,
  type SigningKey,
  type TokenClient,
} from '../../../lib/local-platform/token-service';
import { fullScope, SCOPES } from '../../../lambdas/shared/api-contract';

const ISSUER = 'http://127.0.0.1:9999';
const CLIENT: TokenClient = {
  clientId: 'client1client1client1clien',
  clientSecret: 'secret-of-client-1',
  scopes: [fullScope(SCOPES.ratesRead), fullScope(SCOPES.conversionsRead)],
};
const FORM = 'application/x-www-form-urlencoded';

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const decode = (jwt: string) =>
  jwt
    .split('.')
    .map((part, i) => (i < 2 ? JSON.parse(Buffer.from(part, 'base64url').toString()) : part));

const verifierFor = (issuer: string, jwks: Jwks) => {
  const verifier = JwtRsaVerifier.create({
    issuer,
    audience: null,
    jwksUri: `${issuer}/.well-known/jwks.json`,
  });
  verifier.cacheJwks(jwks as Parameters<typeof verifier.cacheJwks>[0]);
  return verifier;
};

describe('token service (Cognito client-credentials stand-in)', () => {
  let dir: string;
  let key: SigningKey;
  const now = Date.UTC(2026, 0, 15, 12, 0, 0);
  const issuer = () => new TokenIssuer({ key, issuer: ISSUER, clients: [CLIENT], now: () => now });
  const request = (
    form: Record<string, string>,
    authorization = basic(CLIENT.clientId, CLIENT.clientSecret),
  ) =>
    issuer().token({
      authorization,
      contentType: FORM,
      body: new URLSearchParams(form).toString(),
    });
  const errorOf = (response: { status: number; body: string }) => ({
    status: response.status,
    error: JSON.parse(response.body).error,
  });

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fx-token-'));
    key = loadOrCreateSigningKey(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues an RS256 access token shaped like Cognito’s, valid for one hour', () => {
    const response = request({ grant_type: 'client_credentials' });
    expect(response.status).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(response.body);
    expect(body).toEqual({
      access_token: expect.any(String),
      expires_in: 3600,
      token_type: 'Bearer',
    });
    const [header, claims] = decode(body.access_token);
    expect(header).toEqual({ kid: key.kid, alg: 'RS256' });
    const iat = now / 1000;
    expect(claims).toEqual({
      sub: CLIENT.clientId,
      client_id: CLIENT.clientId,
      token_use: 'access',
      scope: 'fx-api/rates.read fx-api/conversions.read',
      auth_time: iat,
      iss: ISSUER,
      iat,
      exp: iat + 3600,
      jti: expect.stringMatching(/^[0-9a-f-]{36}$/),
      version: 2,
    });
  });

  it('signs with the key its JWKS publishes (aws-jwt-verify accepts the token)', async () => {
    const token = JSON.parse(request({ grant_type: 'client_credentials' }).body).access_token;
    const verifier = verifierFor(ISSUER, issuer().jwks);
    // The fixed clock is in the past: check the signature and claims with a generous grace.
    const payload = await verifier.verify(token, { graceSeconds: 10 * 365 * 86_400 });
    expect(payload.client_id).toBe(CLIENT.clientId);
    expect(issuer().jwks.keys[0]).toEqual(
      expect.objectContaining({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: key.kid }),
    );
    expect(issuer().jwks.keys[0]).not.toHaveProperty('d');
  });

  it('narrows the token to the requested scopes, and refuses scopes the client does not have', () => {
    const narrowed = request({ grant_type: 'client_credentials', scope: 'fx-api/rates.read' });
    expect(decode(JSON.parse(narrowed.body).access_token)[1].scope).toBe('fx-api/rates.read');
    expect(
      errorOf(
        request({
          grant_type: 'client_credentials',
          scope: 'fx-api/rates.read fx-api/currencies.admin',
        }),
      ),
    ).toEqual({
      status: 400,
      error: 'invalid_scope',
    });
  });

  it.each([
    ['a wrong secret', basic(CLIENT.clientId, 'wrong')],
    ['an unknown client', basic('nobody', CLIENT.clientSecret)],
    ['no Authorization header', undefined],
    ['a bearer instead of Basic', 'Bearer abc'],
    ['Basic without a colon', `Basic ${Buffer.from('no-colon').toString('base64')}`],
  ])('answers 400 invalid_client for %s', (_case, authorization) => {
    const response = issuer().token({
      authorization,
      contentType: FORM,
      body: 'grant_type=client_credentials',
    });
    expect(errorOf(response)).toEqual({ status: 400, error: 'invalid_client' });
  });

  it('answers OAuth2 errors for a missing or unsupported grant and a non-form body', () => {
    expect(errorOf(request({}))).toEqual({ status: 400, error: 'invalid_request' });
    expect(errorOf(request({ grant_type: 'authorization_code' }))).toEqual({
      status: 400,
      error: 'unsupported_grant_type',
    });
    const json = issuer().token({
      authorization: basic(CLIENT.clientId, CLIENT.clientSecret),
      contentType: 'application/json',
      body: '{"grant_type":"client_credentials"}',
    });
    expect(errorOf(json)).toEqual({ status: 400, error: 'invalid_request' });
  });

  it('creates the signing key once and reuses it (same kid), readable by the owner only', () => {
    const again = loadOrCreateSigningKey(dir);
    expect(again.kid).toBe(key.kid);
    expect(again.jwk).toEqual(key.jwk);
    const file = path.join(dir, 'token-signing-key.pem');
    expect(readFileSync(file, 'utf8')).toContain('BEGIN PRIVATE KEY');
    expect(statSync(file).mode & 0o077).toBe(0);
    const other = mkdtempSync(path.join(tmpdir(), 'fx-token-other-'));
    try {
      expect(loadOrCreateSigningKey(other).kid).not.toBe(key.kid);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });

  describe('over HTTP', () => {
    let service: RunningTokenService;
    beforeAll(async () => {
      service = await startTokenService({ keyDir: dir, clients: [CLIENT] });
    });
    afterAll(() => service.stop());

    it('serves POST /oauth2/token and the JWKS on loopback; the issuer is its URL', async () => {
      expect(service.tokenUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/oauth2\/token$/);
      const response = await fetch(service.tokenUrl, {
        method: 'POST',
        headers: {
          authorization: basic(CLIENT.clientId, CLIENT.clientSecret),
          'content-type': FORM,
        },
        body: 'grant_type=client_credentials&scope=fx-api%2Fconversions.read',
      });
      expect(response.status).toBe(200);
      const token = ((await response.json()) as { access_token: string }).access_token;
      const jwks = (await (await fetch(service.jwksUrl)).json()) as Jwks;
      expect(jwks).toEqual(service.jwks);
      const payload = await verifierFor(service.issuer, jwks).verify(token);
      expect(payload).toEqual(
        expect.objectContaining({ iss: service.issuer, scope: 'fx-api/conversions.read' }),
      );
    });

    it('answers other methods and paths with JSON errors', async () => {
      const get = await fetch(service.tokenUrl);
      expect(get.status).toBe(405);
      expect(await get.json()).toEqual(expect.objectContaining({ error: 'invalid_request' }));
      const unknown = await fetch(`${service.issuer}/oauth2/authorize`);
      expect(unknown.status).toBe(404);
    });
  });
});

describe('local partner clients', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'fx-partners-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const partners = stageConfig('dev').api.partners;

  it('gives every configured partner Cognito-like credentials and full-form scopes', () => {
    const clients = loadPartnerClients(path.join(dir, 'clients.json'), partners);
    expect(clients.map((c) => c.name)).toEqual(partners.map((p) => p.name));
    for (const [i, client] of clients.entries()) {
      expect(client.clientId).toMatch(/^[a-z0-9]{26}$/);
      expect(client.clientSecret).toMatch(/^[a-z0-9]{51}$/);
      expect(client.apiKey).toMatch(/^[A-Za-z0-9]{40}$/);
      expect(client.scopes).toEqual(partners[i].scopes.map(fullScope));
      expect(client.throttle).toEqual(partners[i].throttle);
    }
    expect(new Set(clients.map((c) => c.clientId)).size).toBe(clients.length);
  });

  it('generates credentials once: the next start reads the same ones, a new partner gets new ones', () => {
    const file = path.join(dir, 'clients.json');
    const first = loadPartnerClients(file, partners.slice(0, 2));
    expect(statSync(file).mode & 0o077).toBe(0);
    const second = loadPartnerClients(file, partners);
    expect(second.slice(0, 2)).toEqual(first);
    expect(second).toHaveLength(partners.length);
    expect(loadPartnerClients(file, partners)).toEqual(second);
  });
});
