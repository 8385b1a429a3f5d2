import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import { STALE_AFTER, type RateSourceConfig } from '../config/stage-config';
import { METRIC_ALARMS } from '../definitions/metric-alarms';
import { OPERATIONS_ALARMS } from '../definitions/operations-alarms';
import { FUNCTIONS, type FunctionName } from '../definitions/functions';
import type { QueueKey } from '../definitions/resources';
import { ROUTES } from '../../lambdas/shared/api-contract';
import { staleWhen, stalenessWindowOf, type RatePolicy } from '../../lambdas/domain/rate-policy';
import { PROVIDER_PROFILES } from '../../lambdas/domain/rate-publication';
import { METRICS, ROUTE_DIMENSION, SERVICE_DIMENSION } from '../../lambdas/shared/metric-names';
import { METRICS_NAMESPACE } from '../../lambdas/shared/observability';
import type { FxFunction } from './fx-function';
import { DeadLetterQueue, type QueueWithDlq } from './queue-with-dlq';

/** What the warehouse load step (the analytics stack) reports, for its row of the dashboard. */
export interface WarehouseLoadMetrics {
  readonly succeeded: cloudwatch.IMetric;
  readonly failed: cloudwatch.IMetric;
  /** Its failure alarm, shown with the others. */
  readonly failureAlarm?: cloudwatch.IAlarm;
}

export interface OperationsDashboardProps {
  /** The dashboard is `fx-<stage>-operations`. */
  readonly stage: string;
  /** One ingestion and freshness line, and one stale-rate alarm, per source. */
  readonly rateSources: readonly RateSourceConfig[];
  /** The stage's source policy: each source's stale-rate alarm fires when the policy's window for it ends. */
  readonly ratePolicy: RatePolicy;
  readonly queues: Readonly<Record<QueueKey, QueueWithDlq>>;
  readonly functions: Readonly<Record<FunctionName, FxFunction>>;
  readonly api: apigateway.RestApi;
  /** Where the alarms it creates notify (the operations topic). */
  readonly alarmAction: cloudwatch.IAlarmAction;
  /**
   * The warehouse load step's metrics (the analytics stack adds the step and its alarm).
   * @default the dashboard says the stage has no warehouse load yet
   */
  readonly warehouseLoads?: WarehouseLoadMetrics;
}

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The stage's health at a glance, and the alarms the DLQ and error alarms do not cover: stale
 * rates per provider, API 5xx and p99 latency, SES bounce rate. Create it last in its stack: the
 * alarm overview and the DLQ graph list every alarm and DLQ the stack holds at that point.
 */
