import { parseAmount } from './amount';
import { convert, type RateFraction } from './cross-rate';
import * as z from 'zod/mini';
import { findCurrency, requireCurrency } from './currency';
import { Decimal } from './decimal';
import { InvalidAmountError } from './errors';
import { LIMITS, utf8Bytes } from './record-limits';
import { parseInstant } from './instant';

/** A transaction as the partner feed sends it (README, "Partner transaction feed"). */
export interface FeedTransaction {
  readonly transaction_id: string;
  readonly user_id: string;
  readonly amount: string | number;
  readonly currency: string;
  readonly timestamp: string;
  readonly merchant: string;
  readonly merchant_category?: string;
  readonly country?: string;
}

/** The fields of the feed contract, in the contract's order. */
export const FEED_FIELDS = [
  'transaction_id',
  'user_id',
  'amount',
  'currency',
  'timestamp',
  'merchant',
  'merchant_category',
  'country',
] as const;

export type TransactionRejection =
  | 'MALFORMED'
  | 'MISSING_FIELD'
  | 'UNSUPPORTED_CURRENCY'
  | 'INVALID_AMOUNT'
  | 'INVALID_TIMESTAMP'
  | 'FUTURE_TIMESTAMP'
  /** transaction_id is longer than a DynamoDB key may be (2048 bytes in UTF-8). */
  | 'KEY_TOO_LONG'
  /** The record is larger than a queue message may be (1 MiB), or its item than DynamoDB takes (400 KB). */
  | 'TOO_LARGE'
  /** DynamoDB refused the item for another reason (a ValidationException); its message is the detail. */
  | 'STORE_REJECTED'
  /** No rate was in force for the currency at the timestamp (before the first publication, or no source publishes it). */
  | 'NO_RATE_AT_TIME';

/** A feed transaction that passed validation. */
export interface ValidTransaction {
  readonly transaction_id: string;
  readonly user_id: string;
  /** Plain positive decimal with the sender's digits ("12.50"); at most 20 integer and 18 fraction digits. */
  readonly amount: string;
  /** A supported currency code (ISO 4217 or crypto). */
  readonly currency: string;
  /** The instant in UTC with milliseconds, "2024-01-10T12:00:00.000Z". */
  readonly timestamp: string;
  readonly merchant: string;
  readonly merchant_category?: string;
  readonly country?: string;
}

/**
 * The curated Parquet columns are DECIMAL(38,18): amounts keep at most 18 fraction digits and
 * 20 integer digits, so every accepted amount is stored without rounding.
 */
export const AMOUNT_SCALE = 18;
const AMOUNT_INTEGER_DIGITS = 38 - AMOUNT_SCALE;
/** The longest text field accepted, in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 1024;

const REQUIRED_TEXT = ['transaction_id', 'user_id', 'merchant'] as const;
const OPTIONAL_TEXT = ['merchant_category', 'country'] as const;
const REQUIRED = FEED_FIELDS.filter((field) => !(OPTIONAL_TEXT as readonly string[]).includes(field));

class Rejected extends Error {
  constructor(
    readonly reason: TransactionRejection,
    readonly detail: string,
  ) {
    super(detail);
  }
}

/**
 * Checks one feed record. `detail` names the field and shows a bad value only when it is a
 * short string or a number of a contract field other than user_id (see shownValue), so it
 * never carries the user id or anything a quarantine line leaves out.
 */
export function validateTransaction(
  input: unknown,
  now: Date,
  maxFutureSkewSeconds: number,
):
  | { ok: true; value: ValidTransaction }
  | { ok: false; reason: TransactionRejection; detail: string } {
  try {
    return { ok: true, value: check(input, now, maxFutureSkewSeconds) };
  } catch (error) {
    if (error instanceof Rejected) return { ok: false, reason: error.reason, detail: error.detail };
    throw error;
  }
}

export type ValidationResult = ReturnType<typeof validateTransaction>;

function check(input: unknown, now: Date, maxFutureSkewSeconds: number): ValidTransaction {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new Rejected('MALFORMED', 'a transaction must be a JSON object');
  }
  const record = input as Record<string, unknown>;
  for (const field of REQUIRED) {
    const value = record[field];
    if (
      value === undefined ||
      value === null ||
      (typeof value === 'string' && value.trim() === '')
    ) {
      throw new Rejected('MISSING_FIELD', `${field} is missing`);
    }
  }
  for (const field of [...REQUIRED_TEXT, ...OPTIONAL_TEXT]) {
    const value = record[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') throw new Rejected('MALFORMED', `${field} must be a string`);
    if (value.length > MAX_TEXT_LENGTH) {
      throw new Rejected('MALFORMED', `${field} is longer than ${MAX_TEXT_LENGTH} characters`);
    }
  }
  const idBytes = utf8Bytes(record.transaction_id as string);
  if (idBytes > LIMITS.dynamoPartitionKeyBytes) {
    throw new Rejected(
      'KEY_TOO_LONG',
      `transaction_id is ${idBytes} bytes in UTF-8; DynamoDB keys hold at most ${LIMITS.dynamoPartitionKeyBytes}`,
    );
  }
  const optional = (field: (typeof OPTIONAL_TEXT)[number]) => {
    const value = record[field] as string | null | undefined;
    return value === undefined || value === null || value === '' ? {} : { [field]: value };
  };
  return {
    transaction_id: record.transaction_id as string,
    user_id: record.user_id as string,
    amount: checkAmount(record.amount),
    currency: checkCurrency(record.currency),
    timestamp: checkTimestamp(record.timestamp, now, maxFutureSkewSeconds),
    merchant: record.merchant as string,
    ...optional('merchant_category'),
    ...optional('country'),
  };
}

