import * as z from 'zod';
import type { TransactionFeedsSettings } from '../ports/transaction-feed';

/** TRANSACTION_FEEDS_JSON: each configured feed by name (lib/definitions/function-settings.ts writes it). */
export const TRANSACTION_FEEDS_SETTINGS = z.record(
  z.string(),
  z.object({
    url: z.string(),
    pageSize: z.number().int().min(1).max(1000),
    credentialsSecretName: z.string().min(1).optional(),
  }),
) satisfies z.ZodType<TransactionFeedsSettings>;