export class OperationsDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  /** The stale-rate alarm of each rate source, by provider. */
  readonly staleRateAlarms: Readonly<Record<string, cloudwatch.Alarm>>;
  readonly api5xxAlarm: cloudwatch.Alarm;
  readonly apiLatencyAlarm: cloudwatch.Alarm;
  readonly sesBounceRateAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: OperationsDashboardProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const stage = props.api.deploymentStage;
    const providers = [...new Set(props.rateSources.map((s) => s.provider))];
    const fetchRates = (metricName: string, provider: string, statistic: string) =>
      new cloudwatch.Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { [SERVICE_DIMENSION]: 'fetch-rates', provider },
        statistic,
        period: FIVE_MINUTES,
        label: provider,
      });

    this.staleRateAlarms = Object.fromEntries(
      props.rateSources.map((source) => [source.provider, this.staleRateAlarm(source, props.ratePolicy, props.alarmAction)]),
    );
    const { api5xxRate, apiP99LatencyMs, sesBounceRate } = OPERATIONS_ALARMS;
    this.api5xxAlarm = this.notify(
      new cloudwatch.Alarm(this, 'Api5xxRate', {
        alarmDescription: `Partner API (${props.stage}): more than ${api5xxRate.threshold * 100}% of requests answered 5xx. Runbook: README, "Api5xxRate".`,
        metric: stage.metricServerError({ statistic: 'Average', period: Duration.minutes(api5xxRate.periodMinutes) }),
        threshold: api5xxRate.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: api5xxRate.evaluationPeriods,
        datapointsToAlarm: api5xxRate.datapointsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      props.alarmAction,
    );
    this.apiLatencyAlarm = this.notify(
      new cloudwatch.Alarm(this, 'ApiP99Latency', {
        alarmDescription: `Partner API (${props.stage}): p99 latency above ${apiP99LatencyMs.threshold} ms. Runbook: README, "ApiP99Latency".`,
        metric: stage.metricLatency({ statistic: 'p99', period: Duration.minutes(apiP99LatencyMs.periodMinutes) }),
        threshold: apiP99LatencyMs.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: apiP99LatencyMs.evaluationPeriods,
        datapointsToAlarm: apiP99LatencyMs.datapointsToAlarm,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      props.alarmAction,
    );
    const ses = (metricName: string, statistic = 'Sum', period = FIVE_MINUTES) =>
      new cloudwatch.Metric({ namespace: 'AWS/SES', metricName, statistic, period });
    this.sesBounceRateAlarm = this.notify(
      new cloudwatch.Alarm(this, 'SesBounceRate', {
        alarmDescription: `SES account bounce rate above ${sesBounceRate.threshold * 100}% (AWS reviews the account at 5%, may pause sending at 10%). Runbook: README, "SesBounceRate".`,
        metric: ses('Reputation.BounceRate', 'Maximum', Duration.minutes(sesBounceRate.periodMinutes)),
        threshold: sesBounceRate.threshold,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
      props.alarmAction,
    );

    const everything = stack.node.findAll();
    const alarms = [
      ...everything.filter((c): c is cloudwatch.Alarm => c instanceof cloudwatch.Alarm),
      ...(props.warehouseLoads?.failureAlarm ? [props.warehouseLoads.failureAlarm] : []),
    ];
    const deadLetterQueues = everything.filter((c): c is DeadLetterQueue => c instanceof DeadLetterQueue);
    const functions = Object.entries(props.functions) as [FunctionName, FxFunction][];
    // What the API functions publish per route (lambdas/shared/http-pipeline.ts).
    const perRoute = (metricName: string, statistic = 'Sum') =>
      ROUTES.map(
        (route) =>
          new cloudwatch.Metric({
            namespace: METRICS_NAMESPACE,
            metricName,
            dimensionsMap: { [SERVICE_DIMENSION]: route.function, [ROUTE_DIMENSION]: `${route.method} ${route.path}` },
            statistic,
            period: FIVE_MINUTES,
            label: `${route.method} ${route.path}`,
          }),
      );
    // API Gateway's own count also holds what never reached a function (authorizer, API key, throttling).
    const gateway = (metric: cloudwatch.Metric, label: string) => metric.with({ label, color: cloudwatch.Color.GREY });
    const graph = (title: string, left: cloudwatch.IMetric[], width = 8, right: cloudwatch.IMetric[] = []) =>
      new cloudwatch.GraphWidget({ title, left, right, width, height: 6, legendPosition: cloudwatch.LegendPosition.BOTTOM });

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `fx-${props.stage}-operations`,
      defaultInterval: Duration.hours(6),
      widgets: [
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms (runbook per alarm in the README)', alarms, width: 24, height: 4 })],
        [
          graph('Rates fetched per provider', providers.map((p) => fetchRates(METRICS.ratesFetched, p, 'Sum'))),
          graph('Age of the newest rate per provider (minutes)', providers.map((p) => fetchRates(METRICS.newestRateAgeMinutes, p, 'Maximum'))),
          graph(
            'Missed TARGET-day publications and provider failures',
            providers.filter((p) => PROVIDER_PROFILES[p].schedule === 'target-daily').map((p) => fetchRates(METRICS.ratePublicationsMissed, p, 'Maximum')),
            8,
            providers.map((p) => fetchRates(METRICS.providerFailures, p, 'Sum').with({ label: `${p} failures` })),
          ),
        ],
        [
          graph(
            'Age of the oldest message per queue (s)',
            (Object.entries(props.queues) as [QueueKey, QueueWithDlq][]).map(([key, q]) =>
              q.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: FIVE_MINUTES, label: key }),
            ),
            12,
          ),
          graph(
            'DLQ depth (every DLQ and failure destination)',
            deadLetterQueues.map((d) =>
              d.queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: FIVE_MINUTES, label: dlqLabel(d) }),
            ),
            12,
          ),
        ],
        [
          graph('Function errors', functions.map(([name, fn]) => fn.fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES, label: name })), 12),
          graph('Function duration p99 (ms)', functions.map(([name, fn]) => fn.fn.metricDuration({ statistic: 'p99', period: FIVE_MINUTES, label: name })), 12),
        ],
        [
          graph(
            'API requests and p99 latency (ms)',
            [stage.metricCount({ statistic: 'Sum', period: FIVE_MINUTES, label: 'requests' })],
            8,
            [
              stage.metricLatency({ statistic: 'p99', period: FIVE_MINUTES, label: 'latency p99' }),
              stage.metricIntegrationLatency({ statistic: 'p99', period: FIVE_MINUTES, label: 'integration p99' }),
            ],
          ),
          graph('API 4xx per route', perRoute(METRICS.clientErrors), 8, [
            gateway(stage.metricClientError({ statistic: 'Sum', period: FIVE_MINUTES }), 'all 4xx at the gateway'),
          ]),
          graph('API 5xx per route', perRoute(METRICS.serverErrors), 8, [
            gateway(stage.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES }), 'all 5xx at the gateway'),
          ]),
        ],
        [
          graph('API requests per route', perRoute(METRICS.requests), 12),
          graph('API p99 latency per route, in the function (ms)', perRoute(METRICS.latency, 'p99'), 12),
        ],
        [
          graph('Rates stored and rate snapshots rejected', [
            serviceMetric(METRICS.ratesStored, 'process-rates'),
            ...METRIC_ALARMS.flatMap((def) => def.services.map((service) => serviceMetric(def.metricName, service))),
          ]),
          graph('Transactions stored and quarantined', [
            serviceMetric(METRICS.transactionsStored, 'process-transactions'),
            serviceMetric(METRICS.transactionsQuarantined, 'process-transactions'),
          ]),
          graph('Emails sent, bounced and complained (SES account)', [ses('Send'), ses('Bounce'), ses('Complaint')], 8, [
            ses('Reputation.BounceRate', 'Maximum'),
          ]),
        ],
        [warehouseWidget(props.warehouseLoads)],
      ],
    });
  }

  /**
   * Stale rates: the alarm fires when the source's newest publication is stale under the window
   * the stage's policy gives it (STALE_AFTER when no rule names it): the instant the resolver stops
   * using it (staleWhen in lambdas/domain/rate-policy.ts). A window in business days reads
   * RatePublicationsMissed, which counts TARGET business days only, so weekends and TARGET
   * holidays cannot page; a duration reads NewestRateAgeMinutes. Both come from fetch-rates, not
   * process-rates, so a backfill of old days never looks stale. A TARGET-daily provider is
   * fetched on weekday afternoons only: no datapoint is no news (the alarm keeps its state). For
   * one that publishes around the clock, a period without a datapoint means fetch-rates did not
   * report (it failed, or did not run): that counts as stale too.
   */
  private staleRateAlarm(source: RateSourceConfig, policy: RatePolicy, action: cloudwatch.IAlarmAction): cloudwatch.Alarm {
    const window = stalenessWindowOf(policy, source.provider, STALE_AFTER[source.provider]);
    const { measure, atLeast } = staleWhen(window);
    const daily = PROVIDER_PROFILES[source.provider].schedule === 'target-daily';
    const period = daily ? Duration.hours(1) : Duration.seconds(Math.min(3600, 2 * scheduleIntervalSeconds(source.schedule)));
    const id = `${source.provider.charAt(0).toUpperCase()}${source.provider.slice(1)}RatesStale`;
    const windowText = typeof window === 'string' ? window : `${window.businessDays} TARGET business day(s)`;
    return this.notify(
      new cloudwatch.Alarm(this, id, {
        alarmDescription:
          `${source.provider}: the newest publication is stale (older than ${windowText}, the policy's window; ` +
          `fetched on ${source.schedule}). Runbook: README, "RatesStale".`,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: measure === 'ageMinutes' ? METRICS.newestRateAgeMinutes : METRICS.ratePublicationsMissed,
          dimensionsMap: { [SERVICE_DIMENSION]: 'fetch-rates', provider: source.provider },
          statistic: 'Maximum',
          period,
        }),
        threshold: atLeast,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: daily ? 1 : 2,
        datapointsToAlarm: daily ? 1 : 2,
        treatMissingData: daily ? cloudwatch.TreatMissingData.IGNORE : cloudwatch.TreatMissingData.BREACHING,
      }),
      action,
    );
  }

  private notify(alarm: cloudwatch.Alarm, action: cloudwatch.IAlarmAction): cloudwatch.Alarm {
    alarm.addAlarmAction(action);
    return alarm;
  }
}

