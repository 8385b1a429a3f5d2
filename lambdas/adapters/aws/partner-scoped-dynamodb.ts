import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { documentClientOf } from '../../shared/clients';
import { PARTNER_SESSION_TAG } from '../../shared/api-table-keys';

/** The DynamoDB client to use for one partner's items. */
export type ClientForPartner = (partner: string) => DynamoDBDocumentClient;

export interface PartnerScopedOptions {
  /** The partner data role: its policy allows the partition named by the `client_id` session tag. */
  readonly roleArn: string;
  /** @default a client with the function's own credentials */
  readonly sts?: STSClient;
  /** Extra DynamoDB client settings (tests point it at a local endpoint). */
  readonly clientConfig?: DynamoDBClientConfig;
  /** Wraps each client (X-Ray). */
  readonly wrap?: (client: DynamoDBDocumentClient) => DynamoDBDocumentClient;
}

/**
 * One DynamoDB client per partner, whose credentials come from assuming `roleArn` with the
 * session tag `client_id = <partner>`: IAM then refuses any item outside that partner's
 * partition, whatever key the code builds. Clients live as long as the execution environment;
 * the SDK reuses their credentials and assumes the role again shortly before they expire.
 * Partners are the pool's app clients (the request pipeline refuses any other), so the cache is
 * bounded by the partner list.
 */
export function partnerScopedDocumentClients(options: PartnerScopedOptions): ClientForPartner {
  const sts = options.sts ?? new STSClient({});
  const clients = new Map<string, DynamoDBDocumentClient>();
  return (partner) => {
    let client = clients.get(partner);
    if (!client) {
      const dynamodb = new DynamoDBClient({
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
      client = (options.wrap ?? ((c) => c))(documentClientOf(dynamodb));
      clients.set(partner, client);
    }
    return client;
  };
}

/** `partner-<client id>` within STS's 2–64 characters of `[\w+=,.@-]`. */
function sessionName(partner: string): string {
  return `partner-${partner.replace(/[^\w+=,.@-]/g, '_')}`.slice(0, 64);
}
