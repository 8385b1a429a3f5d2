import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { JwtInvalidScopeError } from 'aws-jwt-verify/error';
import type { JwtPayload } from 'aws-jwt-verify/jwt-model';
import {
  GATEWAY_ERRORS,
  MAX_PAYLOAD_BYTES,
  METHOD_NOT_ALLOWED,
  isPublicRoute,
  requiredParameters,
  type GatewayErrorDefinition,
} from '../definitions/partner-api';
import type { Throttle } from '../config/stage-config';
import {
  ROUTES,
  pathPattern,
  fullScope,
  type ApiFunctionName,
  type RouteDefinition,
} from '../../lambdas/shared/api-contract';
import { apiKeyOwnersOf, assertApiKeyOwnedBy, type ApiKeyOwners } from '../../lambdas/shared/api-key-owners';
import { ApiKeyMismatchError } from '../../lambdas/shared/http-errors';
import type { LocalPartnerClient } from './partner-clients';
import { startTokenService, type Jwks, type RunningTokenService } from './token-service';

/**
 * The partner API on one machine, behaving like the API Gateway stage the CDK stack deploys:
 * the same routes (ROUTES), each request verified like the Cognito authorizer does (signature,
 * issuer, expiry, `token_use`, app client, the route's scopes; with aws-jwt-verify), the API
 * key and its usage plan's throttle and quota, the request validator's checks, then turned into
 * an API Gateway REST proxy event (v1) for the route's function. Errors the gateway answers
 * itself have the API's `{ "error": { code, message, details } }` shape.
 *
 * Like the deployed handlers, it refuses a token that comes with another partner's API key (403
 * API_KEY_MISMATCH, after metering, as API Gateway meters before the function runs). Public
 * routes have their own throttle (the stage's method settings for them), not the stage's.
 *
 * Deliberate differences from API Gateway: an unknown path is a JSON 404 (API Gateway: 403
 * "Missing Authentication Token"), a known path with another method is 405 with `Allow`, and a
 * token without the route's scope is 403 (API Gateway's Cognito authorizer answers 401).
 */

/** An API key and the usage plan it belongs to. */
export interface GatewayApiKey {
  readonly value: string;
  readonly id: string;
  /** The partner, for logs. */
  readonly name: string;
  /** The app client the key was issued with: a token of another client may not use it. */
  readonly clientId: string;
  readonly throttle: Throttle;
  readonly quotaPerDay: number;
}

export interface LocalApiGatewayOptions {
  /** Token issuer (the local token service URL); tokens from anyone else are rejected. */
  readonly issuer: string;
  /** The issuer's public keys, handed to the verifier (it never fetches them). */
  readonly jwks: Jwks;
  /** App clients of the user pool: a token for any other client is rejected, as by Cognito. */
  readonly clientIds: readonly string[];
  readonly apiKeys: readonly GatewayApiKey[];
  /** Stage-wide throttling (the stage config's `api.throttle`). */
  readonly stageThrottle: Throttle;
  /** Throttling of the public routes, apart from the stage's (the stage config's `api.publicThrottle`). */
  readonly publicThrottle: Throttle;
  /** Runs the route's function with the proxy event and returns its result. */
  readonly invoke: (fn: ApiFunctionName, event: APIGatewayProxyEvent) => Promise<unknown>;
  /** @default ROUTES */
  readonly routes?: readonly RouteDefinition[];
  /** Stage name in `requestContext`. @default 'local' */
  readonly stage?: string;
  /** Clock in milliseconds, for throttling and quotas. @default Date.now */
  readonly now?: () => number;
}

/** One HTTP request as the gateway sees it. */
export interface GatewayRequest {
  readonly method: string;
  /** Path and query string, e.g. `/v1/convert?from=EUR&to=USD&amount=10`. */
  readonly url: string;
  /** Header name/value pairs as sent (names keep their case, repeats are kept). */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
  /** Size of the body as sent; larger than `body` when the server stopped buffering. */
  readonly bodyBytes?: number;
  readonly sourceIp?: string;
}

export interface GatewayResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
  readonly required: ReturnType<typeof requiredParameters>;
}

interface LambdaProxyResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, (string | number | boolean)[]>;
  body?: string;
  isBase64Encoded?: boolean;
}

const ACCOUNT_ID = '000000000000';
const API_ID = 'local';

