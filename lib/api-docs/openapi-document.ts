import * as z from 'zod';
import { createDocument, type ZodOpenApiObject, type ZodOpenApiOperationObject } from 'zod-openapi';
import {
  IDEMPOTENCY_REPLAYED_HEADER,
  MAX_BODY_BYTES,
  ROUTES,
  SCOPE_DESCRIPTIONS,
  Schemas,
  fullScope,
  type RouteDefinition,
  type Scope,
} from '../../lambdas/shared/api-contract';

/**
 * The OpenAPI 3.1 document of the contract (lambdas/shared/api-contract.ts), generated with
 * zod-openapi at synth time (and by the local platform at start): the api-docs function serves the
 * file and only fills in where this stage is (`servers`, the token URL), so no zod and no
 * generator run in Lambda.
 */

export const OAUTH_SCHEME = 'partnerOAuth';
export const API_KEY_SCHEME = 'apiKey';
/** What `servers` and the token URL say until the api-docs function fills in its stage's. */
export const PLACEHOLDER_SERVER = 'https://api.example.invalid';
export const PLACEHOLDER_TOKEN_URL = 'https://auth.example.invalid/oauth2/token';

export type OpenApiDocument = ReturnType<typeof createDocument>;

/** The errors an operation can answer, each documented once with an example body. */
const ERRORS = {
  BadRequest: {
    status: 400,
    description: 'Parameters, headers or body do not match the schema (VALIDATION_ERROR, INVALID_JSON, INVALID_AMOUNT, INVALID_CURSOR)',
    example: {
      code: 'VALIDATION_ERROR',
      message: 'Invalid query amount: a positive decimal string such as "125.50"',
      details: { issues: [{ in: 'query', path: 'amount', message: 'a positive decimal string such as "125.50"' }] },
    },
  },
  Unauthorized: {
    status: 401,
    description: 'No valid access token',
    example: { code: 'UNAUTHORIZED', message: 'Unauthorized', details: { requestId: 'c0ffee00-0000-4000-8000-000000000001' } },
  },
  Forbidden: {
    status: 403,
    description: 'A missing or unknown API key (INVALID_API_KEY), another partner’s API key (API_KEY_MISMATCH), or a token without the operation’s scope (FORBIDDEN)',
    example: { code: 'API_KEY_MISMATCH', message: 'The API key does not belong to the app client of the access token', details: {} },
  },
  NotFound: {
    status: 404,
    description: 'No such route, or no such resource for this partner',
    example: { code: 'NOT_FOUND', message: 'No conversion 01J2Z8Q5N3V7W9X1Y3Z5A7B9C1', details: { id: '01J2Z8Q5N3V7W9X1Y3Z5A7B9C1' } },
  },
  MethodNotAllowed: {
    status: 405,
    description: 'The path exists but not with this method (the Allow header lists the methods)',
    example: { code: 'METHOD_NOT_ALLOWED', message: 'PATCH is not allowed on /v1/currencies/{code}', details: { allowed: ['PUT', 'DELETE'] } },
  },
  Conflict: {
    status: 409,
    description: 'The Idempotency-Key was used with a different request (IDEMPOTENCY_CONFLICT) or is in use right now (IDEMPOTENCY_IN_PROGRESS)',
    example: {
      code: 'IDEMPOTENCY_CONFLICT',
      message: 'This Idempotency-Key was used with a different request; use a new key for a new conversion',
      details: { idempotencyKey: 'order-1001', conversionId: '01J2Z8Q5N3V7W9X1Y3Z5A7B9C1' },
    },
  },
  PayloadTooLarge: {
    status: 413,
    description: `The body is larger than ${MAX_BODY_BYTES} bytes`,
    example: { code: 'PAYLOAD_TOO_LARGE', message: `The body has 9000 bytes; at most ${MAX_BODY_BYTES} are accepted`, details: { maxBytes: MAX_BODY_BYTES } },
  },
  UnsupportedMediaType: {
    status: 415,
    description: 'The body is not sent as Content-Type: application/json',
    example: { code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The body must be JSON: Content-Type: application/json', details: { contentType: 'text/plain' } },
  },
  Unprocessable: {
    status: 422,
    description: 'Well-formed but not servable: unsupported or disabled currency (UNSUPPORTED_CURRENCY), no rate (RATE_NOT_FOUND), result over 38 digits (AMOUNT_OUT_OF_RANGE)',
    example: {
      code: 'UNSUPPORTED_CURRENCY',
      message: 'Currency XYZ is not supported; GET /v1/currencies lists the supported ones',
      details: { currency: 'XYZ' },
    },
  },
  TooManyRequests: {
    status: 429,
    description: 'Throttled: the API key’s usage plan (THROTTLED, QUOTA_EXCEEDED) or the per-address WAF rule',
    example: { code: 'THROTTLED', message: 'Too Many Requests', details: { requestId: 'c0ffee00-0000-4000-8000-000000000002' } },
  },
  InternalError: {
    status: 500,
    description: 'Unexpected failure; details carry the request id',
    example: { code: 'INTERNAL_ERROR', message: 'Internal error', details: { requestId: 'c0ffee00-0000-4000-8000-000000000003' } },
  },
} as const;

type ErrorName = keyof typeof ERRORS;

const DESCRIPTION = [
  'Exchange rates, quotes and conversions for partners. Amounts and rates are decimal strings, never JSON numbers.',
  'Every operation but the documentation needs **both** an OAuth2 access token (client-credentials grant; `Authorization: Bearer …`) **and** your API key (`x-api-key`): use **Authorize** for both, then **Try it out**.',
  'Rates are the providers’ published numbers; a cross rate is computed from them exactly (60 significant digits, shown to 38 decimal places), its as-of time is that of its older leg and its provider lists every leg’s provider.',
  'Converted amounts are rounded once, half-even, to the target currency’s minor units.',
  'Every error is `{ "error": { "code", "message", "details" } }`. Unknown query parameters are rejected (400).',
  `POST /v1/conversions needs an Idempotency-Key: repeating the same request with it within 24 hours returns the first result again (201, same body, header ${IDEMPOTENCY_REPLAYED_HEADER}: true); another request with the same key is a 409.`,
].join('\n\n');

/** The scopes some route needs: a scope no operation uses is not advertised. */
const usedScopes = (): Scope[] => [...new Set(ROUTES.flatMap((r): readonly Scope[] => r.scopes))];

/** The OpenAPI 3.1 document of every route of the contract, with placeholders for where it is served. */
export function openApiDocument(): OpenApiDocument {
  const paths: NonNullable<ZodOpenApiObject['paths']> = {};
  for (const route of ROUTES as readonly RouteDefinition[]) {
    (paths[route.path] ??= {})[route.method.toLowerCase() as 'get'] = operationOf(route);
  }
  const errorBody = (name: ErrorName) => ({
    description: ERRORS[name].description,
    content: { 'application/json': { schema: Schemas.Error, example: { error: ERRORS[name].example } } },
  });
  return createDocument({
    openapi: '3.1.0',
    info: { title: 'FX Platform partner API', version: '1', description: DESCRIPTION },
    servers: [{ url: PLACEHOLDER_SERVER, description: 'This stage' }],
    paths,
    components: {
      responses: Object.fromEntries((Object.keys(ERRORS) as ErrorName[]).map((name) => [name, errorBody(name)])),
      securitySchemes: {
        [OAUTH_SCHEME]: {
          type: 'oauth2',
          description: 'Access tokens from the client-credentials grant of your app client (client id and secret, HTTP Basic).',
          flows: {
            clientCredentials: {
              tokenUrl: PLACEHOLDER_TOKEN_URL,
              scopes: Object.fromEntries(usedScopes().map((scope) => [fullScope(scope), SCOPE_DESCRIPTIONS[scope]])),
            },
          },
        },
        [API_KEY_SCHEME]: {
          type: 'apiKey',
          in: 'header',
          name: 'x-api-key',
          description: 'The API key issued with your app client; it must be sent with the token of that same app client.',
        },
      },
    },
  });
}

function operationOf(route: RouteDefinition): ZodOpenApiOperationObject {
  const example = route.example ?? {};
  const withExamples = (schema: z.ZodObject | undefined, values: Readonly<Record<string, string>> | undefined) =>
    schema && values
      ? z.object(Object.fromEntries(Object.entries(schema.shape).map(([name, field]) => [name, name in values ? (field as z.ZodType).meta({ param: { example: values[name] } }) : field])))
      : schema;
  const headers = route.requiredHeaders?.length
    ? z.object(
        Object.fromEntries(
          route.requiredHeaders.map((name) => [
            name,
            z.string().regex(/^[\x21-\x7e]{1,255}$/).meta({
              description: 'Your key for this request: repeat it to retry safely (1 to 255 visible ASCII characters; it lives 24 hours)',
              ...(example.headers?.[name] ? { param: { example: example.headers[name] } } : {}),
            }),
          ]),
        ),
      )
    : undefined;
  const secured = route.scopes.length > 0;
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.function],
    // Both at once: the token (one of the route's scopes) and the API key.
    security: secured ? route.scopes.map((scope) => ({ [OAUTH_SCHEME]: [fullScope(scope)], [API_KEY_SCHEME]: [] })) : [],
    requestParams: Object.fromEntries(
      Object.entries({
        path: withExamples(route.pathParams, example.path),
        query: withExamples(route.query, example.query),
        header: headers,
      }).filter(([, schema]) => schema !== undefined),
    ),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: route.body, ...(example.body !== undefined ? { example: example.body } : {}) } },
          },
        }
      : {}),
    responses: {
      [String(route.response.status)]: successResponse(route),
      ...Object.fromEntries(errorsOf(route).map((name) => [String(ERRORS[name].status), { $ref: `#/components/responses/${name}` }])),
    },
  };
}

