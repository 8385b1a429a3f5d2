import { METRICS } from '../../lambdas/shared/metric-names';
import type { FunctionName } from './functions';

/**
 * Alarms on the platform's own Powertools metrics (namespace FxPlatform, dimension `service` =
 * the function name): one alarm per function that emits the metric, Sum over 5 minutes > 0.
 */
export interface MetricAlarmDefinition {
  readonly metricName: string;
  readonly services: readonly FunctionName[];
  /** What happened, for the alarm description. */
  readonly description: string;
}

export const METRIC_ALARMS: readonly MetricAlarmDefinition[] = [
  {
    metricName: METRICS.rateSnapshotsRejected,
    services: ['fetch-rates', 'process-rates'],
    description: 'rejected a rate snapshot (future-dated or invalid); "latest" was not changed by it',
  },
];
