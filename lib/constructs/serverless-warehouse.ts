import { Fn, RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as redshift from 'aws-cdk-lib/aws-redshiftserverless';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { acknowledgeWildcardResource } from './nag';

export interface ServerlessWarehouseProps {
  readonly namespaceName: string;
  readonly workgroupName: string;
  readonly databaseName: string;
  /** Redshift Processing Units the workgroup starts from. */
  readonly baseCapacity: number;
  /** The data lake; the COPY role reads only `copyPrefixes` of it. */
  readonly dataLake: s3.IBucket;
  readonly copyPrefixes: readonly string[];
  /** Encrypts the namespace and its managed admin secret; the lake's objects are under it too. */
  readonly dataKey: kms.IKey;
  readonly logRetention: logs.RetentionDays;
  /** Encrypts the VPC flow logs. */
  readonly logsKey: kms.IKey;
  /** @default false */
  readonly retainData?: boolean;
}

/** Redshift Serverless needs subnets in three Availability Zones. */
const AZ_COUNT = 3;

/**
 * Redshift Serverless for the star schema: a namespace whose admin password Secrets Manager
 * generates and rotates (nobody types it), a workgroup in a VPC of isolated subnets (no NAT, no
 * internet route, not publicly accessible, no inbound rule) with enhanced VPC routing through an
 * S3 gateway endpoint, and the role COPY assumes, which reads only the curated prefixes and
 * decrypts only with the data key.
 */
export class ServerlessWarehouse extends Construct {
  readonly vpc: ec2.Vpc;
  readonly securityGroup: ec2.SecurityGroup;
  readonly namespace: redshift.CfnNamespace;
  readonly workgroup: redshift.CfnWorkgroup;
  readonly copyRole: iam.Role;

  constructor(scope: Construct, id: string, props: ServerlessWarehouseProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      availabilityZones: Array.from({ length: AZ_COUNT }, (_, i) => Fn.select(i, Fn.getAzs())),
      natGateways: 0,
      subnetConfiguration: [{ name: 'warehouse', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      // COPY reaches S3 through the VPC (enhanced VPC routing), so the gateway endpoint is the only way out.
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
      restrictDefaultSecurityGroup: true,
    });
    this.vpc.addFlowLog('FlowLogs', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(
        new logs.LogGroup(this, 'FlowLogGroup', { retention: props.logRetention, encryptionKey: props.logsKey, removalPolicy }),
      ),
      trafficType: ec2.FlowLogTrafficType.ALL,
    });
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Redshift Serverless workgroup: no inbound rule (the Data API and Query Editor need none)',
      // Isolated subnets: outbound traffic can only reach the VPC and the S3 gateway endpoint.
      allowAllOutbound: true,
    });

    this.copyRole = new iam.Role(this, 'CopyRole', {
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('redshift.amazonaws.com'),
        new iam.ServicePrincipal('redshift-serverless.amazonaws.com'),
      ),
      description: 'Redshift COPY of the curated Parquet into the warehouse staging tables',
    });
    const objects = props.copyPrefixes.map((prefix) => props.dataLake.arnForObjects(`${prefix}/*`));
    this.copyRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: objects }));
    this.copyRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['s3:ListBucket'],
        resources: [props.dataLake.bucketArn],
        conditions: { StringLike: { 's3:prefix': props.copyPrefixes.map((prefix) => `${prefix}/*`) } },
      }),
    );
    this.copyRole.addToPolicy(new iam.PolicyStatement({ actions: ['s3:GetBucketLocation'], resources: [props.dataLake.bucketArn] }));
    this.copyRole.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:DescribeKey'], resources: [props.dataKey.keyArn] }));
    for (const resource of objects) {
      acknowledgeWildcardResource(
        this.copyRole.node.findChild('DefaultPolicy'),
        resource,
        'COPY loads every object of a date partition under this curated prefix, and nothing else.',
      );
    }

    this.namespace = new redshift.CfnNamespace(this, 'Namespace', {
      namespaceName: props.namespaceName,
      dbName: props.databaseName,
      adminUsername: 'fxadmin',
      manageAdminPassword: true,
      adminPasswordSecretKmsKeyId: props.dataKey.keyArn,
      kmsKeyId: props.dataKey.keyArn,
      iamRoles: [this.copyRole.roleArn],
      defaultIamRoleArn: this.copyRole.roleArn,
      logExports: ['userlog', 'connectionlog', 'useractivitylog'],
    });
    this.namespace.applyRemovalPolicy(removalPolicy);

    this.workgroup = new redshift.CfnWorkgroup(this, 'Workgroup', {
      workgroupName: props.workgroupName,
      namespaceName: this.namespace.namespaceName,
      baseCapacity: props.baseCapacity,
      publiclyAccessible: false,
      enhancedVpcRouting: true,
      subnetIds: this.vpc.isolatedSubnets.map((s) => s.subnetId),
      securityGroupIds: [this.securityGroup.securityGroupId],
      configParameters: [
        { parameterKey: 'require_ssl', parameterValue: 'true' },
        { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
      ],
    });
    this.workgroup.addResourceDependency(this.namespace);
    this.workgroup.applyRemovalPolicy(removalPolicy);
  }

  /** `arn:…:redshift-serverless:<region>:<account>:workgroup/<id>`: what the Data API and GetCredentials are scoped to. */
  get workgroupArn(): string {
    return this.workgroup.attrWorkgroupWorkgroupArn;
  }
}
