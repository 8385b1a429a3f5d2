import type { z } from 'zod';
import { DomainError, InvalidAmountError } from '../domain/errors';
import { ConfigError } from './config';
import {
  MAX_BODY_BYTES,
  ROUTES,
  fullScope,
  pathPattern,
  type OperationId,
  type RouteDefinition,
} from './api-contract';
import { DuplicateKeyError, parseJsonStrict } from './exact-json';

// ---- typed errors -----------------------------------------------------------------------

/** An error that is the API's answer: its status, a stable code, a message and details. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class BadRequestError extends HttpError {
  constructor(message: string, details?: unknown, code = 'VALIDATION_ERROR') {
    super(400, code, message, details);
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(401, 'UNAUTHORIZED', message, details);
  }
}

export class ForbiddenError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(403, 'FORBIDDEN', message, details);
  }
}

export class ApiKeyMismatchError extends HttpError {
  constructor() {
    super(403, 'API_KEY_MISMATCH', 'The API key does not belong to the app client of the access token');
  }
}

export class NotFoundError extends HttpError {
  constructor(message: string, details?: unknown) {
    super(404, 'NOT_FOUND', message, details);
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(method: string, path: string, allowed: readonly string[]) {
    super(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on ${path}`, { allowed }, { allow: allowed.join(', ') });
  }
}

export class ConflictError extends HttpError {
  constructor(message: string, details?: unknown, code = 'CONFLICT') {
    super(409, code, message, details);
  }
}

export class PayloadTooLargeError extends HttpError {
  constructor(bytes: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `The body has ${bytes} bytes; at most ${MAX_BODY_BYTES} are accepted`, {
      maxBytes: MAX_BODY_BYTES,
    });
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  constructor(contentType: string | undefined) {
    super(415, 'UNSUPPORTED_MEDIA_TYPE', 'The body must be JSON: Content-Type: application/json', {
      contentType: contentType?.slice(0, 100) ?? null,
    });
  }
}

export class UnprocessableError extends HttpError {
  constructor(code: string, message: string, details?: unknown) {
    super(422, code, message, details);
  }
}

/** The HTTP answer for a failure, or undefined for a bug (which becomes a 500). */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  // A bad amount is a bad parameter; every other domain rule (unsupported currency, no rate)
  // is a well-formed request the API cannot serve.
  if (error instanceof InvalidAmountError) return new BadRequestError(error.message, error.details, error.code);
  if (error instanceof DomainError) return new UnprocessableError(error.code, error.message, error.details);
  return undefined;
}

/** Opaque page cursors: base64url JSON, checked on the way back in. */
export const encodeCursor = (value: Readonly<Record<string, string>>): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor(cursor: string): Readonly<Record<string, unknown>> {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw invalidCursor();
}

export const invalidCursor = () =>
  new BadRequestError('The cursor is not one this API returned for this query', undefined, 'INVALID_CURSOR');

// ---- events and results -----------------------------------------------------------------

/**
 * The part of an API Gateway REST proxy event (APIGatewayProxyEvent) the handlers read. The
 * local gateway builds the same shape. Everything is optional: a malformed event is a 4xx.
 */
export interface ApiEvent {
  readonly httpMethod?: string;
  /** The route template, e.g. `/v1/currencies/{code}`; when absent the route is found from `path`. */
  readonly resource?: string | null;
  readonly path?: string;
  readonly pathParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly queryStringParameters?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueQueryStringParameters?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
  readonly multiValueHeaders?: Readonly<Record<string, readonly string[] | undefined>> | null;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly requestContext?: {
    readonly requestId?: string;
    readonly path?: string;
    readonly domainName?: string;
    readonly authorizer?: { readonly claims?: Readonly<Record<string, unknown>> | null } | null;
    /** API Gateway puts the id of the request's API key here. */
    readonly identity?: { readonly apiKeyId?: string | null } | null;
  } | null;
}