/** A token bucket: `rate` tokens per second, at most `burst` at once. */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    private readonly now: () => number,
  ) {
    this.tokens = burst;
    this.last = now();
  }

  take(): boolean {
    const now = this.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

class GatewayError extends Error {
  constructor(
    readonly def: { readonly status: number; readonly code: string },
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const fail = (
  def: GatewayErrorDefinition & { status: number; code: string },
  details?: Record<string, unknown>,
  message?: string,
) => new GatewayError(def, message ?? def.localMessage, details);

export class LocalApiGateway {
  private readonly routes: readonly CompiledRoute[];
  private readonly verifier: ReturnType<typeof createVerifier>;
  private readonly keys: Map<string, GatewayApiKey>;
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly quotas = new Map<string, { day: string; used: number }>();
  private readonly owners: ApiKeyOwners;
  private readonly stageBucket: TokenBucket;
  private readonly publicBucket: TokenBucket;
  private readonly now: () => number;

  constructor(private readonly options: LocalApiGatewayOptions) {
    this.now = options.now ?? Date.now;
    this.routes = compileRoutes(options.routes ?? ROUTES);
    this.verifier = createVerifier(options.issuer, options.jwks, options.clientIds);
    this.keys = new Map(options.apiKeys.map((k) => [k.value, k]));
    this.owners = apiKeyOwnersOf(options.apiKeys.map((k) => ({ clientId: k.clientId, apiKeyId: k.id })));
    const bucket = (t: Throttle) => new TokenBucket(t.rateLimit, t.burstLimit, this.now);
    this.stageBucket = bucket(options.stageThrottle);
    this.publicBucket = bucket(options.publicThrottle);
  }

  /** Answers one request: a gateway error, or the function's response. */
  async handle(request: GatewayRequest): Promise<GatewayResponse> {
    const requestId = randomUUID();
    try {
      return await this.route(request, requestId);
    } catch (error) {
      if (error instanceof GatewayError) return errorResponse(error, requestId);
      throw error;
    }
  }

  private async route(request: GatewayRequest, requestId: string): Promise<GatewayResponse> {
    if ((request.bodyBytes ?? request.body.length) > MAX_PAYLOAD_BYTES) {
      throw fail(GATEWAY_ERRORS.requestTooLarge, { limitBytes: MAX_PAYLOAD_BYTES });
    }
    const url = new URL(request.url, 'http://gateway.local');
    const match = this.match(request.method, url.pathname);
    const headers = headerMaps(request.headers);
    const header = (name: string) => headers.last[name.toLowerCase()];

    const isPublic = isPublicRoute(match.route);
    if (!(isPublic ? this.publicBucket : this.stageBucket).take()) throw fail(GATEWAY_ERRORS.throttled);
    let claims: JwtPayload | undefined;
    let apiKey: GatewayApiKey | undefined;
    if (!isPublic) {
      claims = await this.authorize(header('authorization'), match.route);
      apiKey = this.keys.get(header('x-api-key') ?? '');
      if (!apiKey) throw fail(GATEWAY_ERRORS.invalidApiKey);
      this.meter(apiKey);
      this.checkKeyOwner(claims, apiKey);
    }
    const body = this.validate(match, url.searchParams, header, request.body);
    const event = this.event({ request, requestId, url, match, headers, claims, apiKey, body });
    return this.integrate(match.route.function, event, requestId);
  }

  private match(
    method: string,
    pathname: string,
  ): CompiledRoute & { params: Record<string, string> } {
    const candidates = this.routes
      .map((r) => ({ r, m: r.pattern.exec(pathname) }))
      .filter((c): c is { r: CompiledRoute; m: RegExpExecArray } => c.m !== null);
    if (candidates.length === 0) {
      throw fail(GATEWAY_ERRORS.missingAuthenticationToken, { method, path: pathname });
    }
    const hit = candidates.find((c) => c.r.route.method === method);
    if (!hit) {
      const allow = [...new Set(candidates.map((c) => c.r.route.method))].join(', ');
      throw new GatewayError(
        METHOD_NOT_ALLOWED,
        METHOD_NOT_ALLOWED.message,
        { method, path: pathname, allow },
        { allow },
      );
    }
    const params: Record<string, string> = {};
    hit.r.paramNames.forEach((name) => {
      try {
        params[name] = decodeURIComponent(hit.m.groups![name]);
      } catch {
        throw fail(
          GATEWAY_ERRORS.badRequestParameters,
          { parameter: name },
          `Malformed path parameter: ${name}`,
        );
      }
    });
    return { ...hit.r, params };
  }

  /** The Cognito authorizer: a valid access token of one of the pool's clients, with one of the route's scopes. */
  private async authorize(
    authorization: string | undefined,
    route: RouteDefinition,
  ): Promise<JwtPayload> {
    const token = /^(?:Bearer\s+)?(\S+)$/i.exec(authorization?.trim() ?? '')?.[1];
    if (!token) throw fail(GATEWAY_ERRORS.unauthorized);
    try {
      return await this.verifier.verify(token, { scope: route.scopes.map(fullScope) });
    } catch (error) {
      if (error instanceof JwtInvalidScopeError) {
        throw fail(
          GATEWAY_ERRORS.accessDenied,
          { requiredScopes: route.scopes.map(fullScope) },
          'The token has none of the scopes this route requires',
        );
      }
      throw fail(GATEWAY_ERRORS.unauthorized);
    }
  }

  /** The rule the deployed handlers apply (lambdas/shared/http.ts), answered the same way. */
  private checkKeyOwner(claims: JwtPayload, apiKey: GatewayApiKey): void {
    try {
      assertApiKeyOwnedBy(String(claims.client_id), apiKey.id, this.owners);
    } catch (error) {
      if (error instanceof ApiKeyMismatchError) throw new GatewayError(error, error.message);
      throw error;
    }
  }

  /** The API key's usage plan: its throttle (token bucket) and daily quota (UTC day). */
  private meter(key: GatewayApiKey): void {
    let bucket = this.buckets.get(key.value);
    if (!bucket) {
      bucket = new TokenBucket(key.throttle.rateLimit, key.throttle.burstLimit, this.now);
      this.buckets.set(key.value, bucket);
    }
    if (!bucket.take()) throw fail(GATEWAY_ERRORS.throttled);
    const day = new Date(this.now()).toISOString().slice(0, 10);
    const quota = this.quotas.get(key.value);
    const used = quota?.day === day ? quota.used : 0;
    if (used >= key.quotaPerDay) throw fail(GATEWAY_ERRORS.quotaExceeded);
    this.quotas.set(key.value, { day, used: used + 1 });
  }

  /** The request validator: required query parameters and headers present, a JSON body that fits the model. */
  private validate(
    match: CompiledRoute,
    query: URLSearchParams,
    header: (name: string) => string | undefined,
    body: Buffer,
  ): string | null {
    const missing = [
      ...match.required.query.filter((n) => !query.get(n)),
      ...match.required.headers.filter((n) => !header(n)),
    ];
    if (missing.length > 0) {
      throw fail(
        GATEWAY_ERRORS.badRequestParameters,
        { missing },
        `Missing required request parameters: [${missing.join(', ')}]`,
      );
    }
    const text = body.length > 0 ? body.toString('utf8') : null;
    const contentType = (header('content-type') ?? 'application/json')
      .split(';')[0]
      .trim()
      .toLowerCase();
    // API Gateway validates against the model registered for the request's content type: JSON only.
    if (match.route.body && contentType === 'application/json') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text ?? '');
      } catch {
        throw fail(GATEWAY_ERRORS.badRequestBody, { reason: 'not JSON' });
      }
      const result = match.route.body.safeParse(parsed);
      if (!result.success) {
        throw fail(GATEWAY_ERRORS.badRequestBody, {
          issues: result.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
        });
      }
    }
    return text;
  }

  private event(args: {
    request: GatewayRequest;
    requestId: string;
    url: URL;
    match: CompiledRoute & { params: Record<string, string> };
    headers: ReturnType<typeof headerMaps>;
    claims?: JwtPayload;
    apiKey?: GatewayApiKey;
    body: string | null;
  }): APIGatewayProxyEvent {
    const { request, requestId, url, match, headers, claims, apiKey, body } = args;
    const now = new Date(this.now());
    const stage = this.options.stage ?? 'local';
    const multiQuery: Record<string, string[]> = {};
    for (const [k, v] of url.searchParams) (multiQuery[k] ??= []).push(v);
    const query = Object.fromEntries(
      Object.entries(multiQuery).map(([k, v]) => [k, v[v.length - 1]]),
    );
    const hasQuery = Object.keys(query).length > 0;
    const hasParams = Object.keys(match.params).length > 0;
    return {
      resource: match.route.path,
      path: url.pathname,
      httpMethod: match.route.method,
      headers: headers.original,
      multiValueHeaders: headers.originalMulti,
      queryStringParameters: hasQuery ? query : null,
      multiValueQueryStringParameters: hasQuery ? multiQuery : null,
      pathParameters: hasParams ? match.params : null,
      stageVariables: null,
      body,
      isBase64Encoded: false,
      requestContext: {
        accountId: ACCOUNT_ID,
        apiId: API_ID,
        authorizer: claims ? { claims: cognitoClaims(claims) } : undefined,
        domainName: headers.last.host ?? '127.0.0.1',
        domainPrefix: (headers.last.host ?? '127').split('.')[0],
        extendedRequestId: requestId,
        httpMethod: match.route.method,
        identity: {
          accessKey: null,
          accountId: null,
          apiKey: apiKey?.value ?? null,
          apiKeyId: apiKey?.id ?? null,
          caller: null,
          clientCert: null,
          cognitoAuthenticationProvider: null,
          cognitoAuthenticationType: null,
          cognitoIdentityId: null,
          cognitoIdentityPoolId: null,
          principalOrgId: null,
          sourceIp: request.sourceIp ?? '127.0.0.1',
          user: null,
          userAgent: headers.last['user-agent'] ?? null,
          userArn: null,
        },
        path: `/${stage}${url.pathname}`,
        protocol: 'HTTP/1.1',
        requestId,
        requestTime: clfTime(now),
        requestTimeEpoch: now.getTime(),
        resourceId: match.route.operationId,
        resourcePath: match.route.path,
        stage,
      },
    };
  }

  /** Lambda proxy integration: the function's `{ statusCode, headers, body }` becomes the response. */
  private async integrate(
    fn: ApiFunctionName,
    event: APIGatewayProxyEvent,
    requestId: string,
  ): Promise<GatewayResponse> {
    let result: unknown;
    try {
      result = await this.options.invoke(fn, event);
    } catch (error) {
      const timedOut = /timed out/i.test((error as Error).message);
      throw fail(timedOut ? GATEWAY_ERRORS.integrationTimeout : GATEWAY_ERRORS.integrationFailure, {
        function: fn,
        reason: (error as Error).message,
      });
    }
    const proxy = result as LambdaProxyResult | null;
    if (!proxy || typeof proxy !== 'object' || !Number.isInteger(proxy.statusCode)) {
      throw fail(GATEWAY_ERRORS.integrationFailure, {
        function: fn,
        reason: 'Malformed Lambda proxy response',
      });
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(proxy.headers ?? {})) headers[k.toLowerCase()] = String(v);
    for (const [k, v] of Object.entries(proxy.multiValueHeaders ?? {}))
      headers[k.toLowerCase()] = v.map(String);
    headers['x-amzn-requestid'] = requestId;
    const body = Buffer.from(proxy.body ?? '', proxy.isBase64Encoded ? 'base64' : 'utf8');
    return { status: proxy.statusCode, headers, body };
  }
}

