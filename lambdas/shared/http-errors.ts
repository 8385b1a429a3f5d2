import { DomainError, InvalidAmountError } from '../domain/errors';

/**
 * The API's HTTP vocabulary, with no zod, no contract schemas and no middy in it (api-docs and
 * the local gateway use it too): typed errors and their JSON shape, the proxy event and result.
 */

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
  constructor(bytes: number, maxBytes: number) {
    super(413, 'PAYLOAD_TOO_LARGE', `The body has ${bytes} bytes; at most ${maxBytes} are accepted`, { maxBytes });
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

// ---- events and results -----------------------------------------------------------------

/**
 * The part of an API Gateway REST proxy event (APIGatewayProxyEvent) the handlers read. The
 * local gateway builds the same shape. Everything is optional: a malformed event is a 4xx.
 */
export interface ApiEvent {
  readonly httpMethod?: string;
  /** The route template, e.g. `/v1/currencies/{code}`. */
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

/** A response with a status or headers other than the route's defaults. */
export class HttpReply {
  constructor(
    readonly body: unknown,
    readonly options: { readonly status?: number; readonly headers?: Readonly<Record<string, string>> } = {},
  ) {}
}

export const JSON_TYPE = 'application/json; charset=utf-8';
export const BASE_HEADERS: Readonly<Record<string, string>> = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function errorResult(error: HttpError): ApiResult {
  const body = { error: { code: error.code, message: error.message, details: error.details ?? {} } };
  return {
    statusCode: error.status,
    headers: { ...BASE_HEADERS, 'content-type': JSON_TYPE, ...error.headers },
    body: JSON.stringify(body),
  };
}
