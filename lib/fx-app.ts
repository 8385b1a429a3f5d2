import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stageConfig } from './config/stage-config';
import { StatefulStack } from './stacks/stateful-stack';
import { StatelessStack } from './stacks/stateless-stack';
import type { StageConfig } from './config/stage-config';
import { AnalyticsStack } from './stacks/analytics-stack';
import { stackNames } from './definitions/stack-outputs';

/** Builds the whole CDK app for a stage, with cdk-nag AwsSolutions checks on every synth. */
export function buildApp(app: App): { config: StageConfig; stateful: StatefulStack; stateless: StatelessStack; analytics: AnalyticsStack } {
  const config = stageConfig(app.node.tryGetContext('stage'), {
    alarmEmail: app.node.tryGetContext('alarmEmail'),
    partners: app.node.tryGetContext('partners'),
  });
  // Access logs are delivered under a bucket policy rather than the legacy LogDeliveryWrite ACL.
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  // Explicit: the stateless stack imports the stateful stack's outputs and must not outlive them.
  app.node.setContext('@aws-cdk/core:defaultCrossStackReferences', 'strong');
  const names = stackNames(config.stage);
  const stateful = new StatefulStack(app, names.stateful, { config, env: config.env });
  const stateless = new StatelessStack(app, names.stateless, {
    config,
    env: config.env,
    tables: stateful.tables,
    dataKey: stateful.key,
    secrets: stateful.secrets,
  });
  const analytics = new AnalyticsStack(app, names.analytics, {
    config,
    env: config.env,
    dataKey: stateful.key,
    stateTable: stateful.tables.state,
    alarmTopic: stateless.alarmTopic,
    logsKey: stateless.logsKey,
  });
  Tags.of(app).add('project', 'fx-platform');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { config, stateful, stateless, analytics };
}
