import { Match } from 'aws-cdk-lib/assertions';
import { FUNCTIONS } from '../../lib/definitions/functions';
import { QUEUES } from '../../lib/definitions/resources';
import { ROUTES } from '../../lambdas/shared/api-contract';
import type { StageName } from '../../lib/config/stage-config';
import { logicalIdOf, renderIntrinsic, resourcesOfType, stageContext, synthFxApp, type SynthesizedFxApp } from './helpers';

/**
 * The stale-rate alarm each stage should have, written out by hand from the stage configs and the
 * providers' calendars: working-day publishers (ECB, Frankfurter) are checked hourly and a missing
 * datapoint (a weekend, no run) keeps the alarm's state; around-the-clock ones over twice their
 * schedule interval (at most an hour), where no datapoint means fetch-rates stopped reporting.
 */
const STALE_ALARMS: Record<Exclude<StageName, 'local'>, Record<string, { period: number; missing: string; periods: number }>> = {
  dev: {
    simulated: { period: 600, missing: 'breaching', periods: 2 }, // rate(5 minutes)
    ecb: { period: 3600, missing: 'ignore', periods: 1 },
    frankfurter: { period: 3600, missing: 'ignore', periods: 1 },
    coingecko: { period: 1200, missing: 'breaching', periods: 2 }, // rate(10 minutes)
  },
  prod: {
    ecb: { period: 3600, missing: 'ignore', periods: 1 },
    frankfurter: { period: 3600, missing: 'ignore', periods: 1 },
    coingecko: { period: 600, missing: 'breaching', periods: 2 }, // rate(5 minutes)
    oxr: { period: 3600, missing: 'breaching', periods: 2 }, // rate(1 hour), capped at an hour
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

  it('alarms on stale rates for each rate source of the stage, by the provider’s calendar, to the alarm topic', () => {
    const expected = STALE_ALARMS[stage];
    expect(fx.config.rates.sources.map((s) => s.provider).sort()).toEqual(Object.keys(expected).sort());
    const stale = Object.values(resourcesOfType(fx.statelessTemplate, 'AWS::CloudWatch::Alarm')).filter(
      (a) => a.Properties?.MetricName === 'RatePublicationsMissed',
    );
    expect(stale).toHaveLength(Object.keys(expected).length);
    for (const [provider, { period, missing, periods }] of Object.entries(expected)) {
      fx.statelessTemplate.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'FxPlatform',
        MetricName: 'RatePublicationsMissed',
        Dimensions: Match.arrayEquals([
          { Name: 'provider', Value: provider },
          { Name: 'service', Value: 'fetch-rates' },
        ]),
        Statistic: 'Maximum',
        Period: period,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
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
      for (const name of ['RatesFetched', 'NewestRateAgeMinutes', 'RatePublicationsMissed']) {
        expect(metrics).toContain(`FxPlatform ${name} provider ${provider} service fetch-rates`);
      }
    }
    const queueMetric = (name: string) => metrics.filter((m) => m.startsWith(`AWS/SQS ${name} QueueName`));
    expect(queueMetric('ApproximateAgeOfOldestMessage')).toHaveLength(Object.keys(QUEUES).length);
    // Each queue's DLQ, each function's failure destination, and the scheduler's DLQ.
    const failureDestinations = Object.values(FUNCTIONS).filter((f) => 'asyncInvoke' in f).length;
    expect(queueMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(Object.keys(QUEUES).length + failureDestinations + 1);
    for (const name of ['Errors', 'Duration']) {
      expect(metrics.filter((m) => m.startsWith(`AWS/Lambda ${name} FunctionName`))).toHaveLength(Object.keys(FUNCTIONS).length);
    }
    for (const route of ROUTES) {
      for (const name of ['4XXError', '5XXError']) {
        expect(metrics).toContainEqual(expect.stringMatching(new RegExp(`^AWS/ApiGateway ${name} ApiName fx-partner-api-${stage} Method ${route.method} Resource ${route.path.replace(/[{}]/g, '\\$&')} Stage `)));
      }
    }
    for (const name of ['Send', 'Bounce', 'Complaint', 'Reputation.BounceRate']) expect(metrics).toContain(`AWS/SES ${name}`);
    expect(metrics).toEqual(expect.arrayContaining(['FxPlatform TransactionsStored service process-transactions', 'FxPlatform RatesStored service process-rates']));
    expect(body.widgets.some((w) => w.properties.markdown?.includes('Warehouse loads'))).toBe(true);
  });

  it('publishes every queue with its DLQ for the operator commands (redrive, backfill, import)', () => {
    const output = renderIntrinsic(fx.statelessTemplate.toJSON().Outputs.Queues.Value);
    const queues = JSON.parse(output) as Record<string, Record<string, string>>;
    expect(Object.keys(queues).sort()).toEqual(Object.keys(QUEUES).sort());
    for (const q of Object.values(queues)) expect(Object.keys(q).sort()).toEqual(['arn', 'dlqArn', 'dlqUrl', 'url']);
  });
});