/**
 * What the Cognito authorizer checks, with aws-jwt-verify: RS256 signature by the issuer's key
 * (the JWKS is handed over, never fetched), issuer, an expiry (present and not passed), an access token, one of the pool's
 * app clients. Scopes are checked per route in `verify`.
 */
function createVerifier(issuer: string, jwks: Jwks, clientIds: readonly string[]) {
  const known = new Set(clientIds);
  const verifier = JwtRsaVerifier.create({
    issuer,
    audience: null,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    customJwtCheck: ({ payload }: { payload: JwtPayload }) => {
      // aws-jwt-verify checks `exp` only when present; a Cognito access token always has one.
      if (typeof payload.exp !== 'number') throw new Error('a token without expiry');
      if (payload.token_use !== 'access') throw new Error('not an access token');
      if (typeof payload.client_id !== 'string' || !known.has(payload.client_id)) {
        throw new Error('token of an unknown app client');
      }
    },
  });
  verifier.cacheJwks(jwks as Parameters<typeof verifier.cacheJwks>[0]);
  return verifier;
}

function compileRoutes(routes: readonly RouteDefinition[]): CompiledRoute[] {
  return (
    routes
      .map((route) => ({
        route,
        pattern: pathPattern(route.path),
        paramNames: [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]),
        required: requiredParameters(route),
      }))
      // Like API Gateway's resource tree: a literal segment wins over a path parameter.
      .sort((a, b) => a.paramNames.length - b.paramNames.length)
  );
}