function checkAmount(value: unknown): string {
  let amount: Decimal;
  try {
    amount = parseAmount(value);
  } catch (error) {
    if (!(error instanceof InvalidAmountError)) throw error;
    // parseAmount's message quotes up to 64 characters of any value; keep to what shownValue shows.
    const shown = typeof value === 'number' || (typeof value === 'string' && value.length <= SHOWN_CHARS);
    throw new Rejected(
      'INVALID_AMOUNT',
      shown ? error.message : `amount must be a positive decimal string like "12.50"; got ${shownValue(value)}`,
    );
  }
  if (amount.decimalPlaces() > AMOUNT_SCALE) {
    throw new Rejected(
      'INVALID_AMOUNT',
      `amount has more than ${AMOUNT_SCALE} fraction digits; got ${amount}`,
    );
  }
  if (amount.gte(new Decimal(10).pow(AMOUNT_INTEGER_DIGITS))) {
    throw new Rejected(
      'INVALID_AMOUNT',
      `amount has more than ${AMOUNT_INTEGER_DIGITS} integer digits; got ${amount}`,
    );
  }
  // parseAmount accepted it, so the text (or the exact number's text) is a plain decimal.
  return typeof value === 'string' ? value : amount.toString();
}

function checkCurrency(value: unknown): string {
  const code = typeof value === 'string' ? value : '';
  if (!findCurrency(code)) {
    throw new Rejected(
      'UNSUPPORTED_CURRENCY',
      `currency ${shownValue(value)} is not a supported ISO 4217 code or crypto asset`,
    );
  }
  return code;
}

/** Normalizes to UTC with milliseconds; digits beyond milliseconds are truncated. */
function checkTimestamp(value: unknown, now: Date, maxFutureSkewSeconds: number): string {
  const shown = shownValue(value);
  const parsed = parseInstant(value);
  if (!parsed.ok) throw new Rejected('INVALID_TIMESTAMP', `timestamp ${shown} ${parsed.problem}`);
  if (Date.parse(parsed.iso) > now.getTime() + maxFutureSkewSeconds * 1000) {
    throw new Rejected(
      'FUTURE_TIMESTAMP',
      `timestamp ${shown} is more than ${maxFutureSkewSeconds}s after ${now.toISOString()}`,
    );
  }
  return parsed.iso;
}

const SHOWN_CHARS = 64;

/**
 * How an error detail shows a bad value: a string of up to 64 characters quoted, a number as
 * written, anything else only by its kind ("a 5000-character string", "an object"). Whatever
 * is shown is also kept by the quarantine line, so a detail never leaks what the line drops
 * (a nested object, an oversize text).
 */