/** APIGatewayProxyResult. */
export interface ApiResult {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export type ApiHandler = (event: ApiEvent) => Promise<ApiResult>;

// ---- typed operations -------------------------------------------------------------------

type Route = (typeof ROUTES)[number];
export type RouteOf<K extends OperationId> = Extract<Route, { readonly operationId: K }>;

type Input<R, Part extends string> = R extends { readonly [P in Part]: infer S extends z.ZodType }
  ? z.output<S>
  : Record<string, never>;

/** The partner behind an access token. */
export interface Caller {
  /** The Cognito app client id (`client_id` claim). */
  readonly clientId: string;
  readonly scopes: readonly string[];
}

export interface HttpRequest<K extends OperationId> {
  readonly operationId: K;
  readonly params: Input<RouteOf<K>, 'pathParams'>;
  readonly query: Input<RouteOf<K>, 'query'>;
  readonly body: RouteOf<K> extends { readonly body: infer S extends z.ZodType } ? z.output<S> : undefined;
  /** Lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Present on every route that requires a scope. */
  readonly caller: RouteOf<K>['scopes'] extends readonly [] ? undefined : Caller;
  readonly event: ApiEvent;
}

/** A response with a status or headers other than the route's defaults. */
export class HttpReply {
  constructor(
    readonly body: unknown,
    readonly options: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {},
  ) {}
}

type ResponseBody<K extends OperationId> = RouteOf<K>['response'] extends { readonly schema: infer S extends z.ZodType }
  ? z.input<S>
  : RouteOf<K>['response'] extends { readonly contentType: string }
    ? unknown
    : void;

export type Operation<K extends OperationId, D> = (
  request: HttpRequest<K>,
  deps: D,
) => Promise<ResponseBody<K> | HttpReply>;

/** Handlers by operation id; a function serves the operations it lists. */
export type Operations<D> = { readonly [K in OperationId]?: Operation<K, D> };

export interface ErrorLogger {
  error(message: string, attributes: Record<string, unknown>): void;
}

export interface HttpOptions {
  readonly logger?: ErrorLogger;
  /**
   * Which API key each partner must call with. The deployed handlers always pass it (a required
   * variable, PARTNER_API_KEYS_JSON); in-process callers such as tests may leave it out.
   */
  readonly apiKeys?: ApiKeyOwners;
}

// ---- API key ownership ------------------------------------------------------------------

/** The id of the API key issued with each partner's app client, by client id. */
export type ApiKeyOwners = ReadonlyMap<string, string>;

export const apiKeyOwnersOf = (pairs: readonly { clientId: string; apiKeyId: string }[]): ApiKeyOwners =>
  new Map(pairs.map((p) => [p.clientId, p.apiKeyId]));

/** `{ "<client id>": "<API key id>" }`, as PARTNER_API_KEYS_JSON carries it. */
export function parseApiKeyOwners(json: string): ApiKeyOwners {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    value = undefined;
  }
  if (!value || typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    throw new ConfigError('PARTNER_API_KEYS_JSON must be a JSON object of client id to API key id');
  }
  return new Map(Object.entries(value as Record<string, string>));
}

/**
 * API Gateway only checks that the API key exists and meters the request against that key's
 * usage plan: it would let partner A's token ride on partner B's key. The key must be the one
 * issued with the token's app client.
 */
export function assertApiKeyOwnedBy(clientId: string, apiKeyId: string | null | undefined, owners: ApiKeyOwners): void {
  if (!apiKeyId || owners.get(clientId) !== apiKeyId) throw new ApiKeyMismatchError();
}

// ---- the router -------------------------------------------------------------------------

const JSON_TYPE = 'application/json; charset=utf-8';
const BASE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

const MATCHERS = [...new Set(ROUTES.map((r) => r.path))].map((path) => ({ path, pattern: pathPattern(path) }));

// Query parameters are checked strictly: a misspelt `symbol=` is an error, not a silent default.
const STRICT_QUERIES = new Map<string, z.ZodObject>(
  ROUTES.flatMap((r): [string, z.ZodObject][] => ('query' in r ? [[r.operationId, r.query.strict()]] : [])),
);

/**
 * The one Lambda entry point of an API function: finds the route of the contract, checks the
 * token's claims and scopes, parses and validates parameters, headers and body with the route's
 * schemas, runs the operation with `deps`, and turns every failure into a JSON error.
 */
