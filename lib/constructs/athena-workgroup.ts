import { Aws } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { namedQueries } from '../analytics/named-queries';

export interface AthenaWorkgroupProps {
  readonly workgroupName: string;
  /** The Glue database the named queries run in. */
  readonly databaseName: string;
  /** Results go to `s3://<bucket>/<resultsPrefix>/`. */
  readonly bucketName: string;
  readonly resultsPrefix: string;
  /** The data lake's key: results are encrypted with it (SSE-KMS). */
  readonly dataKey: kms.IKey;
  /** A query that would scan more is cancelled. */
  readonly bytesScannedCutoffPerQuery: number;
  /** Keep the workgroup's history when the stack is deleted (prod). @default false */
  readonly retainData?: boolean;
}

/**
 * The analysts' Athena workgroup: engine v3, settings enforced (a client cannot send results
 * elsewhere or unencrypted), results in the lake under their own prefix with the stack's key,
 * a bytes-scanned limit per query, and one named query per `.sql` file of lib/analytics/queries.
 */
export class AthenaWorkgroup extends Construct {
  readonly workgroup: athena.CfnWorkGroup;
  readonly namedQueries: Record<string, athena.CfnNamedQuery>;

  constructor(scope: Construct, id: string, props: AthenaWorkgroupProps) {
    super(scope, id);
    this.workgroup = new athena.CfnWorkGroup(this, 'Workgroup', {
      name: props.workgroupName,
      description: 'FX Platform analysts: curated rates, transactions and conversions',
      state: 'ENABLED',
      // dev can be deleted with its query history; prod keeps it.
      recursiveDeleteOption: !props.retainData,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        bytesScannedCutoffPerQuery: props.bytesScannedCutoffPerQuery,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        resultConfiguration: {
          outputLocation: `s3://${props.bucketName}/${props.resultsPrefix}/`,
          encryptionConfiguration: { encryptionOption: 'SSE_KMS', kmsKey: props.dataKey.keyArn },
          expectedBucketOwner: Aws.ACCOUNT_ID,
          aclConfiguration: { s3AclOption: 'BUCKET_OWNER_FULL_CONTROL' },
        },
      },
    });
    this.namedQueries = Object.fromEntries(
      namedQueries().map((query) => {
        const resource = new athena.CfnNamedQuery(this, `Query-${query.name}`, {
          name: query.name,
          description: query.description.slice(0, 1024),
          database: props.databaseName,
          workGroup: this.workgroup.ref,
          queryString: query.sql,
        });
        return [query.name, resource];
      }),
    );
  }
}
