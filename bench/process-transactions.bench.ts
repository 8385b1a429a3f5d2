import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { NumberValue } from '@aws-sdk/lib-dynamodb';
import { dynamoRateSeries } from '../lambdas/adapters/aws/dynamodb-rate-series';
import { dynamoTransactionStore } from '../lambdas/adapters/aws/dynamodb-transaction-store';
import { s3ObjectStore } from '../lambdas/adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import { curatedTransactionsParquet } from '../lambdas/adapters/parquet/curated-transactions';
import type { EnrichedTransaction } from '../lambdas/domain/transaction';
import type { TransactionStore } from '../lambdas/ports/transaction-store';
import { exportTransactions } from '../lambdas/use-cases/export-transactions';
import { cachedRateTimeline } from '../lambdas/adapters/rate-timeline';
import { policySeries, type RatePolicy } from '../lambdas/domain/rate-policy';
import { publicationOf } from '../lambdas/domain/rate-publication';
import {
  processTransactions,
  type TransactionMessage,
} from '../lambdas/use-cases/process-transactions';
import { RATE_WAIT } from '../lib/definitions/resources';
import type { BenchFigure } from './figures';

const RECORDS = 20_000;
/** The SQS trigger's batch size (lib/definitions/functions.ts). */
const BATCH_SIZE = 100;
/** Issue 8's target: 40 BatchWriteItem + 10 Parquet PUTs + amortized rate reads per 1,000. */
const TARGET_PER_1000 = 50;
/** Issue 12's target for the hot path (parse, validate, enrich, hash, Parquet, marshal) on one core. */
const TARGET_RECORDS_PER_SECOND = 100_000;
/** Why the hot path misses, from its profile; printed when it does. */
const HOT_PATH_NOTE =
  '100,000 records/s is 10 µs a record; this path spends 50-80 µs. Profile (npx tsx --cpu-prof bench/run.ts process-transactions), ' +
  "share of processTransactions' time: Parquet encoding 37% (hyparquet-writer: snappy, thrift, dictionaries; it was 46% before the " +
  "DECIMAL columns' unscaled values were taken from the digits instead of Decimal arithmetic per value), decimal.js 19% (parsing " +
  'amounts, the exact product and one division per conversion, the value tiers), DynamoDB marshalling 6%, exact JSON parsing with ' +
  'its duplicate-key check 6%, instants 4%, HMAC 4%; garbage collection adds ~14%. No single part closes it: it would take a ' +
  'Parquet writer that encodes columns without boxing every value (or no snappy on this path), amounts as scaled BigInts rather ' +
  'than Decimals through validation and enrichment, and one JSON pass that also finds duplicate keys.';
const START = Date.parse('2024-01-10T00:00:00.000Z');
/** The feed's records are spread over a day, in time order, as a partner's page stream would be. */
const SPAN_MS = 86_400_000;
const COIN_EVERY_MS = 5 * 60_000;

const CURRENCIES = ['USD', 'EUR', 'EUR', 'JPY', 'GBP', 'BTC', 'CHF'];
const RULES = {
  baseCurrency: 'USD',
  mediumValueFrom: '100',
  highValueFrom: '1000',
  alertAbove: '3000',
  maxFutureSkewSeconds: 300,
};
const POLICY: RatePolicy = {
  fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }],
  crypto: [{ provider: 'coingecko', staleAfter: 'PT30M' }],
};

/** Series items as process-rates writes them: the ECB's publications of the 9th and 10th, a CoinGecko price every 5 minutes. */
function seriesItems(): Map<string, Record<string, unknown>[]> {
  const item = (provider: string, base: string, at: string, rates: Record<string, [string, string]>) => {
    const { inForceFrom, rateDate } = publicationOf(provider as 'ecb', at);
    return {
      pk: `SERIES#${provider}#${base}`,
      sk: inForceFrom,
      provider,
      base,
      inForceFrom,
      rateDate,
      snapshotId: `${provider}-${base}-${inForceFrom}`,
      rates: Object.fromEntries(Object.entries(rates).map(([q, [rate, orientation]]) => [q, { rate: NumberValue.from(rate), published: rate, orientation }])),
    };
  };
  const fiat = { USD: ['1.0950', 'quote-per-base'], JPY: ['158.47', 'quote-per-base'], GBP: ['0.86075', 'quote-per-base'], CHF: ['0.9345', 'quote-per-base'] } as Record<string, [string, string]>;
  const coins = [];
  for (let t = START - COIN_EVERY_MS; t <= START + SPAN_MS; t += COIN_EVERY_MS) {
    coins.push(item('coingecko', 'USD', new Date(t).toISOString(), { BTC: ['43012.55', 'base-per-quote'] }));
  }
  return new Map([
    ['SERIES#ecb#EUR', ['2024-01-09', '2024-01-10'].map((day) => item('ecb', 'EUR', day, fiat))],
    ['SERIES#coingecko#USD', coins],
  ]);
}

