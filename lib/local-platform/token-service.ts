import {
  createHash,
  createPrivateKey,
  createPublicKey,
  createSign,
  generateKeyPairSync,
  randomUUID,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as path from 'node:path';

/**
 * A local stand-in for the Cognito token endpoint of the partner user pool (cognito-local has
 * no client-credentials grant): `POST /oauth2/token` with HTTP Basic client authentication
 * issues RS256 access tokens shaped like Cognito's, and `GET /.well-known/jwks.json` serves the
 * public key. The signing key is created once and kept in the platform's directory.
 */

/** An app client allowed to use the client-credentials grant. */
export interface TokenClient {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Allowed scopes in full form (`fx-api/rates.read`): what the token carries by default. */
  readonly scopes: readonly string[];
}

export interface PublicJwk {
  readonly kty: 'RSA';
  readonly n: string;
  readonly e: string;
  readonly kid: string;
  readonly alg: 'RS256';
  readonly use: 'sig';
}

export interface Jwks {
  readonly keys: readonly PublicJwk[];
}

export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly jwk: PublicJwk;
}

/** Claims of a Cognito access token from the client-credentials grant. */
export interface AccessTokenClaims {
  readonly sub: string;
  readonly token_use: 'access';
  readonly scope: string;
  readonly auth_time: number;
  readonly iss: string;
  readonly exp: number;
  readonly iat: number;
  readonly version: 2;
  readonly jti: string;
  readonly client_id: string;
}

export interface TokenResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const KEY_FILE = 'token-signing-key.pem';
const DEFAULT_LIFETIME_SECONDS = 3600;
const MAX_FORM_BYTES = 64 * 1024;

/** The RS256 key pair in `<dir>/token-signing-key.pem`, created on first use. */
export function loadOrCreateSigningKey(dir: string): SigningKey {
  const file = path.join(dir, KEY_FILE);
  let privateKey: KeyObject;
  if (existsSync(file)) {
    privateKey = createPrivateKey(readFileSync(file, 'utf8'));
  } else {
    mkdirSync(dir, { recursive: true });
    privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' }) as {
    n: string;
    e: string;
  };
  // RFC 7638 thumbprint: the same key always has the same kid.
  const kid = createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
  return { kid, privateKey, jwk: { kty: 'RSA', n, e, kid, alg: 'RS256', use: 'sig' } };
}

