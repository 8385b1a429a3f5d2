import {
  BatchWriteCommand,
  NumberValue,
  PutCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { Decimal } from '../../domain/decimal';
import { dynamoItemBytes, LIMITS } from '../../domain/record-limits';
import type { EnrichedTransaction } from '../../domain/transaction';
import type { RejectedTransaction, TransactionStore } from '../../ports/transaction-store';
import { AWS_BATCH_RETRY, chunk, retryUnprocessed, type RetryOptions } from '../../shared/retry';

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

/** transactionItem's size bound: each number counted as its text, which is never smaller. */
const itemBytes = (t: EnrichedTransaction) =>
  dynamoItemBytes({ ...t, amount_text: t.amount, amount_base_text: t.amount_base });

const isValidationError = (error: unknown) => (error as Error)?.name === 'ValidationException';

type Request = { PutRequest: { Item: Record<string, unknown> } };
type Outcome = { unwritten: string[]; rejected: RejectedTransaction[] };

const idOf = (request: Request) => String(request.PutRequest.Item.transaction_id);

export function dynamoTransactionStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  retry: RetryOptions = AWS_BATCH_RETRY,
): TransactionStore {
  /** Writes up to 25 items, retrying what DynamoDB hands back; returns what is left. */
  async function write(requests: Request[]): Promise<string[]> {
    const left = await retryUnprocessed(
      requests,
      async (pending) => {
        const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: [...pending] } }));
        return (result.UnprocessedItems?.[tableName] ?? []) as Request[];
      },
      retry,
    );
    return left.map(idOf);
  }

  /**
   * One item DynamoDB refuses (ValidationException) fails the whole BatchWriteItem, so such a
   * batch is written again item by item: only the refused items are rejected.
   */
  async function writeBatch(requests: Request[]): Promise<Outcome> {
    try {
      return { unwritten: await write(requests), rejected: [] };
    } catch (error) {
      if (!isValidationError(error)) throw error;
    }
    const rejected: RejectedTransaction[] = [];
    await Promise.all(
      requests.map(async (request) => {
        try {
          await client.send(new PutCommand({ TableName: tableName, Item: request.PutRequest.Item }));
        } catch (error) {
          if (!isValidationError(error)) throw error;
          const detail = `DynamoDB refused the item: ${(error as Error).message}`;
          rejected.push({ transaction_id: idOf(request), reason: 'STORE_REJECTED', detail });
        }
      }),
    );
    return { unwritten: [], rejected };
  }

  return {
    async putAll(transactions) {
      const rejected: RejectedTransaction[] = [];
      const requests: Request[] = [];
      for (const t of transactions) {
        const bytes = itemBytes(t);
        if (bytes > LIMITS.dynamoItemBytes) {
          const detail = `the item would be up to ${bytes} bytes; DynamoDB items hold at most ${LIMITS.dynamoItemBytes}`;
          rejected.push({ transaction_id: t.transaction_id, reason: 'TOO_LARGE', detail });
        } else {
          requests.push({ PutRequest: { Item: transactionItem(t) } });
        }
      }
      const outcomes = await Promise.all(
        chunk(requests, LIMITS.dynamoBatchWriteItems).map(writeBatch),
      );
      return {
        unwritten: outcomes.flatMap((o) => o.unwritten),
        rejected: [...rejected, ...outcomes.flatMap((o) => o.rejected)],
      };
    },
  };
}
