import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const METRICS_NAMESPACE = 'FxPlatform';

/** Rate snapshots refused (future-dated, malformed) by fetch-rates or process-rates; alarmed on this name. */
export const RATE_SNAPSHOTS_REJECTED = 'RateSnapshotsRejected';

export interface Observability {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tracer: Tracer;
}

/** One Powertools Logger, Metrics and Tracer per function, named after it. */
export function observability(serviceName: string): Observability {
  return {
    logger: new Logger({ serviceName }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName }),
    tracer: new Tracer({ serviceName }),
  };
}
