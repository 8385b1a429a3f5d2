import type { FeedTransaction, TransactionRules } from '../../lambdas/domain/transaction';
import type { TransactionMessage } from '../../lambdas/use-cases/process-transactions';

/** The stage default (lib/config/stage-config.ts). */
export const RULES: TransactionRules = {
  baseCurrency: 'USD',
  mediumValueFrom: '100',
  highValueFrom: '1000',
  alertAbove: '3000',
  maxFutureSkewSeconds: 300,
};

export const HMAC_KEY = 'test-pii-hmac-key-0123456789abcdef0123456789abcdef0123456789abcd';

/** A valid feed record; override any field or add others (undefined removes one). */
export function feedTransaction(
  overrides: Partial<Record<keyof FeedTransaction, unknown>> & Record<string, unknown> = {},
): Record<string, unknown> {
  const record: Record<string, unknown> = {
    transaction_id: 'tx-1',
    user_id: 'user-42',
    amount: '12.50',
    currency: 'USD',
    timestamp: '2024-01-10T12:00:00Z',
    merchant: 'Corner Shop',
    merchant_category: 'grocery',
    country: 'US',
    ...overrides,
  };
  for (const [key, value] of Object.entries(record)) if (value === undefined) delete record[key];
  return record;
}

/** A queue message carrying a record (objects are JSON-encoded, strings sent as they are). */
export function transactionMessage(
  messageId: string,
  body: unknown,
  firstReceivedAt = '2024-01-10T12:00:05.000Z',
  receiveCount = 1,
): TransactionMessage {
  return {
    messageId,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    receiveCount,
    firstReceivedAt,
  };
}