function headerMaps(pairs: readonly (readonly [string, string])[]) {
  const original: Record<string, string> = {};
  const originalMulti: Record<string, string[]> = {};
  const last: Record<string, string> = {};
  for (const [name, value] of pairs) {
    original[name] = value;
    (originalMulti[name] ??= []).push(value);
    last[name.toLowerCase()] = value;
  }
  return { original, originalMulti, last };
}

/**
 * Claims as API Gateway's Cognito authorizer passes them to a REST integration: every value a
 * string, `exp`/`iat` as dates (`Mon Mar 14 18:37:35 UTC 2022`), numbers as decimal strings.
 */
export function cognitoClaims(payload: JwtPayload): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const [name, value] of Object.entries(payload)) {
    if (value === undefined) continue;
    if ((name === 'exp' || name === 'iat') && typeof value === 'number')
      claims[name] = javaDate(value);
    else
      claims[name] =
        typeof value === 'string'
          ? value
          : Array.isArray(value)
            ? value.join(' ')
            : JSON.stringify(value);
  }
  return claims;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

function javaDate(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())} ${time} UTC ${d.getUTCFullYear()}`;
}

/** `09/Apr/2015:12:34:56 +0000`, API Gateway's `requestTime`. */
function clfTime(d: Date): string {
  const time = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${time} +0000`;
}

