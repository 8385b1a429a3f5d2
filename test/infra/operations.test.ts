import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTIONS } from '../../lib/definitions/functions';
import { QUEUES } from '../../lib/definitions/resources';
import { ROUTES } from '../../lambdas/shared/api-contract';
import type { StageName } from '../../lib/config/stage-config';
import { logicalIdOf, renderIntrinsic, resourcesOfType, stageContext, synthFxApp, type SynthesizedFxApp } from './helpers';

/**
 * The stale-rate alarm each stage should have, written out by hand from the stage configs (their
 * sources, schedules and policy windows): ECB and Frankfurter (2 TARGET business days) read the
 * missed business days, hourly, and a missing datapoint (a weekend, no run) keeps the alarm's
 * state; CoinGecko (PT30M) and OXR (PT3H) read the age in minutes over twice their schedule
 * interval (at most an hour), where no datapoint means fetch-rates stopped reporting.
 */
type StaleAlarm = { metric: string; threshold: number; period: number; missing: string; periods: number };
const BUSINESS_DAYS_2: StaleAlarm = { metric: 'RatePublicationsMissed', threshold: 2, period: 3600, missing: 'ignore', periods: 1 };
const STALE_ALARMS: Record<Exclude<StageName, 'local'>, Record<string, StaleAlarm>> = {
  dev: {
    ecb: BUSINESS_DAYS_2,
    frankfurter: BUSINESS_DAYS_2,
    coingecko: { metric: 'NewestRateAgeMinutes', threshold: 30, period: 1200, missing: 'breaching', periods: 2 }, // rate(10 minutes)
  },
  prod: {
    ecb: BUSINESS_DAYS_2,
    frankfurter: BUSINESS_DAYS_2,
    coingecko: { metric: 'NewestRateAgeMinutes', threshold: 30, period: 600, missing: 'breaching', periods: 2 }, // rate(5 minutes)
    oxr: { metric: 'NewestRateAgeMinutes', threshold: 180, period: 3600, missing: 'breaching', periods: 2 }, // rate(1 hour), capped at an hour
  },
};

interface DashboardBody {
  widgets: { type: string; properties: { title?: string; metrics?: unknown[][]; alarms?: string[]; markdown?: string } }[];
}

