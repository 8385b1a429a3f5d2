import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const METRICS_NAMESPACE = 'FxPlatform';

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Absent where X-Ray subsegments are not worth the Tracer's cold-start cost (README "Lean bundles"). */
  readonly tracer?: Tracer;
}

export interface ObservabilityOptions {
  /**
   * Powertools Tracer: a subsegment per handler call and per AWS SDK call, on top of the
   * invocation segment Lambda's active tracing records anyway. @default true
   */
  readonly tracer?: boolean;
}

/** One Powertools Logger, Metrics and (optionally) Tracer per function, named after it. */
export function observability(serviceName: string, options: ObservabilityOptions = {}): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
    ...(options.tracer === false ? {} : { tracer: new Tracer({ serviceName }) }),
  };
}

/** An SDK client instrumented by the Tracer when the function has one (X-Ray subsegment per call). */
export function traced<C>(tools: Observability, client: C): C {
  return tools.tracer ? tools.tracer.captureAWSv3Client(client) : client;
}
