import { Duration, Stack } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import type { RateSourceConfig } from '../config/stage-config';
import { OPERATIONS_ALARMS } from '../definitions/operations-alarms';
import { FUNCTIONS, type FunctionName } from '../definitions/functions';
import type { QueueKey } from '../definitions/resources';
import { ROUTES } from '../../lambdas/shared/api-contract';
import { PUBLICATION_CALENDARS } from '../../lambdas/domain/publication-calendar';
import { METRICS, SERVICE_DIMENSION } from '../../lambdas/shared/metric-names';
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
      props.rateSources.map((source) => [source.provider, this.staleRateAlarm(source, props.alarmAction)]),
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
    const api = (metricName: string, route: (typeof ROUTES)[number]) =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiName: props.api.restApiName, Stage: stage.stageName, Resource: route.path, Method: route.method },
        statistic: 'Sum',
        period: FIVE_MINUTES,
        label: `${route.method} ${route.path}`,
      });
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
            'Missed publications (stale rates) and provider failures',
            providers.map((p) => fetchRates(METRICS.ratePublicationsMissed, p, 'Maximum')),
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
          graph('API 4xx per route', ROUTES.map((r) => api('4XXError', r))),
          graph('API 5xx per route', ROUTES.map((r) => api('5XXError', r))),
        ],
        [
          graph(
            'Transactions stored and quarantined',
            [
              serviceMetric(METRICS.transactionsStored, 'process-transactions'),
              serviceMetric(METRICS.transactionsQuarantined, 'process-transactions'),
              serviceMetric(METRICS.ratesStored, 'process-rates'),
            ],
            12,
          ),
          graph('Emails sent, bounced and complained (SES account)', [ses('Send'), ses('Bounce'), ses('Complaint')], 12, [
            ses('Reputation.BounceRate', 'Maximum'),
          ]),
        ],
        [warehouseWidget(props.warehouseLoads)],
      ],
    });
  }

  /**
   * Stale rates: the provider's newest publication is behind its calendar (RatePublicationsMissed,
   * published by fetch-rates from lambdas/domain/publication-calendar.ts). Weekends and TARGET
   * holidays are not missed publications there, so they cannot page. For a provider that publishes
   * once a working day, the schedule runs on working days only: no datapoint is no news (the
   * alarm keeps its state until the next run). For one that publishes around the clock, a period
   * without a datapoint means fetch-rates did not report: that is stale too.
   */
  private staleRateAlarm(source: RateSourceConfig, action: cloudwatch.IAlarmAction): cloudwatch.Alarm {
    const daily = PUBLICATION_CALENDARS[source.provider].kind === 'target-days';
    const period = daily ? Duration.hours(1) : Duration.seconds(Math.min(3600, 2 * scheduleIntervalSeconds(source.schedule)));
    const id = `${source.provider.charAt(0).toUpperCase()}${source.provider.slice(1)}RatesStale`;
    return this.notify(
      new cloudwatch.Alarm(this, id, {
        alarmDescription:
          `${source.provider}: a publication the provider should have made by now is missing ` +
          `(${daily ? 'TARGET working days' : 'around the clock'}; fetched on ${source.schedule}). Runbook: README, "RatesStale".`,
        metric: new cloudwatch.Metric({
          namespace: METRICS_NAMESPACE,
          metricName: METRICS.ratePublicationsMissed,
          dimensionsMap: { [SERVICE_DIMENSION]: 'fetch-rates', provider: source.provider },
          statistic: 'Maximum',
          period,
        }),
        threshold: 0,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
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
