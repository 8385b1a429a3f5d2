import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { Tracing } from './observability';

/**
 * The Powertools Tracer for a function that opts in: a `## index.handler` subsegment with cold
 * start and service annotations (the response is not recorded: it is partner data), and a
 * subsegment per AWS SDK call. Its own module, so a function without it bundles none of it.
 */
export function powertoolsTracing(serviceName: string): Tracing {
  const tracer = new Tracer({ serviceName });
  return {
    middleware: captureLambdaHandler(tracer, { captureResponse: false }),
    capture: (client) => tracer.captureAWSv3Client(client),
  };
}
