import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { AWS_CLIENT_CONFIG } from '../../shared/aws-client-config';
import { PARTNER_SESSION_TAG } from '../../shared/api-table-keys';
import { partnerTableOf, type PartnerTable } from './partner-idempotency';

/** The DynamoDB clients to use for one partner's items. */
export type TableForPartner = (partner: string) => PartnerTable;

export interface PartnerScopedOptions {
  /** The partner data role: its policy allows the partition named by the `client_id` session tag. */
  readonly roleArn: string;
  /** @default a client with the function's own credentials */
  readonly sts?: STSClient;
  /** Extra DynamoDB client settings (tests point it at a local endpoint). */
  readonly clientConfig?: DynamoDBClientConfig;
  /** Wraps each client (X-Ray). */
  readonly wrap?: (client: DynamoDBClient) => DynamoDBClient;
}

/**
 * One DynamoDB client per partner, whose credentials come from assuming `roleArn` with the
 * session tag `client_id = <partner>`: IAM then refuses any item outside that partner's
 * partition, whatever key the code builds. Clients live as long as the execution environment;
 * the SDK reuses their credentials and assumes the role again shortly before they expire.
 * Partners are the pool's app clients (the request pipeline refuses any other), so the cache is
 * bounded by the partner list.
 */
export function partnerScopedTables(options: PartnerScopedOptions): TableForPartner {
  const sts = options.sts ?? new STSClient(AWS_CLIENT_CONFIG);
  const clients = new Map<string, PartnerTable>();
  return (partner) => {
    let client = clients.get(partner);
    if (!client) {
      const dynamodb = new DynamoDBClient({
        ...AWS_CLIENT_CONFIG,
        ...options.clientConfig,
        credentials: async () => {
          const { Credentials } = await sts.send(
            new AssumeRoleCommand({
              RoleArn: options.roleArn,
              RoleSessionName: sessionName(partner),
              Tags: [{ Key: PARTNER_SESSION_TAG, Value: partner }],
            }),
          );
          if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) {
            throw new Error(`AssumeRole for partner ${partner} returned no credentials`);
          }
          return {
            accessKeyId: Credentials.AccessKeyId,
            secretAccessKey: Credentials.SecretAccessKey,
            sessionToken: Credentials.SessionToken,
            expiration: Credentials.Expiration,
          };
        },
      });
      client = partnerTableOf((options.wrap ?? ((c) => c))(dynamodb));
      clients.set(partner, client);
    }
    return client;
  };
}

/** `partner-<client id>` within STS's 2–64 characters of `[\w+=,.@-]`. */
function sessionName(partner: string): string {
  return `partner-${partner.replace(/[^\w+=,.@-]/g, '_')}`.slice(0, 64);
}
