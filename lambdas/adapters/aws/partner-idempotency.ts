import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyPersistenceLayerError,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../../ports/conversion-store';
import { partnerPartition } from '../../shared/api-table-keys';
import { documentClientOf } from '../../shared/clients';

/** The DynamoDB clients of one partner's partition. */
export interface PartnerTable {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
}

/** A table client pair over one low-level client (locally, and for tests). */
export const partnerTableOf = (dynamodb: DynamoDBClient): PartnerTable => ({ dynamodb, documents: documentClientOf(dynamodb) });

/**
 * One page of a partner's items whose sort keys are `<prefix><ULID>`, newest first, starting
 * after the item with id `afterId`; `lastId` is set when another page follows.
 */
export async function newestFirstPage<T extends { readonly id: string }>(
  table: PartnerTable,
  query: { readonly tableName: string; readonly partner: string; readonly prefix: string; readonly limit: number; readonly afterId?: string },
  toItem: (item: Record<string, unknown>) => T,
): Promise<{ readonly items: T[]; readonly lastId?: string }> {
  const { tableName, partner, prefix, limit, afterId } = query;
  const pk = partnerPartition(partner);
  const items: T[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined = afterId ? { pk, sk: `${prefix}${afterId}` } : undefined;
  // One more than asked tells whether another page follows.
  do {
    const page = await table.documents.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': pk, ':prefix': prefix },
        ScanIndexForward: false,
        Limit: limit + 1 - items.length,
        ExclusiveStartKey,
      }),
    );
    items.push(...(page.Items ?? []).map(toItem));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey && items.length <= limit);
  const more = items.length > limit;
  return { items: items.slice(0, limit), ...(more ? { lastId: items[limit - 1].id } : {}) };
}

/** How long an Idempotency-Key answers with its first result (as payment APIs commonly keep keys). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

export interface PartnerIdempotencyOptions<R> {
  /** The one table client of every partner (locally), or each partner's own (partner-scoped-dynamodb). */
  readonly tables: PartnerTable | ((partner: string) => PartnerTable);
  readonly tableName: string;
  /** Sort key prefix of the records: `<prefix>#<md5 of the key>`. */
  readonly keyPrefix: string;
  /** The attribute of the record that keeps the result. */
  readonly dataAttr: string;
  /**
   * The writes that store a result, made in the same transaction that completes its record, so
   * a function that dies between the two leaves neither (and the key is retried) rather than a
   * result without a record (which a retry would duplicate).
   */
  readonly storeResult: (partner: string, result: R, recordKey: string) => TransactItem[];
  /**
   * The error to answer with when one of the `storeResult` writes' conditions fails (index into
   * them); the key is then freed, as when the function throws.
   */
  readonly refused?: (failedWrite: number) => Error;
  /**
   * How long an unfinished request holds its key (a crashed one frees it then): the invocation's
   * remaining time. @default 10 s
   */
  readonly remainingTimeMs?: () => number | undefined;
}

/**
 * Powertools Idempotency with one DynamoDB persistence layer per partner, in the partner's
 * partition (`staticPkValue` = `PARTNER#<client id>`) through the partner's own client, so the
 * IAM `LeadingKeys` policy still confines each request to its partner. Payload validation: the
 * same key with another request throws IdempotencyKeyReusedError (the first result's `id`); a
 * key whose first request is still running throws IdempotencyKeyInProgressError. A key lives
 * IDEMPOTENCY_TTL_SECONDS: the claim's conditional write treats a record past `expiresAt` as
 * absent, so the key is free again exactly then; TTL deletes the record later.
 */
