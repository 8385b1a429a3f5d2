import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import middy, { type MiddlewareObj } from '@middy/core';
import httpRouter from '@middy/http-router';
import type { Context } from 'aws-lambda';
import { pathPattern } from './api-paths';
import {
  HttpError,
  MethodNotAllowedError,
  NotFoundError,
  errorResult,
  httpErrorOf,
  type ApiEvent,
  type ApiResult,
} from './http-errors';
import { METRICS, ROUTE_DIMENSION } from './metric-names';

/**
 * The middy pipeline every API function shares (api-docs too, so no zod or contract schemas
 * here): @middy/http-router dispatching on API Gateway's exact method and path, our JSON error
 * responses, per-route metrics.
 */

/** What the pipeline needs to know of a route: where it is, and its handler. */
export interface HttpRoute {
  readonly method: string;
  /** API Gateway path syntax: `/v1/currencies/{code}`. */
  readonly path: string;
  readonly handler: (event: ApiEvent) => Promise<ApiResult>;
}

export interface HttpPipelineOptions {
  /** Every route of the API (not only this function's): a known path with another method is a 405. */
  readonly allRoutes: readonly { readonly method: string; readonly path: string }[];
  /** Logs a bug before it is answered with a 500. */
  readonly logger?: ErrorLogger;
  /** Emits per-route request metrics when given. */
  readonly metrics?: Metrics;
}

export interface ErrorLogger {
  error(message: string, attributes: Record<string, unknown>): void;
}

export type ApiHandler = (event: ApiEvent, context?: Partial<Context>) => Promise<ApiResult>;

/**
 * The API's handler for `routes`: @middy/http-router finds the route by API Gateway's exact
 * method and path; a request no route of this function takes is a JSON 405 (the path exists
 * with other methods) or 404; every failure becomes the `{ "error": … }` JSON.
 */
export function httpPipeline(routes: readonly HttpRoute[], options: HttpPipelineOptions): ApiHandler {
  const known = options.allRoutes.map((route) => ({ ...route, pattern: pathPattern(route.path) }));
  const miss = (method: string, path: string): HttpError => {
    const matching = known.filter((r) => r.pattern.test(path));
    const method20 = method.slice(0, 20);
    if (matching.some((r) => r.method === method)) return new NotFoundError(`No route ${method20} ${matching[0].path} here`);
    if (matching.length > 0) return new MethodNotAllowedError(method20, matching[0].path, [...new Set(matching.map((r) => r.method))]);
    return new NotFoundError(`No route ${method20} ${path.slice(0, 200)}`);
  };
  const router = httpRouter({
    routes: routes.map((route) => ({ method: route.method as 'GET', path: route.path, handler: route.handler as never })),
    notFoundResponse: ({ method, path }) => {
      throw miss(String(method), String(path));
    },
  });
  const handler = middy<ApiEvent, ApiResult>(router as never)
    .use({
      // The router needs a method and a path; anything else is answered here as the gateway would.
      before: (request) => {
        const event = request.event && typeof request.event === 'object' ? request.event : {};
        const { httpMethod, path } = event as ApiEvent;
        if (typeof httpMethod !== 'string' || httpMethod === '' || typeof path !== 'string' || path === '') {
          throw miss(String(httpMethod ?? ''), typeof path === 'string' ? path : '');
        }
      },
    });
  if (options.metrics) handler.use(requestMetrics(options.metrics, known));
  return handler.use(errorResponses(options.logger)) as ApiHandler;
}

/**
 * Turns every failure into the API's JSON error: a typed error into its status, anything else
 * (a bug) into a 500 that reveals nothing but the request id, logged. It sets the response
 * rather than returning it, so the other middlewares' error hooks (metrics flush) still run.
 */
function errorResponses(logger?: ErrorLogger): MiddlewareObj<ApiEvent, ApiResult> {
  return {
    onError: (request) => {
      const known = httpErrorOf(request.error);
      if (known) {
        request.response = errorResult(known);
        return;
      }
      const event = request.event as ApiEvent | undefined;
      const failure = request.error instanceof OperationFailure ? request.error : undefined;
      logger?.error('request failed', { operationId: failure?.operationId, error: failure?.error ?? request.error });
      const requestId = event?.requestContext?.requestId;
      request.response = errorResult(new HttpError(500, 'INTERNAL_ERROR', 'Internal error', requestId ? { requestId } : undefined));
    },
  };
}

/** A bug in an operation, with the operation's id for the log line (see errorResponses). */
export class OperationFailure extends Error {
  constructor(
    readonly operationId: string,
    readonly error: unknown,
  ) {
    super(`operation ${operationId} failed`);
    this.name = 'OperationFailure';
  }
}

/**
 * Per-route request metrics (dimension `route`: `GET /v1/convert`, or `UNMATCHED`): `Requests`,
 * `Latency` (ms), `ClientErrors` (4xx) and `ServerErrors` (5xx), one data point each per request.
 */
function requestMetrics(
  metrics: Metrics,
  routes: readonly { readonly method: string; readonly path: string; readonly pattern: RegExp }[],
): MiddlewareObj<ApiEvent, ApiResult> {
  const started = new WeakMap<object, number>();
  const record = (request: { event: ApiEvent; response: ApiResult | null | undefined }) => {
    const event = request.event && typeof request.event === 'object' ? request.event : {};
    const route = routes.find(
      (r) => r.method === event.httpMethod && (r.path === event.resource || r.pattern.test(String(event.path ?? ''))),
    );
    const status = request.response?.statusCode ?? 500;
    metrics.addDimension(ROUTE_DIMENSION, route ? `${route.method} ${route.path}` : 'UNMATCHED');
    metrics.addMetric(METRICS.requests, MetricUnit.Count, 1);
    metrics.addMetric(METRICS.latency, MetricUnit.Milliseconds, performance.now() - (started.get(request) ?? performance.now()));
    metrics.addMetric(METRICS.clientErrors, MetricUnit.Count, status >= 400 && status < 500 ? 1 : 0);
    metrics.addMetric(METRICS.serverErrors, MetricUnit.Count, status >= 500 ? 1 : 0);
  };
  return {
    before: (request) => void started.set(request, performance.now()),
    after: record,
    onError: record,
  };
}
