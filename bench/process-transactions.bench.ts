import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type {
  BatchWriteCommand,
  DynamoDBDocumentClient,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import { dynamoRateHistory } from '../lambdas/adapters/aws/dynamodb-rate-history';
import { dynamoTransactionStore } from '../lambdas/adapters/aws/dynamodb-transaction-store';
import { s3ObjectStore } from '../lambdas/adapters/aws/s3-object-store';
import { sqsMessagePublisher } from '../lambdas/adapters/aws/sqs-message-publisher';
import { curatedTransactionsParquet } from '../lambdas/adapters/parquet/curated-transactions';
import {
  processTransactions,
  type TransactionMessage,
} from '../lambdas/use-cases/process-transactions';

const RECORDS = 20_000;
/** The SQS trigger's batch size (lib/definitions/functions.ts). */
const BATCH_SIZE = 100;
const START = Date.parse('2024-01-10T00:00:00.000Z');
/** The feed's records are spread over a day, in time order, as a partner's page stream would be. */
const SPAN_MS = 86_400_000;
const RATE_EVERY_MS = 5 * 60_000;

const CURRENCIES = ['USD', 'EUR', 'EUR', 'JPY', 'GBP', 'BTC', 'CHF'];
const RULES = {
  baseCurrency: 'USD',
  mediumValueFrom: '100',
  highValueFrom: '1000',
  alertAbove: '3000',
  maxFutureSkewSeconds: 300,
};

/** Rate history items as process-rates writes them: EUR-based fiat every 5 minutes, USD/BTC base-per-quote. */
function rateItems(): Map<string, { sk: string; [k: string]: unknown }[]> {
  const byPk = new Map<string, { sk: string; [k: string]: unknown }[]>();
  const pairs = [
    ['EUR', 'USD', '1.0950', 'quote-per-base'],
    ['EUR', 'JPY', '158.47', 'quote-per-base'],
    ['EUR', 'GBP', '0.86075', 'quote-per-base'],
    ['EUR', 'CHF', '0.9345', 'quote-per-base'],
    ['USD', 'BTC', '43012.55', 'base-per-quote'],
  ];
  for (const [base, quote, rate, orientation] of pairs) {
    const items = [];
    for (let t = START - RATE_EVERY_MS; t <= START + SPAN_MS; t += RATE_EVERY_MS) {
      const asOf = new Date(t).toISOString();
      items.push({
        sk: `${asOf}#simulated`,
        published: rate,
        orientation,
        asOf,
        provider: 'simulated',
      });
    }
    byPk.set(`HISTORY#${base}#${quote}`, items);
  }
  return byPk;
}

/** Fake SDK clients answering like the services and counting each call as one AWS request. */
function fakeClients() {
  const counts = {
    dynamodbQuery: 0,
    dynamodbBatchWrite: 0,
    s3Put: 0,
    sqsSendBatch: 0,
    secretsGet: 1,
  };
  const history = rateItems();
  const dynamodb = {
    async send(command: QueryCommand | BatchWriteCommand) {
      if ('KeyConditionExpression' in command.input) {
        counts.dynamodbQuery++;
        const input = (command as QueryCommand).input;
        const { ':pk': pk, ':bound': bound } = input.ExpressionAttributeValues as Record<
          string,
          string
        >;
        const items = history.get(pk) ?? [];
        const below = input.KeyConditionExpression!.includes('<');
        const matching = below
          ? items.filter((i) => i.sk < bound).reverse()
          : items.filter((i) => i.sk > bound);
        return { Items: matching.slice(0, input.Limit) };
      }
      counts.dynamodbBatchWrite++;
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

/** process-transactions over 20,000 feed records in SQS-sized batches, AWS replaced by counting fakes. */
export async function run(): Promise<{
  name: string;
  recordsPerSecond: number;
  awsRequestsPer1000: number;
}> {
  const messages = generate();
  const { counts, dynamodb, s3, sqs } = fakeClients();
  const deps = {
    rates: () => dynamoRateHistory(dynamodb, 'rates'),
    store: dynamoTransactionStore(dynamodb, 'transactions'),
    lake: s3ObjectStore(s3, 'lake'),
    highValue: sqsMessagePublisher(sqs, 'high-value'),
    rules: RULES,
    hmacKey: 'bench-hmac-key',
    curatedPrefix: 'curated/transactions',
    quarantinePrefix: 'quarantine/transactions',
    toCurated: curatedTransactionsParquet,
  };

  const started = process.hrtime.bigint();
  for (let i = 0; i < messages.length; i += BATCH_SIZE) {
    const result = await processTransactions(deps, messages.slice(i, i + BATCH_SIZE));
    if (result.failedMessageIds.length > 0)
      throw new Error(`unexpected failures: ${result.failures[0].reason}`);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;

  const requests = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    name: 'process-transactions',
    recordsPerSecond: Math.round(RECORDS / seconds),
    awsRequestsPer1000: Math.round((requests / RECORDS) * 1000 * 10) / 10,
  };
}
