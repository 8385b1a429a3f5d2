import type { z } from 'zod';
import type { FunctionDefinition } from './functions';
import { API_TABLE_PARTITIONS } from '../../lambdas/shared/api-table-keys';
import { ROUTES, type ApiFunctionName, type RouteDefinition } from '../../lambdas/shared/api-contract';
import { ENV } from '../../lambdas/shared/env-names';

/**
 * What API Gateway and the local gateway share beyond the routes of api-contract.ts: the
 * function that seeds the currencies, the gateway's own error responses and its limits. The CDK
 * construct (PartnerApi) and the local platform both build from here.
 */

/**
 * Writes the supported currencies into the API table: after every deploy whose handler changed
 * (a CDK Trigger) and at every start of the local platform. It must be idempotent.
 */
export const SEED_CURRENCIES = {
  name: 'seed-currencies',
  definition: {
    id: 'SeedCurrencies',
    entry: 'lambdas/handlers/seed-currencies.ts',
    description: 'Seeds the supported currencies into the API table (runs on deploy)',
    timeoutSeconds: 60,
    memorySize: 256,
    tables: { api: { access: 'readwrite', partitions: [API_TABLE_PARTITIONS.currencies] } },
  },
} as const satisfies { name: string; definition: FunctionDefinition };

/** API Gateway REST's payload limit: a larger request gets 413 before anything else runs. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * A response API Gateway itself sends (the request never reached a function), in the
 * `{ "error": { "code", "message", "details" } }` shape every API error has.
 */
export interface GatewayErrorDefinition {
  /** API Gateway gateway-response type. */
  readonly type: string;
  /** HTTP status; undefined keeps API Gateway's (DEFAULT_4XX/5XX). */
  readonly status?: number;
  /** Machine-readable code; undefined = API Gateway's response type. */
  readonly code?: string;
  /** Fixed message; undefined = API Gateway's own message (`$context.error.message`). */
  readonly message?: string;
  /** The message API Gateway gives, which the local gateway repeats. */
  readonly localMessage: string;
}

export const GATEWAY_ERRORS = {
  badRequestParameters: {
    type: 'BAD_REQUEST_PARAMETERS',
    status: 400,
    code: 'VALIDATION_ERROR',
    localMessage: 'Missing required request parameters',
  },
  badRequestBody: {
    type: 'BAD_REQUEST_BODY',
    status: 400,
    code: 'VALIDATION_ERROR',
    localMessage: 'Invalid request body',
  },
  unauthorized: {
    type: 'UNAUTHORIZED',
    status: 401,
    code: 'UNAUTHORIZED',
    localMessage: 'Unauthorized',
  },
  accessDenied: {
    type: 'ACCESS_DENIED',
    status: 403,
    code: 'FORBIDDEN',
    localMessage: 'Forbidden',
  },
  invalidApiKey: {
    type: 'INVALID_API_KEY',
    status: 403,
    code: 'INVALID_API_KEY',
    localMessage: 'Forbidden',
  },
  wafFiltered: {
    type: 'WAF_FILTERED',
    status: 403,
    code: 'REQUEST_BLOCKED',
    localMessage: 'Forbidden',
  },
  // API Gateway answers an unknown route with 403 "Missing Authentication Token"; a JSON 404 is clearer.
  missingAuthenticationToken: {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    status: 404,
    code: 'NOT_FOUND',
    message: 'No such route',
    localMessage: 'No such route',
  },
  resourceNotFound: {
    type: 'RESOURCE_NOT_FOUND',
    status: 404,
    code: 'NOT_FOUND',
    localMessage: 'Not Found',
  },
  requestTooLarge: {
    type: 'REQUEST_TOO_LARGE',
    status: 413,
    code: 'PAYLOAD_TOO_LARGE',
    localMessage: 'Request Too Long',
  },
  unsupportedMediaType: {
    type: 'UNSUPPORTED_MEDIA_TYPE',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
    localMessage: 'Unsupported Media Type',
  },
  throttled: {
    type: 'THROTTLED',
    status: 429,
    code: 'THROTTLED',
    localMessage: 'Too Many Requests',
  },
  quotaExceeded: {
    type: 'QUOTA_EXCEEDED',
    status: 429,
    code: 'QUOTA_EXCEEDED',
    localMessage: 'Limit Exceeded',
  },
  integrationFailure: {
    type: 'INTEGRATION_FAILURE',
    status: 502,
    code: 'INTEGRATION_FAILURE',
    localMessage: 'Internal server error',
  },
  integrationTimeout: {
    type: 'INTEGRATION_TIMEOUT',
    status: 504,
    code: 'INTEGRATION_TIMEOUT',
    localMessage: 'Endpoint request timed out',
  },
  default4xx: { type: 'DEFAULT_4XX', localMessage: 'Bad Request' },
  default5xx: { type: 'DEFAULT_5XX', localMessage: 'Internal server error' },
} as const satisfies Record<string, GatewayErrorDefinition>;

