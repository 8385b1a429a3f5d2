import type * as z from 'zod';
import { MAX_BODY_BYTES, ROUTES, fullScope, pathPattern, type OperationId, type RouteDefinition } from './api-contract';
import { DuplicateKeyError, parseJsonStrict } from './exact-json';
import { ULID_PATTERN } from '../domain/ulid';
import { assertApiKeyOwnedBy, type ApiKeyOwners } from './api-key-owners';
import {
  BadRequestError,
  ForbiddenError,
  HttpReply,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  BASE_HEADERS,
  JSON_TYPE,
  httpErrorOf,
  type ApiEvent,
  type ApiResult,
} from './http-errors';
import { OperationFailure, httpPipeline, type ApiHandler, type HttpPipelineOptions } from './http-pipeline';

export { apiKeyOwnersOf, assertApiKeyOwnedBy, parseApiKeyOwners, type ApiKeyOwners } from './api-key-owners';
export type { ApiHandler } from './http-pipeline';
// The HTTP vocabulary the use cases speak, defined once in http-errors.ts.
export {
  ApiKeyMismatchError,
  BadRequestError,
  ConflictError,
  ForbiddenError,
  HttpError,
  HttpReply,
  MethodNotAllowedError,
  NotFoundError,
  UnprocessableError,
  httpErrorOf,
  type ApiEvent,
  type ApiResult,
} from './http-errors';

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

/** The id a page cursor of ULID-keyed items (`encodeCursor({ after: id })`) points after; undefined for none. */
export function afterIdOf(cursor: string | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  const { after } = decodeCursor(cursor);
  if (typeof after !== 'string' || !ULID_PATTERN.test(after)) throw invalidCursor();
  return after;
}

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

export interface HttpOptions {
  /** Logs a bug before it is answered with a 500. */
  readonly logger?: HttpPipelineOptions['logger'];
  /** Per-route request metrics (README, "Operations"). */
  readonly metrics?: HttpPipelineOptions['metrics'];
  /**
   * Which API key each partner must call with. The deployed handlers always pass it (a required
   * variable, PARTNER_API_KEYS_JSON); in-process callers such as tests may leave it out.
   */
  readonly apiKeys?: ApiKeyOwners;
}

// ---- the router -------------------------------------------------------------------------

// Query parameters are checked strictly: a misspelt `symbol=` is an error, not a silent default.
const STRICT_QUERIES = new Map<string, z.ZodObject>(
  ROUTES.flatMap((r): [string, z.ZodObject][] => ('query' in r ? [[r.operationId, r.query.strict()]] : [])),
);

/**
 * The one Lambda entry point of an API function (a middy handler, see httpPipeline): the
 * contract's routes that `operations` serves, each checking the token's claims and scopes and
 * the API key's owner, parsing and validating parameters, headers and body with the route's
 * schemas, and running its operation with `deps`. Every failure becomes a JSON error.
 */
export function withHttp<D>(operations: Operations<D>, deps: D, options: HttpOptions = {}): ApiHandler {
  const served = ROUTES.filter((route) => operations[route.operationId] !== undefined);
  return httpPipeline(
    served.map((route) => ({
      method: route.method,
      path: route.path,
      handler: async (event) => {
        const operation = operations[route.operationId] as (request: HttpRequest<OperationId>, deps: D) => Promise<unknown>;
        const request = parseRequest(route, event, options.apiKeys);
        try {
          return respond(route, await operation(request, deps));
        } catch (error) {
          throw httpErrorOf(error) ? error : new OperationFailure(route.operationId, error);
        }
      },
    })),
    { allRoutes: ROUTES, logger: options.logger, metrics: options.metrics },
  );
}

/**
 * Path parameters as the route declares them: API Gateway's (decoded) when the event names the
 * route as its resource, else the router's match of the raw path, percent-decoded here.
 */
function pathParamsOf(route: Route, event: ApiEvent): Record<string, string> {
  if (event.resource === route.path) return stringRecord(event.pathParameters);
  const match = pathPattern(route.path).exec(String(event.path ?? ''));
  return Object.fromEntries(Object.entries(match?.groups ?? {}).map(([name, value]) => [name, decodePathSegment(value)]));
}

function decodePathSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new BadRequestError('The path is not valid percent-encoding');
  }
}

function parseRequest(route: Route, event: ApiEvent, apiKeys: ApiKeyOwners | undefined): HttpRequest<OperationId> {
  const headers = lowerCaseHeaders(event);
  const caller = route.scopes.length > 0 ? authorize(route, event) : undefined;
  if (caller && apiKeys) assertApiKeyOwnedBy(caller.clientId, event.requestContext?.identity?.apiKeyId, apiKeys);
  const body = 'body' in route ? readJsonBody(event, headers) : undefined;
  const params = 'pathParams' in route ? validate(route.pathParams, pathParamsOf(route, event), 'path') : {};
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
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLargeError(bytes.length, MAX_BODY_BYTES);
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