function serviceMetric(metricName: string, service: FunctionName): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { [SERVICE_DIMENSION]: service },
    statistic: 'Sum',
    period: FIVE_MINUTES,
    label: `${FUNCTIONS[service].id} ${metricName}`,
  });
}

/** "RatesQueue DLQ", "FetchRatesFailures", "SchedulerDlq". */
function dlqLabel(dlq: DeadLetterQueue): string {
  return dlq.node.id === 'Dlq' ? `${dlq.node.scope?.node.id} DLQ` : dlq.node.id;
}

/** Seconds between runs of a `rate(…)` schedule; a `cron(…)` one counts as an hour. */
export function scheduleIntervalSeconds(expression: string): number {
  const match = /^rate\((\d+)\s+(minutes?|hours?|days?)\)$/.exec(expression.trim());
  if (!match) return 3600;
  const unit = match[2].startsWith('minute') ? 60 : match[2].startsWith('hour') ? 3600 : 86_400;
  return Number(match[1]) * unit;
}

function warehouseWidget(loads: WarehouseLoadMetrics | undefined): cloudwatch.IWidget {
  if (!loads) {
    return new cloudwatch.TextWidget({
      markdown: '### Warehouse loads\nNo warehouse load step in this stack yet: pass `warehouseLoads` to the operations dashboard when the analytics stack adds it.',
      width: 24,
      height: 2,
    });
  }
  return new cloudwatch.GraphWidget({ title: 'Warehouse loads', left: [loads.succeeded, loads.failed], width: 24, height: 6 });
}
