import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { validCorrelationId } from './correlation';
import type { Observability } from './observability';

export { correlationIdOfRecord, correlationIds } from './correlation';

/**
 * The one way a function is wrapped: a middy handler with the Powertools middlewares. Every
 * handler file ends in
 *
 *     const tools = observability('<function name>');
 *     export const handler = withPowertools(middy(run), tools, { correlationId: correlationIds.schedule });
 *
 * - `captureLambdaHandler` (when the function opts into tracing.ts): a `## index.handler`
 *   subsegment, cold start and service annotations, errors recorded; the response is not.
 * - `injectLambdaContext`: every log line carries the Lambda context and `correlation_id`;
 *   keys appended during an invocation are dropped after it.
 * - the correlation id: taken from the event by `correlationId`, a new UUID when it has none.
 * - `logMetrics`: the `ColdStart` metric on the first invocation, and every stored metric
 *   flushed after each invocation, also a failed one.
 */
export function withPowertools<E, R>(
  // middy(fn) types the context as fn declares it; the API pipeline's allows none (tests, scripts).
  middyHandler: MiddyfiedHandler<E, R, Error, Context> | MiddyfiedHandler<E, R, Error, Partial<Context> | undefined>,
  tools: Observability,
  options: { readonly correlationId?: (event: E) => string | undefined } = {},
): FxHandler<E, R> {
  const handler = middyHandler as MiddyfiedHandler<E, R, Error, Context>;
  if (tools.tracing) handler.use(tools.tracing.middleware);
  return handler
    .use(injectLambdaContext(tools.logger, { resetKeys: true }))
    .use({
      before: (request) => {
        invocation = request.context;
        tools.logger.setCorrelationId(validCorrelationId(options.correlationId?.(request.event)) ?? randomUUID());
      },
    })
    .use(logMetrics(tools.metrics, { captureColdStartMetric: true })) as FxHandler<E, R>;
}

/** The context of the invocation running now (an execution environment runs one at a time). */
let invocation: Partial<Context> | undefined;

/** The time the current invocation has left, when Lambda says (undefined outside one). */
export const remainingTimeOfInvocation = (): number | undefined => invocation?.getRemainingTimeInMillis?.();

/**
 * A middy handler. Lambda always passes a context; a script or a test may leave it out (middy
 * then uses an empty one).
 */
export type FxHandler<E, R> = MiddyfiedHandler<E, R, Error, Context> &
  ((event: E, context?: Partial<Context>) => Promise<R>);