export function withHttp<D>(operations: Operations<D>, deps: D, options: HttpOptions = {}): ApiHandler {
  return async (event) => {
    const safeEvent: ApiEvent = event && typeof event === 'object' ? event : {};
    let operationId: string | undefined;
    try {
      const { route, params } = matchRoute(safeEvent);
      operationId = route.operationId;
      const operation = operations[route.operationId] as
        | ((request: HttpRequest<OperationId>, deps: D) => Promise<unknown>)
        | undefined;
      if (!operation) throw new NotFoundError(`No route ${route.method} ${route.path} here`);
      const request = parseRequest(route, params, safeEvent, options.apiKeys);
      return respond(route, await operation(request, deps));
    } catch (error) {
      const known = httpErrorOf(error);
      if (known) return errorResult(known);
      options.logger?.error('request failed', { operationId, error });
      const requestId = safeEvent.requestContext?.requestId;
      return errorResult(new HttpError(500, 'INTERNAL_ERROR', 'Internal error', requestId ? { requestId } : undefined));
    }
  };
}

function matchRoute(event: ApiEvent): { route: Route; params: Record<string, string> } {
  const method = String(event.httpMethod ?? '');
  let path = ROUTES.some((r) => r.path === event.resource) ? (event.resource as string) : undefined;
  let params = stringRecord(event.pathParameters);
  if (!path) {
    const requested = String(event.path ?? '');
    const match = MATCHERS.map((m) => ({ path: m.path, found: m.pattern.exec(requested) })).find((m) => m.found);
    if (!match) throw new NotFoundError(`No route ${method.slice(0, 20)} ${requested.slice(0, 200)}`);
    path = match.path;
    params = Object.fromEntries(
      Object.entries(match.found?.groups ?? {}).map(([name, value]) => [name, decodePathSegment(value)]),
    );
  }
  const candidates = ROUTES.filter((r) => r.path === path);
  const route = candidates.find((r) => r.method === method);
  if (!route) throw new MethodNotAllowedError(method.slice(0, 20), path, candidates.map((r) => r.method));
  return { route, params };
}

function decodePathSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new BadRequestError('The path is not valid percent-encoding');
  }
}

function parseRequest(
  route: Route,
  rawParams: Record<string, string>,
  event: ApiEvent,
  apiKeys: ApiKeyOwners | undefined,
): HttpRequest<OperationId> {
  const headers = lowerCaseHeaders(event);
  const caller = route.scopes.length > 0 ? authorize(route, event) : undefined;
  if (caller && apiKeys) assertApiKeyOwnedBy(caller.clientId, event.requestContext?.identity?.apiKeyId, apiKeys);
  const body = 'body' in route ? readJsonBody(event, headers) : undefined;
  const params = 'pathParams' in route ? validate(route.pathParams, rawParams, 'path') : {};
  const query = validate(STRICT_QUERIES.get(route.operationId), queryOf(event), 'query');
  for (const name of 'requiredHeaders' in route ? route.requiredHeaders : []) {
    const value = headers[name.toLowerCase()];
    if (value === undefined || !/^[\x21-\x7e]{1,255}$/.test(value)) {
      throw new BadRequestError(`Header ${name} is required: 1 to 255 visible ASCII characters`, {
        issues: [{ in: 'header', path: name, message: value === undefined ? 'missing' : 'invalid' }],
      });
    }
  }
  return {
    operationId: route.operationId,
    params,
    query,
    body: 'body' in route ? validate(route.body, body, 'body') : undefined,
    headers,
    caller,
    event,
  } as HttpRequest<OperationId>;
}

function authorize(route: RouteDefinition, event: ApiEvent): Caller {
  const claims = event.requestContext?.authorizer?.claims;
  const clientId = claims?.client_id;
  if (typeof clientId !== 'string' || !/^[\w.-]{1,128}$/.test(clientId)) {
    throw new UnauthorizedError('A valid access token is required');
  }
  if (claims?.token_use !== undefined && claims.token_use !== 'access') {
    throw new UnauthorizedError('An access token is required, not an ID token');
  }
  const scopes = typeof claims?.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [];
  const required = route.scopes.map(fullScope);
  if (!required.some((scope) => scopes.includes(scope))) {
    throw new ForbiddenError(`This operation needs the scope ${required.join(' or ')}`, { requiredScopes: required });
  }
  return { clientId, scopes };
}