function errorResponse(error: GatewayError, requestId: string): GatewayResponse {
  const body = {
    error: {
      code: error.def.code,
      message: error.message,
      details: { requestId, ...error.details },
    },
  };
  return {
    status: error.def.status,
    headers: {
      'content-type': 'application/json',
      'x-amzn-requestid': requestId,
      'x-amzn-errortype': error.def.code,
      ...error.headers,
    },
    body: Buffer.from(JSON.stringify(body)),
  };
}

export interface RunningApiGateway {
  /** Base URL; routes at `<url>/v1/...`. */
  readonly url: string;
  readonly gateway: LocalApiGateway;
  stop(): Promise<void>;
}

/** Serves the gateway over HTTP on 127.0.0.1. */
export async function startLocalApiGateway(
  options: LocalApiGatewayOptions & { readonly port?: number },
): Promise<RunningApiGateway> {
  const gateway = new LocalApiGateway(options);
  const server = createServer((req, res) => {
    void serve(gateway, req, res).catch((error: Error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = JSON.stringify({ error: { code: 'INTERNAL_ERROR', message: error.message } });
      res.writeHead(500, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    gateway,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  gateway: LocalApiGateway,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // Read the whole body (so the client sees the answer, not a reset) but keep at most the limit.
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    if (bytes + buffer.length <= MAX_PAYLOAD_BYTES) chunks.push(buffer);
    bytes += buffer.length;
  }
  const headers: [string, string][] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2)
    headers.push([req.rawHeaders[i], req.rawHeaders[i + 1]]);
  const response = await gateway.handle({
    method: req.method ?? 'GET',
    url: req.url ?? '/',
    headers,
    body: Buffer.concat(chunks),
    bodyBytes: bytes,
    sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
  });
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': String(response.body.length),
  });
  res.end(response.body);
}

export interface LocalPartnerApi {
  readonly api: RunningApiGateway;
  readonly tokens: RunningTokenService;
  readonly clients: readonly LocalPartnerClient[];
  stop(): Promise<void>;
}

/**
 * The partner API as the local platform runs it: the partners' credentials and the token
 * signing key (kept in `dir`), the token service, and the gateway in front of the functions.
 */
export async function startLocalPartnerApi(options: {
  /** Where the token signing key is kept. */
  readonly dir: string;
  /** The partners with their credentials (`loadPartnerClients`). */
  readonly clients: readonly LocalPartnerClient[];
  readonly stageThrottle: Throttle;
  readonly publicThrottle: Throttle;
  readonly invoke: LocalApiGatewayOptions['invoke'];
}): Promise<LocalPartnerApi> {
  const { clients } = options;
  const tokens = await startTokenService({ keyDir: options.dir, clients });
  try {
    const api = await startLocalApiGateway({
      issuer: tokens.issuer,
      jwks: tokens.jwks,
      clientIds: clients.map((c) => c.clientId),
      apiKeys: clients.map((c) => ({
        value: c.apiKey,
        id: c.apiKeyId,
        name: c.name,
        clientId: c.clientId,
        throttle: c.throttle,
        quotaPerDay: c.quotaPerDay,
      })),
      stageThrottle: options.stageThrottle,
      publicThrottle: options.publicThrottle,
      invoke: options.invoke,
    });
    return {
      api,
      tokens,
      clients,
      stop: async () => {
        await api.stop();
        await tokens.stop();
      },
    };
  } catch (error) {
    await tokens.stop();
    throw error;
  }
}