export function shownValue(value: unknown): string {
  if (typeof value === 'string') {
    return value.length <= SHOWN_CHARS ? JSON.stringify(value) : `a ${value.length}-character string`;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (isRawJson(value)) return value.rawJSON.length <= SHOWN_CHARS ? value.rawJSON : 'a long number';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/** A number read with its digits kept (JSON.rawJSON). */
export function isRawJson(value: unknown): value is { readonly rawJSON: string } {
  return (JSON as unknown as { isRawJSON(v: unknown): boolean }).isRawJSON(value);
}

/** The thresholds of TransactionRules (lib/config/stage-config.ts), as decimal strings in base currency. */
export interface CategoryRules {
  readonly mediumValueFrom: string;
  readonly highValueFrom: string;
  readonly alertAbove: string;
}

export type TransactionCategory = 'high_value' | 'medium_value' | 'standard';

export function categorize(amountBase: Decimal, rules: CategoryRules): TransactionCategory {
  if (amountBase.gte(rules.highValueFrom)) return 'high_value';
  if (amountBase.gte(rules.mediumValueFrom)) return 'medium_value';
  return 'standard';
}

export function isHighValueAlert(amountBase: Decimal, rules: CategoryRules): boolean {
  return amountBase.gt(rules.alertAbove);
}

/** The rate a transaction was converted at: units of the base currency per 1 unit of its own. */
export interface AppliedRate extends RateFraction {
  /** numerator / denominator, plain decimal at 60 significant digits. */
  readonly rate: string;
  /** In force from: the publication instant of the published rate (the oldest leg's for a cross). */
  readonly asOf: string;
  readonly provider: string;
  /** The published pairs used: "identity", "EUR/USD", or "EUR/JPY,EUR/USD" for a cross through EUR. */
  readonly via: string;
}

/** What process-transactions stores: no raw user_id, amounts as exact decimal strings. */
export interface EnrichedTransaction {
  readonly transaction_id: string;
  readonly user_id_hash: string;
  /** The sender's digits. */
  readonly amount: string;
  readonly currency: string;
  /** amount x rate rounded half-even to the base currency's minor units, e.g. "1234.50". */
  readonly amount_base: string;
  /** amount x rate before rounding. */
  readonly amount_base_exact: string;
  readonly base_currency: string;
  readonly rate: string;
  readonly rate_as_of: string;
  readonly rate_provider: string;
  readonly rate_via: string;
  readonly category: TransactionCategory;
  readonly high_value_alert: boolean;
  readonly merchant: string;
  readonly merchant_category?: string;
  readonly country?: string;
  readonly timestamp: string;
  readonly processed_at_utc: string;
}

/** Same shape as TransactionRules in lib/config/stage-config.ts (lambdas do not import lib/). */
export interface TransactionRules extends CategoryRules {
  /** amount_base is in this currency. */
  readonly baseCurrency: string;
  readonly maxFutureSkewSeconds: number;
}

const shown = (value: unknown) => JSON.stringify(value) ?? String(value);
const decimalSetting = z.string({ error: (issue) => `must be a decimal string, got ${shown(issue.input)}` }).check(
  z.regex(/^\d+(\.\d+)?$/, { error: (issue) => `must be a decimal string, got ${shown(issue.input)}` }),
);
const wholeSeconds = (issue: { input: unknown }) => `must be a whole number >= 0, got ${shown(issue.input)}`;

/** TRANSACTION_RULES_JSON, as the stage config's `transactions.rules` writes it. */
export const TRANSACTION_RULES = z.object({
  baseCurrency: z.string().check(
    z.refine((code) => findCurrency(code) !== undefined, { error: (issue) => `Unsupported currency ${shown(issue.input)}` }),
  ),
  mediumValueFrom: decimalSetting,
  highValueFrom: decimalSetting,
  alertAbove: decimalSetting,
  maxFutureSkewSeconds: z.number({ error: wholeSeconds }).check(z.int({ error: wholeSeconds }), z.minimum(0, { error: wholeSeconds })),
}) satisfies z.ZodMiniType<TransactionRules>;

/** Checks rules read from configuration; throws naming the first bad setting. */
export function checkTransactionRules(input: unknown): TransactionRules {
  const result = z.safeParse(TRANSACTION_RULES, input ?? {});
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  throw new Error(`transaction rules: ${issue.path.join('.')} ${issue.message}`);
}

/**
 * Converts and categorizes. Categories and the alert compare the rounded amount_base, the value
 * that is stored and reported. Throws InvalidAmountError when amount_base would not fit the
 * curated DECIMAL(38,18) column (a data problem: the record is quarantined, not retried).
 */
export function enrichTransaction(
  tx: ValidTransaction,
  context: {
    readonly rate: AppliedRate;
    readonly userIdHash: string;
    readonly rules: Omit<TransactionRules, 'maxFutureSkewSeconds'>;
    readonly processedAt: string;
  },
): EnrichedTransaction {
  const base = requireCurrency(context.rules.baseCurrency);
  const { exact, rounded } = convert(tx.amount, context.rate, base);
  if (rounded.gte(new Decimal(10).pow(AMOUNT_INTEGER_DIGITS))) {
    throw new InvalidAmountError(
      `amount_base ${rounded.toFixed()} ${base.code} has more than ${AMOUNT_INTEGER_DIGITS} integer digits`,
      { field: 'amount_base' },
    );
  }
  return {
    transaction_id: tx.transaction_id,
    user_id_hash: context.userIdHash,
    amount: tx.amount,
    currency: tx.currency,
    amount_base: rounded.toFixed(base.minorUnits),
    amount_base_exact: exact.toString(),
    base_currency: base.code,
    rate: context.rate.rate,
    rate_as_of: context.rate.asOf,
    rate_provider: context.rate.provider,
    rate_via: context.rate.via,
    category: categorize(rounded, context.rules),
    high_value_alert: isHighValueAlert(rounded, context.rules),
    merchant: tx.merchant,
    ...(tx.merchant_category !== undefined && { merchant_category: tx.merchant_category }),
    ...(tx.country !== undefined && { country: tx.country }),
    timestamp: tx.timestamp,
    processed_at_utc: context.processedAt,
  };
}
