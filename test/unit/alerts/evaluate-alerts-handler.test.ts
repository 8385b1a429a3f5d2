import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { DynamoDBDocumentClient, NumberValue, QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { seriesMoves } from '../../../lambdas/domain/rate-change';
import { seriesSnapshotOf } from '../../../lambdas/domain/rate-snapshot';
import { ruleItem } from '../../../lambdas/adapters/aws/dynamodb-alert-rules';
import { ENV } from '../../../lambdas/shared/env-names';
import { settingsEnv } from '../../../lib/definitions/function-settings';
import { singleSourcePolicy, stageConfig } from '../../../lib/config/stage-config';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';
import { snapshotOf } from '../../support/rates';
import { sqsEvent, sqsRecord } from '../../support/sqs-events';

const ddbMock = mockClient(DynamoDBDocumentClient);
const sesMock = mockClient(SESv2Client);

let handler: (event: SQSEvent) => Promise<SQSBatchResponse>;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({
    ...LOCAL_AWS,
    ...QUIET_POWERTOOLS,
    ...settingsEnv('evaluate-alerts', stageConfig('local')),
    [ENV.ratePolicy]: JSON.stringify(singleSourcePolicy('oxr')),
    [ENV.ratesTable]: 'rates',
    [ENV.alertsTable]: 'alerts',
    [ENV.apiBaseUrl]: 'https://api.example.com/dev',
  });
  ({ handler } = await import('../../../lambdas/handlers/evaluate-alerts'));
});
afterAll(() => restoreEnv());

const oxr = (instant: string, eurPerUsd: string) => snapshotOf(instant, { EUR: eurPerUsd }, { provider: 'oxr', base: 'USD' });
const s0 = oxr('2024-01-10T10:00:00.000Z', '0.9200');
const s1 = oxr('2024-01-10T10:01:00.000Z', '0.9100'); // EUR/USD rises past 1.09
const s2 = oxr('2024-01-10T10:02:00.000Z', '0.9200'); // and falls back
const [up] = seriesMoves(seriesSnapshotOf(s0), [seriesSnapshotOf(s1)]);
const [down] = seriesMoves(seriesSnapshotOf(s1), [seriesSnapshotOf(s2)]);

const armed = ruleItem({
  owner: 'partner-a', id: '01RULE00000000000000000001', base: 'EUR', quote: 'USD', condition: 'above', threshold: '1.0900',
  email: 'treasury@example.com', mode: 'once', hysteresisPercent: '0.1', active: true, createdAt: '2024-01-10T09:00:00.000Z',
  updatedAt: '2024-01-10T09:00:00.000Z', revision: 1, state: 'armed', stateId: 'state-1', armedSince: '2024-01-10T09:00:00.000Z', triggerCount: 0,
});

beforeEach(() => {
  ddbMock.reset();
  sesMock.reset();
  ddbMock.on(QueryCommand).callsFake((input: QueryCommandInput) => {
    if (!input.IndexName) return { Items: [{ pk: 'WATCHED', sk: 'EUR/USD', base: 'EUR', quote: 'USD', rules: new NumberValue('1') }] };
    // The armed index holds the rule while it is armed; its threshold is in the range of a rise only.
    const from = (input.ExpressionAttributeValues?.[':from'] as NumberValue | undefined)?.value;
    return { Items: input.IndexName === 'armed' && from !== undefined && from < '1.09' ? [armed] : [] };
  });
  ddbMock.on(UpdateCommand).resolves({});
  sesMock.on(SendEmailCommand).resolves({ MessageId: 'ses-1' });
});

describe('evaluate-alerts handler', () => {
  it('fails only the message that is not a rate change (partial batch failure), and e-mails the crossing of the good one', async () => {
    const result = await handler(sqsEvent(sqsRecord('bad', '{"type":"something-else"}'), sqsRecord('good', JSON.stringify(up))));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
    const sends = sesMock.commandCalls(SendEmailCommand).map((c) => c.args[0].input as SendEmailCommandInput);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({
      FromEmailAddress: 'alerts@fx-platform.local',
      Destination: { ToAddresses: ['treasury@example.com'] },
      ConfigurationSetName: 'fx-local-alerts',
      EmailTags: [{ Name: 'email', Value: 'rateAlert' }],
      Content: { Template: { TemplateName: 'fx-local-rate-alert' } },
    });
    expect(JSON.parse(sends[0].Content!.Template!.TemplateData!).text).toMatchObject({ pair: 'EUR/USD', threshold: '1.0900', ruleUrl: 'https://api.example.com/dev/v1/alerts/01RULE00000000000000000001' });
  });

  it('fails the message when SES is throttling, so it comes back; its batch siblings pass', async () => {
    sesMock.on(SendEmailCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' }));
    const result = await handler(sqsEvent(sqsRecord('crossing', JSON.stringify(up)), sqsRecord('back', JSON.stringify(down))));
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'crossing' }]);
  });

  it('evaluates a batch in in-force order, whatever order SQS delivered it in', async () => {
    const crossedQueries: string[] = [];
    ddbMock.on(QueryCommand).callsFake((input: QueryCommandInput) => {
      if (!input.IndexName) return { Items: [{ pk: 'WATCHED', sk: 'EUR/USD', base: 'EUR', quote: 'USD', rules: new NumberValue('1') }] };
      if (input.IndexName === 'armed') crossedQueries.push(String(input.ExpressionAttributeValues?.[':key']));
      return { Items: [] };
    });
    await handler(sqsEvent(sqsRecord('back', JSON.stringify(down)), sqsRecord('crossing', JSON.stringify(up))));
    // The rise crosses `above` thresholds, the fall `below` ones: the rise (in force first) is evaluated first.
    expect(crossedQueries).toEqual(['EUR/USD#above', 'EUR/USD#below']);
  });
});