/** Fake SDK clients answering like the services and counting each call as one AWS request. */
function fakeClients() {
  const counts = { rateReads: 0, batchWrites: 0, s3Put: 0, sqsSendBatch: 0, secretsGet: 1 };
  const history = seriesItems();
  const checkedAt = new Date(START + SPAN_MS + 60_000).toISOString();
  const dynamodb = {
    async send(command: { input: Record<string, unknown> }) {
      const input = command.input as Record<string, never>;
      if ('KeyConditionExpression' in input) {
        counts.rateReads++;
        const { ':pk': pk, ':bound': bound } = (command as QueryCommand).input.ExpressionAttributeValues as Record<string, string>;
        const items = history.get(pk) ?? [];
        const forward = (command as QueryCommand).input.ScanIndexForward !== false;
        const matching = forward ? items.filter((i) => (i.sk as string) > bound) : items.filter((i) => (i.sk as string) <= bound).reverse();
        const limit = (command as QueryCommand).input.Limit!;
        return { Items: matching.slice(0, limit), LastEvaluatedKey: matching.length > limit ? {} : undefined };
      }
      const requests = (input as unknown as { RequestItems: Record<string, { Keys?: { pk: string }[] }> }).RequestItems;
      const [table] = Object.keys(requests);
      if (requests[table].Keys) {
        counts.rateReads++;
        const latest = requests[table].Keys!.flatMap(({ pk }) => {
          const items = history.get(pk.replace('LATEST#', 'SERIES#')) ?? [];
          return items.length ? [{ ...items[items.length - 1], pk, sk: 'LATEST', fetchedAt: checkedAt, checkedAt }] : [];
        });
        return { Responses: { [table]: latest } };
      }
      counts.batchWrites++;
      return { UnprocessedItems: {} };
    },
  } as unknown as DynamoDBDocumentClient;
  const s3 = { send: async () => void counts.s3Put++ } as unknown as S3Client;
  const sqs = {
    async send(command: SendMessageBatchCommand) {
      counts.sqsSendBatch++;
      return { Successful: command.input.Entries!.map((e) => ({ Id: e.Id })), Failed: [] };
    },
  } as unknown as SQSClient;
  return { counts, dynamodb, s3, sqs };
}

function generate(): TransactionMessage[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: RECORDS }, (_, i) => {
    const at = START + Math.floor((i / RECORDS) * SPAN_MS);
    const currency = CURRENCIES[Math.floor(random() * CURRENCIES.length)];
    // Mostly small amounts, some large: log-uniform between 1 and 5,000 (BTC: 0.00002 to 0.1).
    const size = Math.exp(random() * Math.log(5000));
    const amount = currency === 'BTC' ? (size / 50_000).toFixed(8) : size.toFixed(2);
    const record = {
      transaction_id: `tx-${String(i).padStart(6, '0')}`,
      user_id: `user-${Math.floor(random() * 2000)}`,
      // About one record in a hundred is bad and goes to quarantine.
      amount: random() < 0.01 ? '-1' : amount,
      currency,
      timestamp: new Date(at).toISOString(),
      merchant: `merchant-${Math.floor(random() * 500)}`,
      merchant_category: 'retail',
      country: 'US',
    };
    return {
      messageId: `m-${i}`,
      body: JSON.stringify(record),
      receiveCount: 1,
      firstReceivedAt: new Date(at + 2_000).toISOString(),
    };
  });
}

