import { partnerTableOf, type PartnerTable } from '../adapters/aws/partner-idempotency';
import { partnerScopedTables, type TableForPartner } from '../adapters/aws/partner-scoped-dynamodb';
import { dynamoClient } from './clients';
import { ENV } from './env-names';
import { traced, type Observability } from './observability';

/**
 * The clients of each partner's partition. In AWS a partner's items are reached only through the
 * partner data role (PARTNER_DATA_ROLE_ARN), assumed per caller with the session tag
 * `client_id`: the function's own role reaches no partner's items. Locally (no IAM) the variable
 * is unset and the one table client serves every partner.
 */
export function partnerTablesFromEnv(tools: Observability): PartnerTable | TableForPartner {
  const roleArn = process.env[ENV.partnerDataRole];
  return roleArn
    ? partnerScopedTables({ roleArn, wrap: (client) => traced(tools, client) })
    : partnerTableOf(traced(tools, dynamoClient()));
}
