import { MetricUnit } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { correlationIds, withPowertools } from '../../../lambdas/shared/lambda-handler';
import { observability } from '../../../lambdas/shared/observability';
import { setEnv } from '../../support/env';
import { powertoolsOutput } from '../../support/powertools-output';

// A file of its own: Powertools keeps the cold start per process, and nothing else here has run yet.

const context = (functionName: string): Context =>
  ({ functionName, functionVersion: '$LATEST', awsRequestId: 'req-1', memoryLimitInMB: '256', getRemainingTimeInMillis: () => 5_000 }) as unknown as Context;

describe('withPowertools', () => {
  let restore: () => void;
  // As Lambda sets it: Powertools reports a cold start only for on-demand environments.
  beforeEach(() => (restore = setEnv({ AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', POWERTOOLS_LOG_LEVEL: 'INFO', POWERTOOLS_METRICS_DISABLED: 'false', POWERTOOLS_DEV: undefined })));
  afterEach(() => restore());

  it('emits ColdStart once and flushes the stored metrics after every invocation, also a failed one', async () => {
    const tools = observability('metered-fn');
    let fail = false;
    const handler = withPowertools(
      middy(async () => {
        tools.metrics.addMetric('Things', MetricUnit.Count, 1);
        if (fail) throw new Error('boom');
      }),
      tools,
    );

    const first = await powertoolsOutput(() => handler({}, context('metered-fn')));
    fail = true;
    const second = await powertoolsOutput(() => handler({}, context('metered-fn')));

    const metricNames = (lines: Record<string, unknown>[]) =>
      lines.flatMap((l) => ((l._aws as { CloudWatchMetrics?: { Metrics: { Name: string }[] }[] } | undefined)?.CloudWatchMetrics ?? []).flatMap((m) => m.Metrics.map((x) => x.Name)));
    expect(metricNames(first).sort()).toEqual(['ColdStart', 'Things']);
    expect(metricNames(second)).toEqual(['Things']);
  });

  it('logs with the Lambda context and the correlation id the event carries, or a new one', async () => {
    const tools = observability('test-fn');
    const handler = withPowertools(middy(async (_event: { correlationId?: string }) => tools.logger.info('working')), tools, { correlationId: correlationIds.schedule });

    const given = await powertoolsOutput(() => handler({ correlationId: 'exec-42' }, context('test-fn')));
    const generated = await powertoolsOutput(() => handler({}, context('test-fn')));
    const hostile = await powertoolsOutput(() => handler({ correlationId: '<script>\n' }, context('test-fn')));

    const line = (lines: Record<string, unknown>[]) => lines.find((l) => l.message === 'working')!;
    expect(line(given)).toMatchObject({ correlation_id: 'exec-42', function_name: 'test-fn', function_request_id: 'req-1' });
    expect(line(generated).correlation_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(line(hostile).correlation_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('adds the tracing middleware only for a function that opts in', async () => {
    const calls: string[] = [];
    const tracing = { middleware: { before: () => void calls.push('traced') }, capture: <C>(client: C) => client };
    const traced = withPowertools(middy(async () => 'ok'), observability('traced-fn', { tracing }));
    const plain = withPowertools(middy(async () => 'ok'), observability('plain-fn'));

    await powertoolsOutput(() => traced({}, context('traced-fn')));
    await powertoolsOutput(() => plain({}, context('plain-fn')));

    expect(calls).toEqual(['traced']);
  });
});
