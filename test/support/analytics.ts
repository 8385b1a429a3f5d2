import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { curatedConversionRow, curatedConversionsParquet } from '../../lambdas/adapters/parquet/curated-conversions';
import { curatedRatesParquet } from '../../lambdas/adapters/parquet/curated-rates';
import { curatedTransactionsParquet } from '../../lambdas/adapters/parquet/curated-transactions';
import { lakeKeys } from '../../lambdas/domain/lake-keys';
import type { RateProviderName } from '../../lambdas/domain/rate-snapshot';
import type { EnrichedTransaction } from '../../lambdas/domain/transaction';
import type { StoredConversion } from '../../lambdas/ports/conversion-store';
import { LAKE_PREFIXES } from '../../lambdas/shared/lake-prefixes';
import { snapshotOf } from './rates';

/**
 * A small lake with known contents, written through the real curated writers. Every expected
 * value in the analytics tests is worked out by hand from these lines.
 *
 * Rates, quote per base, base EUR. Simulated: in force from its tick (UTC), rate date its UTC day:
 *   2024-01-02 09:00 USD 1.1000 JPY 160.00 | 12:00 USD 1.1200 JPY 159.50 | 15:00 USD 1.1000 JPY 161.00
 *   2024-01-03 09:00 USD 1.1100 JPY 161.00 | 15:00 USD 1.1220 JPY 161.00
 *   2024-01-04 12:00 USD 1.09956 JPY 164.22
 * ECB: in force from 16:00 Berlin on its rate date (15:00Z in January), nothing over the weekend:
 *   Friday 2024-01-05 USD 1.0921 | Monday 2024-01-08 USD 1.0946
 * Transactions (base USD); t3 is in two objects, as after a redelivered, regrouped batch:
 *   t1 2024-01-02 10:00 12.50 USD → 12.50 standard, Corner Shop (grocery)
 *   t2 2024-01-02 11:00 250.00 EUR → 275.00 medium_value, Grand Hotel (travel)
 *   t3 2024-01-02 12:00 1500.00 USD → 1500.00 high_value, Grand Hotel (travel)
 *   t4 2024-01-03 09:30 0.1 BTC → 4200.00 high_value + alert, Crypto Mart (electronics)
 *   t5 2024-01-03 18:45 99.99 USD → 99.99 standard, Corner Shop (grocery)
 *   t6 2024-01-03 20:00 1000 JPY → 6.85 standard, Ramen Bar (no category, no country)
 * Conversions; c2 is in two objects:
 *   c1 client-a 2024-01-02 10:00 100.00 EUR → 110.00 USD
 *   c2 client-a 2024-01-03 11:00 50.50 EUR → 55.55 USD
 *   c3 client-a 2024-01-03 12:00 10 USD → 1450 JPY
 *   c4 client-b 2024-01-03 13:00 1.00 EUR → 1.10 USD
 */
/** `published`: the tick of a simulated publication, the rate date of an ECB one (snapshotOf). */
export const KNOWN_RATES: readonly { provider: RateProviderName; published: string; rates: Record<string, string> }[] = [
  { provider: 'simulated', published: '2024-01-02T09:00:00.000Z', rates: { USD: '1.1000', JPY: '160.00' } },
  { provider: 'simulated', published: '2024-01-02T12:00:00.000Z', rates: { USD: '1.1200', JPY: '159.50' } },
  { provider: 'simulated', published: '2024-01-02T15:00:00.000Z', rates: { USD: '1.1000', JPY: '161.00' } },
  { provider: 'simulated', published: '2024-01-03T09:00:00.000Z', rates: { USD: '1.1100', JPY: '161.00' } },
  { provider: 'simulated', published: '2024-01-03T15:00:00.000Z', rates: { USD: '1.1220', JPY: '161.00' } },
  { provider: 'simulated', published: '2024-01-04T12:00:00.000Z', rates: { USD: '1.09956', JPY: '164.22' } },
  { provider: 'ecb', published: '2024-01-05', rates: { USD: '1.0921' } },
  { provider: 'ecb', published: '2024-01-08', rates: { USD: '1.0946' } },
];

const tx = (
  id: string,
  timestamp: string,
  amount: string,
  currency: string,
  amountBase: string,
  category: EnrichedTransaction['category'],
  merchant: string,
  merchantCategory: string | undefined,
  alert = false,
): EnrichedTransaction => ({
  transaction_id: id,
  user_id_hash: `hash-of-${id}`,
  amount,
  currency,
  amount_base: amountBase,
  amount_base_exact: amountBase,
  base_currency: 'USD',
  rate: currency === 'USD' ? '1' : '1.1',
  rate_as_of: '2024-01-02T00:00:00.000Z',
  rate_provider: 'simulated',
  rate_via: 'EUR/USD',
  category,
  high_value_alert: alert,
  merchant,
  merchant_category: merchantCategory,
  country: merchantCategory === undefined ? undefined : 'US',
  timestamp,
  processed_at_utc: timestamp.replace(':00.000Z', ':05.000Z'),
});