/** The items a store wrote go to `written`, as the table's stream would carry them. */
function storedInto(store: TransactionStore, written: EnrichedTransaction[]): TransactionStore {
  return {
    async putAll(transactions) {
      const outcome = await store.putAll(transactions);
      const left = new Set([...outcome.unwritten, ...outcome.rejected.map((r) => r.transaction_id)]);
      written.push(...transactions.filter((t) => !left.has(t.transaction_id)));
      return outcome;
    },
  };
}

/**
 * process-transactions over 20,000 feed records in SQS-sized batches, then export-transactions on
 * each batch's stored items (the stream's batch), AWS replaced by counting fakes.
 */
export async function run(): Promise<BenchFigure[]> {
  const messages = generate();
  const { counts, dynamodb, s3, sqs } = fakeClients();
  const written: EnrichedTransaction[] = [];
  const clock = () => new Date(START + SPAN_MS + 120_000);
  const deps = {
    rates: { policy: POLICY, timeline: cachedRateTimeline(dynamoRateSeries(dynamodb, 'rates'), { series: policySeries(POLICY), clock }) },
    rateWait: RATE_WAIT,
    clock,
    store: storedInto(dynamoTransactionStore(dynamodb, 'transactions'), written),
    lake: s3ObjectStore(s3, 'lake'),
    highValue: sqsMessagePublisher(sqs, 'high-value'),
    rules: RULES,
    hmacKey: 'bench-hmac-key',
    quarantinePrefix: 'quarantine/transactions',
  };
  const exportDeps = { lake: s3ObjectStore(s3, 'lake'), curatedPrefix: 'curated/transactions', toCurated: curatedTransactionsParquet };

  const started = process.hrtime.bigint();
  for (let i = 0; i < messages.length; i += BATCH_SIZE) {
    const result = await processTransactions(deps, messages.slice(i, i + BATCH_SIZE));
    if (result.failedMessageIds.length > 0)
      throw new Error(`unexpected failures: ${result.failures[0].reason}`);
    // What the transactions table's stream then hands export-transactions: the batch's items.
    await exportTransactions(exportDeps, written.splice(0).map((transaction, j) => ({ sequenceNumber: String(j), transaction })));
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const per1000 = (n: number) => Math.round((n / RECORDS) * 1000 * 10) / 10;
  const requests = Object.values(counts).reduce((a, b) => a + b, 0);
  const targeted = per1000(counts.batchWrites + counts.rateReads + Math.ceil(RECORDS / BATCH_SIZE));
  const recordsPerSecond = Math.round(RECORDS / seconds);
  return [
    {
      figure: `process-transactions + export-transactions hot path records/s (one core, ${RECORDS.toLocaleString('en-US')} records, AWS stubbed)`,
      value: recordsPerSecond,
      unit: 'records/s',
      target: `>= ${TARGET_RECORDS_PER_SECOND.toLocaleString('en-US')}`,
      met: recordsPerSecond >= TARGET_RECORDS_PER_SECOND,
      ...(recordsPerSecond < TARGET_RECORDS_PER_SECOND ? { note: HOT_PATH_NOTE } : {}),
    },
    {
      figure: 'process-transactions + export-transactions AWS requests per 1,000 records: BatchWriteItem + Parquet PUTs + rate reads',
      value: targeted,
      // Issue 8: 40 BatchWriteItem (25 items each) + one Parquet PUT per batch of 100, plus amortized rate reads.
      target: `<= ${TARGET_PER_1000} + amortized rate reads (< 1)`,
      met: per1000(counts.batchWrites + Math.ceil(RECORDS / BATCH_SIZE)) <= TARGET_PER_1000 && per1000(counts.rateReads) < 1,
      note: `${per1000(counts.batchWrites)} BatchWriteItem + ${per1000(Math.ceil(RECORDS / BATCH_SIZE))} Parquet PUTs (one per batch of ${BATCH_SIZE}) + ${per1000(counts.rateReads)} rate reads`,
    },
    {
      figure: 'process-transactions + export-transactions AWS requests per 1,000 records, all (with quarantine PUTs and high-value events)',
      value: per1000(requests),
      note: `S3 PUTs ${per1000(counts.s3Put)} (Parquet and quarantine), SQS SendMessageBatch ${per1000(counts.sqsSendBatch)} (high-value events)`,
    },
  ];
}