describe.each(['dev', 'prod'] as const)('operations (%s)', (stage) => {
  let fx: SynthesizedFxApp;
  let topic: string;
  let body: DashboardBody;
  let metrics: string[];
  beforeAll(() => {
    fx = synthFxApp(stage, stageContext(stage));
    topic = logicalIdOf(fx.stateless.alarmTopic);
    const dashboards = Object.values(resourcesOfType(fx.statelessTemplate, 'AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    expect(dashboards[0].Properties?.DashboardName).toBe(`fx-${stage}-operations`);
    body = JSON.parse(renderIntrinsic(dashboards[0].Properties?.DashboardBody)) as DashboardBody;
    metrics = body.widgets.flatMap((w) => (w.properties.metrics ?? []).map((m) => m.filter((part) => typeof part === 'string').join(' ')));
  });
  afterAll(() => fx?.dispose());

  it('alarms on stale rates for each rate source of the stage, at the policy’s staleness window, to the alarm topic', () => {
    const expected = STALE_ALARMS[stage];
    expect(fx.config.rates.sources.map((s) => s.provider).sort()).toEqual(Object.keys(expected).sort());
    const stale = Object.values(resourcesOfType(fx.statelessTemplate, 'AWS::CloudWatch::Alarm')).filter((a) =>
      ['RatePublicationsMissed', 'NewestRateAgeMinutes'].includes(a.Properties?.MetricName as string),
    );
    expect(stale).toHaveLength(Object.keys(expected).length);
    for (const [provider, { metric, threshold, period, missing, periods }] of Object.entries(expected)) {
      fx.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'FxPlatform',
        MetricName: metric,
        Dimensions: Match.arrayEquals([
          { Name: 'provider', Value: provider },
          { Name: 'service', Value: 'fetch-rates' },
        ]),
        Statistic: 'Maximum',
        Period: period,
        Threshold: threshold,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        EvaluationPeriods: periods,
        DatapointsToAlarm: periods,
        TreatMissingData: missing,
        AlarmActions: [{ Ref: topic }],
      });
    }
  });

  it('alarms on the API’s 5xx rate and p99 latency of its stage, and on the SES bounce rate', () => {
    const dimensions = Match.arrayWith([
      { Name: 'ApiName', Value: `fx-partner-api-${stage}` },
      { Name: 'Stage', Value: Match.anyValue() },
    ]);
    fx.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: '5XXError',
      Dimensions: dimensions,
      Statistic: 'Average',
      Threshold: 0.01,
      Period: 300,
      AlarmActions: [{ Ref: topic }],
    });
    fx.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: dimensions,
      ExtendedStatistic: 'p99',
      Threshold: 1500,
      EvaluationPeriods: 3,
      AlarmActions: [{ Ref: topic }],
    });
    fx.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/SES',
      MetricName: 'Reputation.BounceRate',
      Threshold: 0.05,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      AlarmActions: [{ Ref: topic }],
    });
  });

  it('every alarm of the stack notifies the operations topic and is on the dashboard’s alarm overview', () => {
    const alarms = resourcesOfType(fx.statelessTemplate, 'AWS::CloudWatch::Alarm');
    for (const [id, alarm] of Object.entries(alarms)) {
      expect({ id, actions: alarm.Properties?.AlarmActions }).toEqual({ id, actions: [{ Ref: topic }] });
    }
    const overview = body.widgets.find((w) => w.type === 'alarm');
    expect(overview?.properties.alarms?.sort()).toEqual(Object.keys(alarms).map((id) => `\${${id}.Arn}`).sort());
  });

  it('graphs ingestion and freshness per provider, every queue and DLQ, every function and every route', () => {
    for (const { provider } of fx.config.rates.sources) {
      for (const name of ['RatesFetched', 'NewestRateAgeMinutes', 'ProviderFailures']) {
        expect(metrics).toContain(`FxPlatform ${name} provider ${provider} service fetch-rates`);
      }
    }
    // Missed publications only for the providers that publish on TARGET business days.
    expect(metrics.filter((m) => m.startsWith('FxPlatform RatePublicationsMissed')).sort()).toEqual(
      ['ecb', 'frankfurter'].map((p) => `FxPlatform RatePublicationsMissed provider ${p} service fetch-rates`),
    );
    const queueMetric = (name: string) => metrics.filter((m) => m.startsWith(`AWS/SQS ${name} QueueName`));
    expect(queueMetric('ApproximateAgeOfOldestMessage')).toHaveLength(Object.keys(QUEUES).length);
    // Each queue's DLQ, each function's failure destination (async invocations, stream triggers), and the scheduler's DLQ.
    const failureDestinations = Object.values(FUNCTIONS).filter((f) => 'asyncInvoke' in f || 'streamTrigger' in f).length;
    expect(queueMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(Object.keys(QUEUES).length + failureDestinations + 1);
    for (const name of ['Errors', 'Duration']) {
      expect(metrics.filter((m) => m.startsWith(`AWS/Lambda ${name} FunctionName`))).toHaveLength(Object.keys(FUNCTIONS).length);
    }
    // What the API functions emit per route (http-pipeline.ts), and the gateway's stage-wide errors.
    for (const route of ROUTES) {
      for (const name of ['Requests', 'Latency', 'ClientErrors', 'ServerErrors']) {
        expect(metrics).toContain(`FxPlatform ${name} route ${route.method} ${route.path} service ${route.function}`);
      }
    }
    for (const name of ['Count', 'Latency', 'IntegrationLatency', '4XXError', '5XXError']) {
      expect(metrics).toContainEqual(expect.stringMatching(new RegExp(`^AWS/ApiGateway ${name} ApiName fx-partner-api-${stage} Stage \\S+$`)));
    }
    expect(metrics.filter((m) => m.startsWith('AWS/ApiGateway') && m.includes(' Resource '))).toEqual([]);
    for (const name of ['Send', 'Bounce', 'Complaint', 'Reputation.BounceRate']) expect(metrics).toContain(`AWS/SES ${name}`);
    expect(metrics).toEqual(
      expect.arrayContaining([
        'FxPlatform TransactionsStored service process-transactions',
        'FxPlatform RatesStored service process-rates',
        'FxPlatform RateSnapshotsRejected service fetch-rates',
        'FxPlatform RateSnapshotsRejected service process-rates',
      ]),
    );
    expect(body.widgets.some((w) => w.properties.markdown?.includes('Warehouse loads'))).toBe(true);
  });

  it('publishes every queue with its DLQ for the operator commands (redrive, backfill, import)', () => {
    const output = renderIntrinsic(fx.statelessTemplate.toJSON().Outputs.Queues.Value);
    const queues = JSON.parse(output) as Record<string, Record<string, string>>;
    expect(Object.keys(queues).sort()).toEqual(Object.keys(QUEUES).sort());
    for (const q of Object.values(queues)) expect(Object.keys(q).sort()).toEqual(['arn', 'dlqArn', 'dlqUrl', 'url']);
  });
});