function readJsonBody(event: ApiEvent, headers: Readonly<Record<string, string>>): unknown {
  const raw = typeof event.body === 'string' ? event.body : '';
  const bytes = Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(bytes.length);
  if (bytes.length === 0) throw new BadRequestError('A JSON body is required', { issues: [{ in: 'body', path: '', message: 'missing' }] });
  if (!isJsonContentType(headers['content-type'])) throw new UnsupportedMediaTypeError(headers['content-type']);
  try {
    return parseJsonStrict(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    if (error instanceof DuplicateKeyError) {
      const { key, path } = error.duplicate;
      const shown = key.length > 64 ? `${key.slice(0, 64)}...` : key;
      throw new BadRequestError(`The body has the key ${JSON.stringify(shown)} more than once`, { key: shown, path: path.join('.') }, 'INVALID_JSON');
    }
    throw new BadRequestError('The body is not valid UTF-8 JSON', undefined, 'INVALID_JSON');
  }
}

function isJsonContentType(value: string | undefined): boolean {
  const [type = '', ...params] = (value ?? '').toLowerCase().split(';').map((part) => part.trim());
  const json = type === 'application/json' || /^application\/[\w.+-]+\+json$/.test(type);
  const charset = params.find((p) => p.startsWith('charset='))?.slice('charset='.length).replace(/"/g, '');
  return json && (charset === undefined || charset === 'utf-8');
}

function validate(schema: z.ZodType | undefined, input: unknown, where: 'path' | 'query' | 'body'): unknown {
  if (!schema) {
    const names = Object.keys(input as Record<string, string>);
    if (names.length === 0) return {};
    throw new BadRequestError(`Unknown ${where} parameter ${names[0].slice(0, 50)}`, {
      issues: names.slice(0, 10).map((name) => ({ in: where, path: name.slice(0, 50), message: 'unknown parameter' })),
    });
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issues = result.error.issues.slice(0, 20).map((issue) => ({
    in: where,
    path: issue.path.join('.').slice(0, 100),
    message: issue.message.slice(0, 300),
  }));
  const [first] = issues;
  throw new BadRequestError(`Invalid ${where}${first.path ? ` ${first.path}` : ''}: ${first.message}`, { issues });
}

function queryOf(event: ApiEvent): Record<string, string> {
  const multi = event.multiValueQueryStringParameters;
  if (multi && typeof multi === 'object') {
    for (const [name, values] of Object.entries(multi)) {
      if (Array.isArray(values) && values.length > 1) {
        throw new BadRequestError(`Query parameter ${name.slice(0, 50)} is given more than once`, {
          issues: [{ in: 'query', path: name.slice(0, 50), message: 'repeated' }],
        });
      }
    }
  }
  return stringRecord(event.queryStringParameters);
}

function lowerCaseHeaders(event: ApiEvent): Record<string, string> {
  const headers: Record<string, string> = {};
  const multi = event.multiValueHeaders && typeof event.multiValueHeaders === 'object' ? event.multiValueHeaders : {};
  for (const [name, values] of Object.entries(multi)) {
    if (Array.isArray(values) && typeof values[0] === 'string') headers[name.toLowerCase()] = values[0];
  }
  for (const [name, value] of Object.entries(stringRecord(event.headers))) headers[name.toLowerCase()] = value;
  return headers;
}

function stringRecord(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

function respond(route: Route, result: unknown): ApiResult {
  const reply = result instanceof HttpReply ? result : new HttpReply(result);
  const status = reply.options.status ?? route.response.status;
  const html = 'contentType' in route.response && route.response.contentType === 'text/html';
  const headers: Record<string, string> = {
    ...BASE_HEADERS,
    ...(reply.body === undefined ? {} : { 'content-type': html ? 'text/html; charset=utf-8' : JSON_TYPE }),
    ...reply.options.headers,
  };
  const body = reply.body === undefined ? '' : html ? String(reply.body) : JSON.stringify(reply.body);
  return { statusCode: status, headers, body };
}

function errorResult(error: HttpError): ApiResult {
  const body = { error: { code: error.code, message: error.message, details: error.details ?? {} } };
  return {
    statusCode: error.status,
    headers: { ...BASE_HEADERS, 'content-type': JSON_TYPE, ...error.headers },
    body: JSON.stringify(body),
  };
}
