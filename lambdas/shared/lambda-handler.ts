import { randomUUID } from 'node:crypto';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { Context } from 'aws-lambda';
import { validCorrelationId } from './correlation';
import type { Observability } from './observability';

export { correlationIdOfRecord, correlationIds } from './correlation';

/**
 * The one way a function is wrapped: a middy handler with the Powertools middlewares. Every
 * handler file ends in
 *
 *     const tools = observability('<function name>');
 *     export const handler = lambdaHandler(tools, async (event, context) => …, { correlationId: correlationIds.schedule });
 *
 * - `captureLambdaHandler` (when the function opts into tracing.ts): a `## index.handler`
 *   subsegment, cold start and service annotations, errors recorded; the response is not.
 * - `injectLambdaContext`: every log line carries the Lambda context and `correlation_id`;
 *   keys appended during an invocation are dropped after it.
 * - the correlation id: taken from the event by `correlationId`, a new UUID when it has none.
 * - `logMetrics`: the `ColdStart` metric on the first invocation, and every stored metric
 *   flushed after each invocation, also a failed one.
 */
export function lambdaHandler<E, R>(
  tools: Observability,
  handler: (event: E, context: Context) => Promise<R>,
  options: { readonly correlationId?: (event: E) => string | undefined } = {},
): FxHandler<E, R> {
  const wrapped = middy<E, R, Error, Context>(handler);
  if (tools.tracing) wrapped.use(tools.tracing.middleware);
  return wrapped
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
