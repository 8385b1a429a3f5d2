import { Match } from 'aws-cdk-lib/assertions';
import type { StageName } from '../../lib/config/stage-config';
import { EMAIL_TEMPLATES, emailTemplateName } from '../../lib/definitions/email-templates';
import { FUNCTIONS, type FunctionName } from '../../lib/definitions/functions';
import { EVALUATOR_ATTRIBUTES } from '../../lambdas/shared/alerts-table';
import { asArray, logicalIdOf, renderIntrinsic, resolveImports, resourcesOfType, stageContext, synthFxApp, type SynthesizedFxApp } from './helpers';

interface Statement {
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: unknown;
  readonly Condition?: Record<string, Record<string, unknown>>;
}

describe.each(['dev', 'prod'] as StageName[])('alerts, stage %s', (stage) => {
  let s: SynthesizedFxApp;
  beforeAll(() => {
    s = synthFxApp(stage, stageContext(stage));
  });
  afterAll(() => s?.dispose());

  /** Every statement of the policies attached to a role, rendered to text ARNs. */
  const statementsOf = (roleLogicalId: string): Statement[] =>
    Object.values(resourcesOfType(s.statelessTemplate, 'AWS::IAM::Policy'))
      .filter((p) => asArray(p.Properties?.Roles as unknown[]).some((r) => JSON.stringify(r).includes(roleLogicalId)))
      .flatMap((p) => (p.Properties?.PolicyDocument as { Statement: Statement[] }).Statement);
  const roleOf = (name: FunctionName) => logicalIdOf(s.stateless.functions[name].fn.role!);
  const alertsTableArn = () => `\${${logicalIdOf(s.stateful.tables.alerts)}.Arn}`;
  const dynamoStatements = (name: FunctionName) =>
    statementsOf(roleOf(name))
      .filter((st) => asArray(st.Action).some((a) => a.startsWith('dynamodb:')))
      .map((st) => ({ ...st, resources: asArray(st.Resource).map((r) => renderIntrinsic(resolveImports(s.statefulTemplate, r))) }));

  it('creates the alerts table with its two sparse indexes, the threshold and the re-arm level as numbers', () => {
    s.statefulTemplate.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'armedThreshold', AttributeType: 'N' },
        { AttributeName: 'rearmLevel', AttributeType: 'N' },
      ]),
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'armed', KeySchema: [{ AttributeName: 'armedKey', KeyType: 'HASH' }, { AttributeName: 'armedThreshold', KeyType: 'RANGE' }] }),
        Match.objectLike({ IndexName: 'waiting', KeySchema: [{ AttributeName: 'waitingKey', KeyType: 'HASH' }, { AttributeName: 'rearmLevel', KeyType: 'RANGE' }] }),
      ],
      SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }),
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });

  it('lets evaluate-alerts query the two indexes and update rule state attributes only, across partners', () => {
    const statements = dynamoStatements('evaluate-alerts').filter((st) => st.resources.some((r) => r.startsWith(alertsTableArn())));
    const indexQuery = statements.find((st) => st.resources.every((r) => r.includes('/index/')));
    expect(asArray(indexQuery?.Action)).toEqual(['dynamodb:Query']);
    expect(indexQuery?.resources.sort()).toEqual([`${alertsTableArn()}/index/armed`, `${alertsTableArn()}/index/waiting`]);
    const stateWrites = statements.find((st) => asArray(st.Action).includes('dynamodb:UpdateItem'));
    expect(asArray(stateWrites?.Action)).toEqual(['dynamodb:UpdateItem']);
    expect(stateWrites?.resources).toEqual([alertsTableArn()]);
    expect(stateWrites?.Condition).toEqual({
      'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['PARTNER#*'] },
      'ForAllValues:StringEquals': { 'dynamodb:Attributes': [...EVALUATOR_ATTRIBUTES] },
      StringEqualsIfExists: { 'dynamodb:ReturnValues': ['NONE', 'UPDATED_OLD', 'UPDATED_NEW'] },
    });
    for (const forbidden of ['threshold', 'email', 'base', 'quote', 'owner', 'active']) expect(EVALUATOR_ATTRIBUTES).not.toContain(forbidden);
    // The only item reads of the table: the watched-pairs partition.
    const itemReads = statements.filter((st) => asArray(st.Action).includes('dynamodb:GetItem'));
    expect(itemReads.map((st) => st.Condition)).toEqual([{ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['WATCHED'] } }]);
  });

  it('gives alerts-api the watched pairs only; a partner’s rules only through the partner data role, by its session tag', () => {
    const own = dynamoStatements('alerts-api').filter((st) => st.resources.some((r) => r.startsWith(alertsTableArn())));
    expect(own.map((st) => st.Condition)).toEqual([{ 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['WATCHED'] } }]);
    const partnerRole = s.stateless.node.findChild(`${FUNCTIONS['alerts-api'].id}PartnerDataRole`);
    const scoped = statementsOf(logicalIdOf(partnerRole)).filter((st) => asArray(st.Action).some((a) => a.startsWith('dynamodb:')));
    expect(scoped.map((st) => st.Condition)).toEqual([
      { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['PARTNER#${aws:PrincipalTag/client_id}'] } },
    ]);
  });

  it('creates the SES identity, a configuration set with bounce and complaint events, and the stage’s templates', () => {
    const email = s.config.alerts.email;
    s.statelessTemplate.hasResourceProperties('AWS::SES::EmailIdentity', {
      EmailIdentity: email.identity,
      ConfigurationSetAttributes: { ConfigurationSetName: Match.anyValue() },
    });
    // No suppression options of its own: the account-level suppression list applies.
    s.statelessTemplate.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: email.configurationSet,
      SuppressionOptions: Match.absent(),
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
    s.statelessTemplate.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        CloudWatchDestination: { DimensionConfigurations: [{ DimensionName: 'email', DimensionValueSource: 'messageTag', DefaultDimensionValue: 'untagged' }] },
      }),
    });
    const templates = Object.values(resourcesOfType(s.statelessTemplate, 'AWS::SES::Template')).map((t) => t.Properties?.Template as Record<string, string>);
    expect(templates.map((t) => t.TemplateName).sort()).toEqual(Object.keys(EMAIL_TEMPLATES).map((k) => emailTemplateName(stage, k as keyof typeof EMAIL_TEMPLATES)).sort());
    for (const t of templates) {
      expect(t.HtmlPart).toMatch(/^<!doctype html>/);
      expect(t.TextPart.length).toBeGreaterThan(0);
    }
    // An alarm at the first bounce and at the first complaint of each e-mail, and one on the account's bounce rate.
    const sesAlarms = Object.values(resourcesOfType(s.statelessTemplate, 'AWS::CloudWatch::Alarm')).filter((a) => a.Properties?.Namespace === 'AWS/SES');
    expect(sesAlarms.map((a) => `${a.Properties?.MetricName} ${JSON.stringify(a.Properties?.Dimensions ?? [])}`).sort()).toEqual(
      [
        ...Object.keys(EMAIL_TEMPLATES).flatMap((k) => ['Bounce', 'Complaint'].map((m) => `${m} [{"Name":"email","Value":"${k}"}]`)),
        'Reputation.BounceRate []',
      ].sort(),
    );
  });

  it('lets only the functions that e-mail send, from the identity, through the configuration set, with the stage’s templates', () => {
    for (const [name, def] of Object.entries(FUNCTIONS) as [FunctionName, (typeof FUNCTIONS)[FunctionName]][]) {
      const ses = statementsOf(roleOf(name)).filter((st) => asArray(st.Action).some((a) => a.startsWith('ses:')));
      if (!('sendsEmail' in def && def.sendsEmail)) {
        expect({ name, ses }).toEqual({ name, ses: [] });
        continue;
      }
      expect(ses).toHaveLength(1);
      expect(asArray(ses[0].Action)).toEqual(['ses:SendEmail']);
      const resources = asArray(ses[0].Resource).map(renderIntrinsic);
      expect(resources).toHaveLength(2 + Object.keys(EMAIL_TEMPLATES).length);
      expect(resources.filter((r) => r.includes(':configuration-set/'))).toEqual([
        expect.stringMatching(new RegExp(`:configuration-set/\\$\\{${logicalIdOf(s.stateless.alertEmail.configurationSet)}\\}$`)),
      ]);
      expect(resources.filter((r) => r.includes(':identity/'))).toEqual([expect.stringMatching(new RegExp(`:identity/\\$\\{${logicalIdOf(s.stateless.alertEmail.identity)}\\}$`))]);
      expect(resources.filter((r) => r.includes(':template/')).map((r) => r.split(':template/')[1]).sort()).toEqual(
        Object.keys(EMAIL_TEMPLATES).map((k) => emailTemplateName(stage, k as keyof typeof EMAIL_TEMPLATES)).sort(),
      );
    }
  });

  it('runs the digest every minute, and consumes the rate-changes and high-value queues', () => {
    s.statelessTemplate.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 minute)',
      Target: Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalIdOf(s.stateless.functions['send-high-value-digest'].fn), 'Arn'] } }),
    });
    for (const [name, queue] of [['evaluate-alerts', 'rateChanges'], ['collect-high-value-transactions', 'highValueTransactions']] as const) {
      s.statelessTemplate.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalIdOf(s.stateless.functions[name].fn) },
        EventSourceArn: { 'Fn::GetAtt': [logicalIdOf(s.stateless.queues[queue].queue), 'Arn'] },
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });
});
