import { Aws, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { StageConfig } from '../config/stage-config';
import { STACK_OUTPUTS } from '../definitions/stack-outputs';
import { BUCKETS, LAKE_PREFIXES, SECRETS, TABLES, type BucketDefinition, type SecretDefinition, type SecretKey, type TableDefinition, type TableKey } from '../definitions/resources';

/** `quarantine/`: the first segment of every quarantine prefix of the lake. */
const QUARANTINE_ROOT = `${LAKE_PREFIXES.quarantineTransactions.split('/')[0]}/`;

export interface StatefulStackProps extends StackProps {
  readonly config: StageConfig;
}

/** Everything that holds data: the key, the tables and the data lake. Deployed rarely. */
export class StatefulStack extends Stack {
  readonly key: kms.Key;
  readonly tables: Record<TableKey, dynamodb.Table>;
  readonly dataLake: s3.Bucket;
  readonly secrets: Record<SecretKey, secretsmanager.Secret>;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const removalPolicy = props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.key = new kms.Key(this, 'DataKey', {
      description: 'FX Platform data at rest (tables and data lake)',
      enableKeyRotation: true,
      removalPolicy,
    });

    this.tables = Object.fromEntries(
      (Object.entries(TABLES) as [TableKey, TableDefinition][]).map(([key, def]) => [
        key,
        new dynamodb.Table(this, def.id, {
          partitionKey: attribute(def.partitionKey),
          sortKey: def.sortKey && attribute(def.sortKey),
          billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
          encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
          encryptionKey: this.key,
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          timeToLiveAttribute: def.timeToLiveAttribute,
          stream: def.stream && dynamodb.StreamViewType[def.stream],
          deletionProtection: props.config.retainData,
          removalPolicy,
        }),
      ]),
    ) as Record<TableKey, dynamodb.Table>;
    for (const [key, def] of Object.entries(TABLES) as [TableKey, TableDefinition][]) {
      for (const index of def.globalSecondaryIndexes ?? []) {
        this.tables[key].addGlobalSecondaryIndex({
          indexName: index.indexName,
          partitionKey: attribute(index.partitionKey),
          sortKey: index.sortKey && attribute(index.sortKey),
        });
      }
    }

    this.secrets = Object.fromEntries(
      (Object.entries(SECRETS) as [SecretKey, SecretDefinition][]).map(([key, def]) => {
        const secret = new secretsmanager.Secret(this, def.id, {
          description: def.description,
          encryptionKey: this.key,
          generateSecretString: { passwordLength: def.generatedLength, excludePunctuation: true },
          removalPolicy,
        });
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions::AwsSolutions-SMG4',
          reason: 'Rotating the pseudonymisation key would change every user_id_hash and break customer history.',
        });
        return [key, secret];
      }),
    ) as Record<SecretKey, secretsmanager.Secret>;

    const accessLogs = new s3.Bucket(this, 'AccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(365), noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy,
      autoDeleteObjects: !props.config.retainData,
    });

    this.dataLake = new s3.Bucket(this, BUCKETS.dataLake.id, {
      bucketName: bucketName(BUCKETS.dataLake, props.config.stage),
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.key,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'data-lake/',
      lifecycleRules: [
        { prefix: 'raw/', transitions: [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(30) }] },
        { noncurrentVersionExpiration: Duration.days(30), abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // Quarantined records are kept to be fixed and replayed, then deleted (with their versions).
        {
          id: 'ExpireQuarantine',
          prefix: QUARANTINE_ROOT,
          expiration: Duration.days(props.config.quarantine.expireAfterDays),
          noncurrentVersionExpiration: Duration.days(1),
        },
      ],
      removalPolicy,
      autoDeleteObjects: !props.config.retainData,
    });
    new CfnOutput(this, STACK_OUTPUTS.dataLakeBucket, { value: this.dataLake.bucketName });
    new CfnOutput(this, STACK_OUTPUTS.ratesTableName, { value: this.tables.rates.tableName });
  }
}

/**
 * A deterministic name lets the stateless stack scope IAM to key prefixes of this bucket
 * without importing its ARN across stacks.
 */
export function bucketName(def: BucketDefinition, stage: string): string {
  return `${def.namePrefix}-${stage}-${Aws.ACCOUNT_ID}-${Aws.REGION}`;
}

function attribute(key: { name: string; type: 'S' | 'N' }): dynamodb.Attribute {
  return {
    name: key.name,
    type: key.type === 'S' ? dynamodb.AttributeType.STRING : dynamodb.AttributeType.NUMBER,
  };
}
