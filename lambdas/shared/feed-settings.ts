import * as z from 'zod/mini';
import type { TransactionFeedsSettings } from '../ports/transaction-feed';

/**
 * TRANSACTION_FEEDS_JSON: each configured feed by name (lib/definitions/function-settings.ts
 * writes it). zod/mini, like every schema a pipeline function loads: it tree-shakes to the checks
 * used (README "Lean bundles").
 */
export const TRANSACTION_FEEDS_SETTINGS = z.record(
  z.string(),
  z.object({
    url: z.string(),
    pageSize: z.number().check(z.int(), z.minimum(1), z.maximum(1000)),
    credentialsSecretName: z.optional(z.string().check(z.minLength(1))),
  }),
) satisfies z.ZodMiniType<TransactionFeedsSettings>;