function successResponse(route: RouteDefinition) {
  const { status, schema, contentType } = route.response;
  if (status === 204) return { description: 'Done; no body' };
  if (status === 302) return { description: 'Redirects to the documentation page', headers: z.object({ Location: z.string().meta({ description: 'The docs page' }) }) };
  const idempotent = route.requiredHeaders?.includes('Idempotency-Key');
  return {
    description: idempotent ? 'Created, or the same result again for a repeated Idempotency-Key and request' : route.summary,
    content: { [contentType ?? 'application/json']: { schema: schema ?? z.string() } },
    ...(idempotent
      ? { headers: z.object({ [IDEMPOTENCY_REPLAYED_HEADER]: z.enum(['true', 'false']).meta({ description: '"true" when this repeats an earlier result' }) }) }
      : {}),
  };
}

function errorsOf(route: RouteDefinition): ErrorName[] {
  const secured = route.scopes.length > 0;
  const hasInput = Boolean(route.pathParams || route.query || route.body || route.requiredHeaders?.length);
  const quotesRates = route.function === 'rates-api' || route.operationId === 'createConversion';
  const names: (ErrorName | false)[] = [
    (hasInput || !secured) && 'BadRequest',
    secured && 'Unauthorized',
    secured && 'Forbidden',
    'NotFound',
    'MethodNotAllowed',
    Boolean(route.requiredHeaders?.includes('Idempotency-Key')) && 'Conflict',
    Boolean(route.body) && 'PayloadTooLarge',
    Boolean(route.body) && 'UnsupportedMediaType',
    quotesRates && 'Unprocessable',
    'TooManyRequests',
    'InternalError',
  ];
  return names.filter((n): n is ErrorName => n !== false);
}