/** An RS256 JWT with the key's `kid`, header as Cognito writes it (`kid`, `alg`). */
export function signJwt(key: SigningKey, claims: object): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ kid: key.kid, alg: 'RS256' })}.${encode(claims)}`;
  return `${input}.${createSign('RSA-SHA256').update(input).sign(key.privateKey).toString('base64url')}`;
}

export interface TokenIssuerOptions {
  readonly key: SigningKey;
  /** The `iss` claim: the token service's base URL. */
  readonly issuer: string;
  readonly clients: readonly TokenClient[];
  /** @default 3600 (Cognito's default access-token validity) */
  readonly lifetimeSeconds?: number;
  /** Clock in milliseconds. @default Date.now */
  readonly now?: () => number;
}

/** The token endpoint's logic, without a server: tests call `token()` directly. */
export class TokenIssuer {
  private readonly clients: Map<string, TokenClient>;

  constructor(private readonly options: TokenIssuerOptions) {
    this.clients = new Map(options.clients.map((c) => [c.clientId, c]));
  }

  get jwks(): Jwks {
    return { keys: [this.options.key.jwk] };
  }

  /** Signs an access token for a client with the given (already allowed) scopes. */
  sign(clientId: string, scopes: readonly string[]): string {
    const now = Math.floor((this.options.now ?? Date.now)() / 1000);
    const claims: AccessTokenClaims = {
      sub: clientId,
      token_use: 'access',
      scope: scopes.join(' '),
      auth_time: now,
      iss: this.options.issuer,
      exp: now + (this.options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS),
      iat: now,
      version: 2,
      jti: randomUUID(),
      client_id: clientId,
    };
    return signJwt(this.options.key, claims);
  }

  /**
   * `POST /oauth2/token` as Cognito answers it: `grant_type=client_credentials`, client id and
   * secret in HTTP Basic auth, an optional `scope` narrowing the client's scopes. Errors are
   * OAuth2 JSON with status 400 (Cognito's choice, also for `invalid_client`).
   */
  token(request: { authorization?: string; contentType?: string; body: string }): TokenResponse {
    if (!/^application\/x-www-form-urlencoded\b/i.test(request.contentType ?? '')) {
      return oauthError(
        'invalid_request',
        'Content-Type must be application/x-www-form-urlencoded',
      );
    }
    const form = new URLSearchParams(request.body);
    const client = this.authenticate(request.authorization);
    if (!client)
      return oauthError(
        'invalid_client',
        'Client authentication failed (HTTP Basic client_id:client_secret)',
      );
    const grantType = form.get('grant_type');
    if (!grantType) return oauthError('invalid_request', 'grant_type is required');
    if (grantType !== 'client_credentials')
      return oauthError('unsupported_grant_type', 'Only client_credentials is supported');
    if (client.scopes.length === 0)
      return oauthError('unauthorized_client', 'The client has no allowed scopes');
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const notAllowed = requested.filter((s) => !client.scopes.includes(s));
    if (notAllowed.length > 0)
      return oauthError(
        'invalid_scope',
        `Scopes not allowed for this client: ${notAllowed.join(' ')}`,
      );
    const scopes = requested.length > 0 ? [...new Set(requested)] : client.scopes;
    const lifetime = this.options.lifetimeSeconds ?? DEFAULT_LIFETIME_SECONDS;
    return json(200, {
      access_token: this.sign(client.clientId, scopes),
      expires_in: lifetime,
      token_type: 'Bearer',
    });
  }

  private authenticate(authorization: string | undefined): TokenClient | undefined {
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization ?? '');
    if (!match) return undefined;
    const decoded = Buffer.from(match[1], 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) return undefined;
    let clientId: string;
    let secret: string;
    try {
      // RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
      clientId = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    } catch {
      return undefined;
    }
    const client = this.clients.get(clientId);
    if (!client) return undefined;
    const digest = (s: string) => createHash('sha256').update(s).digest();
    return timingSafeEqual(digest(secret), digest(client.clientSecret)) ? client : undefined;
  }
}

function json(status: number, body: unknown): TokenResponse {
  return {
    status,
    headers: {
      'content-type': 'application/json;charset=UTF-8',
      'cache-control': 'no-store',
      pragma: 'no-cache',
    },
    body: JSON.stringify(body),
  };
}

function oauthError(error: string, description: string): TokenResponse {
  return json(400, { error, error_description: description });
}

export interface TokenServiceOptions {
  /** Where the signing key lives (created there on first start). */
  readonly keyDir: string;
  readonly clients: readonly TokenClient[];
  /** @default 0 (a free port) */
  readonly port?: number;
  readonly lifetimeSeconds?: number;
  readonly now?: () => number;
}

export interface RunningTokenService {
  /** Base URL, also the `iss` of every token. */
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  readonly jwks: Jwks;
  /** The endpoint logic, for signing tokens in-process (tests, benchmarks). */
  readonly tokenIssuer: TokenIssuer;
  stop(): Promise<void>;
}

/** Starts the token service on 127.0.0.1. */
export async function startTokenService(
  options: TokenServiceOptions,
): Promise<RunningTokenService> {
  const key = loadOrCreateSigningKey(options.keyDir);
  // The issuer is the server's own URL, known once it listens.
  const state: { issuer?: TokenIssuer } = {};
  const server = createServer((req, res) => {
    void handle(req, res, state.issuer!).catch(() =>
      send(res, json(500, { error: 'server_error' })),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  const base = `http://127.0.0.1:${port}`;
  const issuer = new TokenIssuer({
    key,
    issuer: base,
    clients: options.clients,
    lifetimeSeconds: options.lifetimeSeconds,
    now: options.now,
  });
  state.issuer = issuer;
  return {
    issuer: base,
    tokenUrl: `${base}/oauth2/token`,
    jwksUrl: `${base}/.well-known/jwks.json`,
    jwks: issuer.jwks,
    tokenIssuer: issuer,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  issuer: TokenIssuer,
): Promise<void> {
  const { pathname } = new URL(req.url ?? '/', 'http://localhost');
  if (pathname === '/.well-known/jwks.json') {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, json(405, { error: 'invalid_request' }));
    return send(res, {
      ...json(200, issuer.jwks),
      headers: { 'content-type': 'application/json' },
    });
  }
  if (pathname !== '/oauth2/token') return send(res, json(404, { error: 'not_found' }));
  // Like Cognito's token endpoint (`Access-Control-Allow-Origin: *`): the docs page (Swagger UI,
  // served by the API on another port) gets its token from the browser.
  res.setHeader('access-control-allow-origin', '*');
  if (req.method === 'OPTIONS') {
    res.writeHead(204, {
      'access-control-allow-methods': 'POST',
      'access-control-allow-headers': 'authorization, content-type',
      'access-control-max-age': '600',
    });
    return void res.end();
  }
  if (req.method !== 'POST')
    return send(res, { ...oauthError('invalid_request', 'Use POST'), status: 405 });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_FORM_BYTES) chunks.push(chunk as Buffer);
  }
  if (size > MAX_FORM_BYTES)
    return send(res, oauthError('invalid_request', 'Request body too large'));
  send(
    res,
    issuer.token({
      authorization: req.headers.authorization,
      contentType: req.headers['content-type'],
      body: Buffer.concat(chunks).toString('utf8'),
    }),
  );
}

function send(res: ServerResponse, response: TokenResponse): void {
  res.writeHead(response.status, response.headers);
  res.end(response.body);
}
