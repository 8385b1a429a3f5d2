import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { stageConfig, type StageName } from '../../lib/config/stage-config';
import {
  BUCKETS,
  LAKE_PREFIXES,
  TABLES,
  type TableDefinition,
  type TableKey,
} from '../../lib/definitions/resources';
import {
  logicalIdOf,
  renderIntrinsic,
  resourceOf,
  resourcesOfType,
  synthFxApp,
  templateOfResource,
  type SynthesizedFxApp,
} from './helpers';

const STAGES: readonly StageName[] = ['dev', 'prod'];
const tableEntries = Object.entries(TABLES) as [TableKey, TableDefinition][];

const built = {} as Record<StageName, SynthesizedFxApp>;
beforeAll(() => {
  for (const stage of STAGES) built[stage] = synthFxApp(stage);
});
afterAll(() => {
  for (const stage of STAGES) built[stage]?.dispose();
});

const ids = (s: SynthesizedFxApp) => ({
  key: logicalIdOf(s.stateful.key),
  dataLake: logicalIdOf(s.stateful.dataLake),
  accessLogs: logicalIdOf(s.stateful.node.findChild('AccessLogsBucket') as IConstruct),
  table: (key: TableKey) => logicalIdOf(s.stateful.tables[key]),
});

describe.each(STAGES)('stateful stack (%s)', (stage) => {
  let s: SynthesizedFxApp;
  let template: Template;
  let id: ReturnType<typeof ids>;
  beforeAll(() => {
    s = built[stage];
    template = s.statefulTemplate;
    id = ids(s);
  });

  describe('data key', () => {
    it('is a customer-managed KMS key with automatic rotation', () => {
      templateOfResource(template, id.key).hasResourceProperties('AWS::KMS::Key', {
        EnableKeyRotation: true,
      });
    });
  });

  describe('tables', () => {
    it('has exactly the tables the definitions declare', () => {
      template.resourceCountIs('AWS::DynamoDB::Table', tableEntries.length);
    });

    it.each(tableEntries)('%s has its key schema', (key, def) => {
      const keySchema = [
        { AttributeName: def.partitionKey.name, KeyType: 'HASH' },
        ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: 'RANGE' }] : []),
      ];
      const attributes = [def.partitionKey, ...(def.sortKey ? [def.sortKey] : [])].map((k) => ({
        AttributeName: k.name,
        AttributeType: k.type,
      }));
      templateOfResource(template, id.table(key)).hasResourceProperties('AWS::DynamoDB::Table', {
        KeySchema: keySchema,
        AttributeDefinitions: Match.arrayWith(attributes),
        ...(def.timeToLiveAttribute && {
          TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
        }),
      });
    });

    it('every table has the secondary indexes it declares', () => {
      for (const [key, def] of tableEntries) {
        if (!def.globalSecondaryIndexes?.length) continue;
        templateOfResource(template, id.table(key)).hasResourceProperties('AWS::DynamoDB::Table', {
          GlobalSecondaryIndexes: Match.arrayWith(
            def.globalSecondaryIndexes.map((index) =>
              Match.objectLike({
                IndexName: index.indexName,
                KeySchema: [
                  { AttributeName: index.partitionKey.name, KeyType: 'HASH' },
                  ...(index.sortKey
                    ? [{ AttributeName: index.sortKey.name, KeyType: 'RANGE' }]
                    : []),
                ],
              }),
            ),
          ),
        });
      }
    });

    it.each(tableEntries)('%s has point-in-time recovery', (key) => {
      templateOfResource(template, id.table(key)).hasResourceProperties('AWS::DynamoDB::Table', {
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      });
    });

    it.each(tableEntries)('%s is encrypted with the data key', (key) => {
      templateOfResource(template, id.table(key)).hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: {
          SSEEnabled: true,
          SSEType: 'KMS',
          KMSMasterKeyId: { 'Fn::GetAtt': [id.key, 'Arn'] },
        },
      });
    });
  });

  describe('data lake bucket', () => {
    it('is named from its definition and stage, so other stacks can scope IAM to it', () => {
      const name = renderIntrinsic(resourceOf(template, id.dataLake).Properties?.BucketName);
      expect(name).toBe(
        `${BUCKETS.dataLake.namePrefix}-${stage}-\${AWS::AccountId}-\${AWS::Region}`,
      );
    });

    it('is encrypted with the data key (SSE-KMS, bucket key on)', () => {
      templateOfResource(template, id.dataLake).hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              BucketKeyEnabled: true,
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: 'aws:kms',
                KMSMasterKeyID: { 'Fn::GetAtt': [id.key, 'Arn'] },
              },
            },
          ],
        },
      });
    });

    it('is versioned', () => {
      templateOfResource(template, id.dataLake).hasResourceProperties('AWS::S3::Bucket', {
        VersioningConfiguration: { Status: 'Enabled' },
      });
    });

    it('logs access to the access-log bucket', () => {
      templateOfResource(template, id.dataLake).hasResourceProperties('AWS::S3::Bucket', {
        LoggingConfiguration: {
          DestinationBucketName: { Ref: id.accessLogs },
          LogFilePrefix: Match.stringLikeRegexp('.+'),
        },
      });
    });

    it('moves raw payloads to cheaper storage and cleans up old versions and failed uploads', () => {
      const rules = (
        resourceOf(template, id.dataLake).Properties?.LifecycleConfiguration as {
          Rules: Record<string, unknown>[];
        }
      ).Rules;
      const enabled = rules.filter((r) => r.Status === 'Enabled');
      // A transition rule whose prefix covers the raw rates prefix the writers use.
      expect(
        enabled.some(
          (r) =>
            typeof r.Prefix === 'string' &&
            LAKE_PREFIXES.rawRates.startsWith(r.Prefix) &&
            Array.isArray(r.Transitions) &&
            r.Transitions.length > 0,
        ),
      ).toBe(true);
      // Versioning keeps overwritten objects: they must expire, whatever their prefix.
      expect(enabled.some((r) => r.Prefix === undefined && r.NoncurrentVersionExpiration)).toBe(
        true,
      );
      expect(enabled.some((r) => r.Prefix === undefined && r.AbortIncompleteMultipartUpload)).toBe(
        true,
      );
    });
  });

  describe('quarantine', () => {
    it('expires quarantined records (and their old versions) after the stage’s configured days', () => {
      const rules = (
        resourceOf(template, id.dataLake).Properties?.LifecycleConfiguration as {
          Rules: Record<string, unknown>[];
        }
      ).Rules;
      const quarantine = rules.filter((r) => r.Prefix === 'quarantine/' && r.Status === 'Enabled');
      expect(quarantine).toEqual([
        expect.objectContaining({
          ExpirationInDays: s.config.quarantine.expireAfterDays,
          NoncurrentVersionExpiration: { NoncurrentDays: 1 },
        }),
      ]);
      // Every quarantine prefix a writer uses falls under the rule.
      const quarantinePrefixes = Object.values(LAKE_PREFIXES).filter((p) => p.startsWith('quarantine'));
      expect(quarantinePrefixes.length).toBeGreaterThan(0);
      expect(quarantinePrefixes.every((p) => `${p}/`.startsWith('quarantine/'))).toBe(true);
    });
  });

  describe.each([
    ['data lake', 'dataLake'],
    ['access-log', 'accessLogs'],
  ] as const)('%s bucket', (_label, which) => {
    it('blocks all public access', () => {
      templateOfResource(template, id[which]).hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    });

    it('is encrypted at rest', () => {
      templateOfResource(template, id[which]).hasResourceProperties('AWS::S3::Bucket', {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [
            {
              ServerSideEncryptionByDefault: {
                SSEAlgorithm: Match.stringLikeRegexp('^(aws:kms|AES256)$'),
              },
            },
          ],
        },
      });
    });

    it('denies every request not made over TLS', () => {
      const bucketArn = { 'Fn::GetAtt': [id[which], 'Arn'] };
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: id[which] },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Action: 's3:*',
              Principal: { AWS: '*' },
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
              Resource: Match.arrayWith([bucketArn, { 'Fn::Join': ['', [bucketArn, '/*']] }]),
            }),
          ]),
        },
      });
    });
  });

  describe('data on stack deletion', () => {
    const dataResources = (): [string, string][] => [
      ['AWS::KMS::Key', id.key],
      ['AWS::S3::Bucket', id.dataLake],
      ['AWS::S3::Bucket', id.accessLogs],
      ...tableEntries.map(([key]): [string, string] => ['AWS::DynamoDB::Table', id.table(key)]),
    ];

    if (stageConfig(stage).retainData) {
      it('retains the key, tables and buckets', () => {
        for (const [type, logicalId] of dataResources()) {
          templateOfResource(template, logicalId).hasResource(type, {
            DeletionPolicy: 'Retain',
            UpdateReplacePolicy: 'Retain',
          });
        }
      });

      it('protects tables from deletion and never empties buckets automatically', () => {
        for (const [key] of tableEntries) {
          templateOfResource(template, id.table(key)).hasResourceProperties(
            'AWS::DynamoDB::Table',
            {
              DeletionProtectionEnabled: true,
            },
          );
        }
        template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
      });
    } else {
      it('deletes the key, tables and buckets', () => {
        for (const [type, logicalId] of dataResources()) {
          templateOfResource(template, logicalId).hasResource(type, { DeletionPolicy: 'Delete' });
        }
      });

      it('empties both buckets so the stack can be deleted', () => {
        const autoDeleted = Object.values(
          resourcesOfType(template, 'Custom::S3AutoDeleteObjects'),
        ).map((r) => (r.Properties?.BucketName as { Ref: string }).Ref);
        expect(autoDeleted.sort()).toEqual([id.accessLogs, id.dataLake].sort());
      });
    }
  });
});

it('the stages differ as configured: prod retains data, dev does not', () => {
  expect(stageConfig('prod').retainData).toBe(true);
  expect(stageConfig('dev').retainData).toBe(false);
});
