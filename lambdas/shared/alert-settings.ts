import * as z from 'zod/mini';
import type { EmailTemplateKey } from '../ports/email-sender';

/**
 * The JSON settings the stage config gives the alert functions (lib/definitions/function-settings.ts
 * writes them, the handlers read them with parseJsonEnv).
 */

const decimalText = z.string().check(z.regex(/^\d+(\.\d+)?$/));

/** ALERT_RULES_JSON (alerts-api). */
export const ALERT_RULE_SETTINGS = z.object({
  maxRulesPerPartner: z.number().check(z.int(), z.minimum(1)),
  defaultHysteresisPercent: decimalText,
});

/** EMAIL_SETTINGS_JSON (evaluate-alerts, send-high-value-digest). */
export const EMAIL_SETTINGS = z.object({
  sender: z.string().check(z.minLength(3)),
  configurationSet: z.string().check(z.minLength(1)),
  region: z.optional(z.string()),
  templates: z.object({ rateAlert: z.string(), highValueDigest: z.string() }) satisfies z.ZodMiniType<Record<EmailTemplateKey, string>>,
});
export type EmailSettings = z.infer<typeof EMAIL_SETTINGS>;

/** HIGH_VALUE_DIGEST_JSON (collect-high-value-transactions, send-high-value-digest). */
export const HIGH_VALUE_DIGEST_SETTINGS = z.object({
  recipients: z.array(z.string()).check(z.minLength(1)),
  windowMinutes: z.number().check(z.int(), z.minimum(1)),
});