export type GatewayErrorKey = keyof typeof GATEWAY_ERRORS;

/** Only the local gateway answers this (API Gateway gives 403/404 for a known path with another method). */
export const METHOD_NOT_ALLOWED = {
  status: 405,
  code: 'METHOD_NOT_ALLOWED',
  message: 'Method Not Allowed',
} as const;

/** What API Gateway's request validator checks before the function runs: presence only. */
export interface RequiredParameters {
  readonly path: readonly string[];
  readonly query: readonly string[];
  readonly headers: readonly string[];
}

/** A parameter is required unless its zod schema is `.optional()`. */
export function requiredParameters(route: RouteDefinition): RequiredParameters {
  const required = (shape: z.ZodObject | undefined) =>
    Object.entries(shape?.shape ?? {})
      .filter(([, schema]) => !(schema as z.ZodType).safeParse(undefined).success)
      .map(([name]) => name);
  return {
    path: required(route.pathParams),
    query: required(route.query),
    headers: [...(route.requiredHeaders ?? [])],
  };
}

/** `request.querystring.base`-style keys of every parameter a route declares, with whether it is required. */
export function methodRequestParameters(route: RouteDefinition): Record<string, boolean> {
  const req = requiredParameters(route);
  const entries: [string, boolean][] = [
    ...Object.keys(route.pathParams?.shape ?? {}).map((n): [string, boolean] => [
      `method.request.path.${n}`,
      true,
    ]),
    ...Object.keys(route.query?.shape ?? {}).map((n): [string, boolean] => [
      `method.request.querystring.${n}`,
      req.query.includes(n),
    ]),
    ...req.headers.map((n): [string, boolean] => [`method.request.header.${n}`, true]),
  ];
  return Object.fromEntries(entries);
}

/** Public routes (no scopes) need neither a token nor an API key. */
export const isPublicRoute = (route: RouteDefinition): boolean => route.scopes.length === 0;

/**
 * The functions behind a protected route: they get PARTNER_API_KEYS_JSON (which API key belongs
 * to which app client), in AWS and locally.
 */
export const PARTNER_FACING_FUNCTIONS: readonly ApiFunctionName[] = [
  ...new Set(ROUTES.filter((route) => !isPublicRoute(route)).map((route) => route.function)),
];

/**
 * Where the api-docs function tells partners the API and its token endpoint are (the OpenAPI
 * `servers` and the client-credentials `tokenUrl`): the stage URL and the Cognito domain's token
 * endpoint deployed, the local gateway and token service locally.
 */
export const apiDocsEnv = (urls: { readonly apiBaseUrl: string; readonly tokenUrl: string }): Record<string, string> => ({
  [ENV.apiBaseUrl]: urls.apiBaseUrl,
  [ENV.apiTokenUrl]: urls.tokenUrl,
});
