import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { MiddlewareObj } from '@middy/core';

export const METRICS_NAMESPACE = 'FxPlatform';

/** X-Ray instrumentation a function opts into (tracing.ts): the handler and every SDK client. */
export interface Tracing {
  readonly middleware: MiddlewareObj;
  capture<C>(client: C): C;
}

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Absent unless the function opts in (README "Lean bundles": the Tracer's cost, measured). */
  readonly tracing?: Tracing;
}

/**
 * One Powertools Logger and Metrics per function, named after it, and the Powertools Tracer
 * when given one: `observability('rates-api', { tracing: powertoolsTracing('rates-api') })`.
 * Without it, Lambda's active tracing still records each invocation in X-Ray.
 */
export function observability(serviceName: string, options: { readonly tracing?: Tracing } = {}): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
    ...(options.tracing ? { tracing: options.tracing } : {}),
  };
}

/** An SDK client, instrumented when the function has tracing (an X-Ray subsegment per call). */
export function traced<C>(tools: Observability, client: C): C {
  return tools.tracing ? tools.tracing.capture(client) : client;
}
