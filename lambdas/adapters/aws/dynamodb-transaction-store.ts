import { BatchWriteCommand, NumberValue, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Decimal } from '../../domain/decimal';
import type { EnrichedTransaction } from '../../domain/transaction';
import type { TransactionStore } from '../../ports/transaction-store';
import {
  AWS_BATCH_RETRY,
  backoffDelay,
  chunk,
  defaultSleep,
  type RetryOptions,
} from '../../shared/retry';

const BATCH_WRITE_LIMIT = 25;

/**
 * The transactions table item: every field of the enriched transaction, amounts as DynamoDB
 * numbers (NumberValue, never a JS number) plus their exact text: `amount_text` keeps the
 * sender's digits, `amount_base_text` the base currency's minor units ("100.00"). The rate
 * (up to 60 digits for a cross) and amount_base_exact exceed a DynamoDB number's 38 digits and
 * stay strings.
 */
export function transactionItem(t: EnrichedTransaction): Record<string, unknown> {
  return {
    ...t,
    amount: NumberValue.from(new Decimal(t.amount).toString()),
    amount_text: t.amount,
    amount_base: NumberValue.from(new Decimal(t.amount_base).toString()),
    amount_base_text: t.amount_base,
  };
}

export function dynamoTransactionStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  retry: RetryOptions = AWS_BATCH_RETRY,
): TransactionStore {
  type Request = { PutRequest: { Item: Record<string, unknown> } };

  /** Writes up to 25 items, retrying what DynamoDB hands back; returns what is left. */
  async function write(requests: Request[]): Promise<string[]> {
    let pending = requests;
    for (let attempt = 0; pending.length > 0 && attempt < retry.attempts; attempt++) {
      if (attempt > 0) await (retry.sleep ?? defaultSleep)(backoffDelay(attempt, retry));
      const result = await client.send(
        new BatchWriteCommand({ RequestItems: { [tableName]: pending } }),
      );
      pending = (result.UnprocessedItems?.[tableName] ?? []) as Request[];
    }
    return pending.map((r) => String(r.PutRequest.Item.transaction_id));
  }

  return {
    async putAll(transactions) {
      const requests = transactions.map((t) => ({ PutRequest: { Item: transactionItem(t) } }));
      const left = await Promise.all(chunk(requests, BATCH_WRITE_LIMIT).map(write));
      return { unwritten: left.flat() };
    },
  };
}