export const KNOWN_TRANSACTIONS = {
  t1: tx('t1', '2024-01-02T10:00:00.000Z', '12.50', 'USD', '12.50', 'standard', 'Corner Shop', 'grocery'),
  t2: tx('t2', '2024-01-02T11:00:00.000Z', '250.00', 'EUR', '275.00', 'medium_value', 'Grand Hotel', 'travel'),
  t3: tx('t3', '2024-01-02T12:00:00.000Z', '1500.00', 'USD', '1500.00', 'high_value', 'Grand Hotel', 'travel'),
  t4: tx('t4', '2024-01-03T09:30:00.000Z', '0.1', 'BTC', '4200.00', 'high_value', 'Crypto Mart', 'electronics', true),
  t5: tx('t5', '2024-01-03T18:45:00.000Z', '99.99', 'USD', '99.99', 'standard', 'Corner Shop', 'grocery'),
  t6: tx('t6', '2024-01-03T20:00:00.000Z', '1000', 'JPY', '6.85', 'standard', 'Ramen Bar', undefined),
};

const conversion = (id: string, createdAt: string, from: string, to: string, amount: string, converted: string): StoredConversion => ({
  id,
  createdAt,
  from,
  to,
  amount,
  converted,
  rate: '1.1',
  inverseRate: '0.909090909090909090909090909090909091',
  asOf: '2024-01-02T09:00:00.000Z',
  provider: 'simulated',
});

export const KNOWN_CONVERSIONS = {
  c1: { partner: 'client-a', conversion: conversion('c1', '2024-01-02T10:00:00.000Z', 'EUR', 'USD', '100.00', '110.00') },
  c2: { partner: 'client-a', conversion: conversion('c2', '2024-01-03T11:00:00.000Z', 'EUR', 'USD', '50.50', '55.55') },
  c3: { partner: 'client-a', conversion: conversion('c3', '2024-01-03T12:00:00.000Z', 'USD', 'JPY', '10', '1450') },
  c4: { partner: 'client-b', conversion: conversion('c4', '2024-01-03T13:00:00.000Z', 'EUR', 'USD', '1.00', '1.10') },
};

async function put(s3: S3Client, bucket: string, key: string, body: Uint8Array): Promise<string> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body }));
  return key;
}

/** Writes a batch of transactions as process-transactions does (one object per batch and day). */
export function putTransactions(s3: S3Client, bucket: string, batch: readonly EnrichedTransaction[]): Promise<string> {
  const key = lakeKeys.curatedBatch(LAKE_PREFIXES.curatedTransactions, batch[0].timestamp, batch.map((t) => t.transaction_id));
  return put(s3, bucket, key, curatedTransactionsParquet(batch));
}

export function putConversions(s3: S3Client, bucket: string, batch: readonly (typeof KNOWN_CONVERSIONS)['c1'][]): Promise<string> {
  const key = lakeKeys.curatedBatch(LAKE_PREFIXES.curatedConversions, batch[0].conversion.createdAt, batch.map((c) => c.conversion.id));
  return put(s3, bucket, key, curatedConversionsParquet(batch.map((c) => curatedConversionRow(c.partner, c.conversion))));
}

/** The whole known lake: 8 rate snapshots, 3 transaction objects (t3 twice), 3 conversion objects (c2 twice). */
export async function writeKnownLake(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for (const { provider, published, rates } of KNOWN_RATES) {
    const snapshot = snapshotOf(published, rates, { provider });
    keys.push(await put(s3, bucket, lakeKeys.curatedRates(LAKE_PREFIXES.curatedRates, snapshot), curatedRatesParquet(snapshot)));
  }
  const t = KNOWN_TRANSACTIONS;
  keys.push(await putTransactions(s3, bucket, [t.t1, t.t2, t.t3]));
  keys.push(await putTransactions(s3, bucket, [t.t3]));
  keys.push(await putTransactions(s3, bucket, [t.t4, t.t5, t.t6]));
  const c = KNOWN_CONVERSIONS;
  keys.push(await putConversions(s3, bucket, [c.c1]));
  keys.push(await putConversions(s3, bucket, [c.c2, c.c3, c.c4]));
  keys.push(await putConversions(s3, bucket, [c.c2]));
  return keys;
}