export function partnerIdempotency<R extends { readonly id: string }>(
  options: PartnerIdempotencyOptions<R>,
): (partner: string, key: string, request: Readonly<Record<string, string>>, create: () => Promise<R>) => Promise<{ readonly result: R; readonly replayed: boolean }> {
  const tableFor = typeof options.tables === 'function' ? options.tables : () => options.tables as PartnerTable;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'request',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
  config.registerLambdaContext({ getRemainingTimeInMillis: () => options.remainingTimeMs?.() ?? 10_000 } as Context);
  // One persistence layer per partner, bounded by the partner list like the partners' clients.
  const creators = new Map<string, (attempt: Attempt<R>) => Promise<R>>();
  const creatorFor = (partner: string) => {
    let creator = creators.get(partner);
    if (!creator) {
      creator = makeIdempotent(
        async (attempt: Attempt<R>) => {
          attempt.ran.value = true;
          return attempt.create();
        },
        { persistenceStore: new PartnerRecords(tableFor(partner), partner, options), config, keyPrefix: options.keyPrefix },
      );
      creators.set(partner, creator);
    }
    return creator;
  };

  return async (partner, key, request, create) => {
    const ran = { value: false };
    // Fixed field order; Powertools also sorts keys before hashing.
    const asked = Object.fromEntries(Object.entries(request).sort(([a], [b]) => (a < b ? -1 : 1)));
    try {
      const result = await creatorFor(partner)({ key, request: asked, create, ran });
      return { result, replayed: !ran.value };
    } catch (error) {
      if (error instanceof IdempotencyValidationError) {
        const first = error.existingRecord?.responseData as { id?: unknown } | undefined;
        throw new IdempotencyKeyReusedError(typeof first?.id === 'string' ? first.id : undefined);
      }
      if (error instanceof IdempotencyAlreadyInProgressError) throw new IdempotencyKeyInProgressError();
      if (error instanceof IdempotencyPersistenceLayerError && error.cause instanceof RefusedWrite) throw error.cause.error;
      throw error;
    }
  };
}

interface Attempt<R> {
  readonly key: string;
  readonly request: Readonly<Record<string, string>>;
  readonly create: () => Promise<R>;
  /** Set when `create` ran: the answer is not a replay. */
  readonly ran: { value: boolean };
}

/** A condition of the result's writes failed: the record was deleted, `error` is the answer. */
class RefusedWrite extends Error {
  constructor(readonly error: Error) {
    super(error.message);
  }
}

/** The persistence layer of one partner; its one change is the completing transaction. */
class PartnerRecords<R> extends DynamoDBPersistenceLayer {
  constructor(
    private readonly table: PartnerTable,
    private readonly partner: string,
    private readonly options: PartnerIdempotencyOptions<R>,
  ) {
    super({
      tableName: options.tableName,
      awsSdkV3Client: table.dynamodb,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      staticPkValue: partnerPartition(partner),
      expiryAttr: 'expiresAt',
      dataAttr: options.dataAttr,
      validationKeyAttr: 'requestHash',
    });
  }

  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const result = record.responseData as unknown as R;
    const writes = this.options.storeResult(this.partner, result, record.idempotencyKey);
    try {
      await this.table.documents.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.options.tableName,
                Key: { pk: partnerPartition(this.partner), sk: record.idempotencyKey },
                UpdateExpression: 'SET #expiry = :expiry, #status = :status, #data = :data, #hash = :hash',
                ExpressionAttributeNames: { '#expiry': 'expiresAt', '#status': 'status', '#data': this.options.dataAttr, '#hash': 'requestHash' },
                ExpressionAttributeValues: {
                  ':expiry': record.expiryTimestamp,
                  ':status': record.getStatus(),
                  ':data': result,
                  ':hash': record.payloadHash,
                },
              },
            },
            ...writes,
          ],
        }),
      );
    } catch (error) {
      const reasons = (error as { name?: string; CancellationReasons?: { Code?: string }[] }).CancellationReasons;
      const failed = reasons?.slice(1).findIndex((r) => r.Code === 'ConditionalCheckFailed') ?? -1;
      if ((error as { name?: string }).name === 'TransactionCanceledException' && failed >= 0 && this.options.refused) {
        await this._deleteRecord(record);
        throw new RefusedWrite(this.options.refused(failed));
      }
      throw error;
    }
  }
}
