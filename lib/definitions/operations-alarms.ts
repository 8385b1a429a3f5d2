/**
 * Thresholds of the operations alarms (lib/constructs/operations-dashboard.ts) and why; the
 * README's runbook has an entry per alarm. DLQ, function-error and metric alarms are defined
 * with their resources (queue-with-dlq.ts, the stateless stack, metric-alarms.ts).
 */
export const OPERATIONS_ALARMS = {
  /**
   * API Gateway's 5XXError Average is the share of requests answered 5xx. 1% in 2 of 3
   * five-minute periods: one failed request among a handful pages only if it repeats.
   */
  api5xxRate: { threshold: 0.01, periodMinutes: 5, evaluationPeriods: 3, datapointsToAlarm: 2 },
  /**
   * p99 of API Gateway's Latency (the whole request, authorizer and function included), three
   * five-minute periods in a row: cold starts alone do not page, a slow dependency does.
   */
  apiP99LatencyMs: { threshold: 1500, periodMinutes: 5, evaluationPeriods: 3, datapointsToAlarm: 3 },
  /**
   * SES account reputation (AWS/SES Reputation.BounceRate, a fraction): AWS reviews an account at
   * 5% and may pause its sending at 10%, so this pages at 5%.
   */
  sesBounceRate: { threshold: 0.05, periodMinutes: 60 },
} as const;
