import {
  IdempotencyAlreadyInProgressError,
  IdempotencyConfig,
  IdempotencyValidationError,
  makeIdempotent,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { IdempotencyRecord } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  type ConversionRequestFields,
  type ConversionStore,
  type StoredConversion,
} from '../../ports/conversion-store';
import { partnerPartition } from '../../shared/api-table-keys';
import { documentClientOf } from '../../shared/clients';
import { CONVERSION_ITEM_FIELDS, CONVERSION_SK_PREFIX, conversionKeys, IDEMPOTENCY_KEY_PREFIX } from './conversion-items';

/*
 * The item layout is in conversion-items.ts. A key lives IDEMPOTENCY_TTL_SECONDS: Powertools'
 * conditional write treats a record whose `expiresAt` has passed as absent, so the key is free
 * again exactly then; DynamoDB TTL (on the same attribute) deletes the record some time later.
 */

/** How long an Idempotency-Key answers with its first conversion (as payment APIs commonly keep keys). */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

/** The DynamoDB clients of one partner's partition. */
export interface PartnerTable {
  readonly dynamodb: DynamoDBClient;
  readonly documents: DynamoDBDocumentClient;
}

export interface ConversionStoreOptions {
  /**
   * How long an unfinished request holds its key (a crashed one frees it then): the invocation's
   * remaining time. @default 10 s, the function's timeout
   */
  readonly remainingTimeMs?: () => number | undefined;
}

/**
 * The idempotency records of one partner: Powertools' DynamoDB persistence layer on the API
 * table, in the partner's partition, through the partner's own client. Its one change: the
 * write that completes a record also puts the conversion, in one transaction, so a function that
 * dies in between leaves neither (and the key is retried) rather than a conversion without a
 * record (which a retry would duplicate).
 */
class PartnerConversionRecords extends DynamoDBPersistenceLayer {
  private readonly documents: DynamoDBDocumentClient;

  constructor(
    table: PartnerTable,
    private readonly apiTable: string,
    private readonly partner: string,
  ) {
    super({
      tableName: apiTable,
      awsSdkV3Client: table.dynamodb,
      keyAttr: 'pk',
      sortKeyAttr: 'sk',
      staticPkValue: partnerPartition(partner),
      expiryAttr: 'expiresAt',
      dataAttr: 'conversion',
      validationKeyAttr: 'requestHash',
    });
    this.documents = table.documents;
  }

  protected override async _updateRecord(record: IdempotencyRecord): Promise<void> {
    const conversion = record.responseData as unknown as StoredConversion;
    await this.documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Update: {
              TableName: this.apiTable,
              Key: { pk: partnerPartition(this.partner), sk: record.idempotencyKey },
              UpdateExpression: 'SET #expiry = :expiry, #status = :status, #data = :data, #hash = :hash',
              ExpressionAttributeNames: { '#expiry': 'expiresAt', '#status': 'status', '#data': 'conversion', '#hash': 'requestHash' },
              ExpressionAttributeValues: {
                ':expiry': record.expiryTimestamp,
                ':status': record.getStatus(),
                ':data': conversion,
                ':hash': record.payloadHash,
              },
            },
          },
          {
            Put: {
              TableName: this.apiTable,
              Item: { ...conversionKeys.conversion(this.partner, conversion.id), ...conversion, idempotencyRecord: record.idempotencyKey },
              ConditionExpression: 'attribute_not_exists(pk)',
            },
          },
        ],
      }),
    );
  }
}

interface Attempt {
  readonly key: string;
  readonly request: ConversionRequestFields;
  readonly create: () => Promise<StoredConversion>;
  /** Set when `create` ran: the answer is not a replay. */
  readonly ran: { value: boolean };
}

/**
 * `tables` is the one table client of every partner (locally), or the partner's own clients
 * (partnerScopedClients: in AWS, credentials that reach that partner's partition only).
 */
export function dynamoConversionStore(
  tables: PartnerTable | ((partner: string) => PartnerTable),
  tableName: string,
  options: ConversionStoreOptions = {},
): ConversionStore {
  const tableFor = typeof tables === 'function' ? tables : () => tables;
  const config = new IdempotencyConfig({
    eventKeyJmesPath: 'key',
    payloadValidationJmesPath: 'request',
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: IDEMPOTENCY_TTL_SECONDS,
  });
  config.registerLambdaContext({ getRemainingTimeInMillis: () => options.remainingTimeMs?.() ?? 10_000 } as Context);
  // One persistence layer per partner (its partition is the layer's partition key), bounded by
  // the partner list like the partners' clients.
  const creators = new Map<string, (attempt: Attempt) => Promise<StoredConversion>>();
  const creatorFor = (partner: string) => {
    let creator = creators.get(partner);
    if (!creator) {
      creator = makeIdempotent(
        async (attempt: Attempt) => {
          attempt.ran.value = true;
          return attempt.create();
        },
        { persistenceStore: new PartnerConversionRecords(tableFor(partner), tableName, partner), config, keyPrefix: IDEMPOTENCY_KEY_PREFIX },
      );
      creators.set(partner, creator);
    }
    return creator;
  };

  return {
    async createOnce(partner, idempotencyKey, request, create) {
      const ran = { value: false };
      // Fixed field order; Powertools also sorts keys before hashing.
      const asked = { from: request.from, to: request.to, amount: request.amount };
      try {
        const conversion = await creatorFor(partner)({ key: idempotencyKey, request: asked, create, ran });
        return { conversion: toConversion(conversion as unknown as Record<string, unknown>), replayed: !ran.value };
      } catch (error) {
        if (error instanceof IdempotencyValidationError) {
          const first = error.existingRecord?.responseData as { id?: unknown } | undefined;
          throw new IdempotencyKeyReusedError(typeof first?.id === 'string' ? first.id : undefined);
        }
        if (error instanceof IdempotencyAlreadyInProgressError) throw new IdempotencyKeyInProgressError();
        throw error;
      }
    },

    async get(partner, id) {
      const { Item } = await tableFor(partner).documents.send(
        new GetCommand({ TableName: tableName, Key: conversionKeys.conversion(partner, id) }),
      );
      return Item && toConversion(Item);
    },

    async list(partner, { limit, afterId }) {
      const items: StoredConversion[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined = afterId
        ? conversionKeys.conversion(partner, afterId)
        : undefined;
      // One more than asked tells whether another page follows.
      do {
        const page = await tableFor(partner).documents.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': partnerPartition(partner), ':prefix': CONVERSION_SK_PREFIX },
            ScanIndexForward: false,
            Limit: limit + 1 - items.length,
            ExclusiveStartKey,
          }),
        );
        items.push(...(page.Items ?? []).map(toConversion));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey && items.length <= limit);
      const more = items.length > limit;
      return { items: items.slice(0, limit), ...(more ? { lastId: items[limit - 1].id } : {}) };
    },
  };
}

/** A table client pair over one low-level client (locally, and for tests). */
export const partnerTableOf = (dynamodb: DynamoDBClient): PartnerTable => ({ dynamodb, documents: documentClientOf(dynamodb) });

function toConversion(item: Record<string, unknown>): StoredConversion {
  return Object.fromEntries(CONVERSION_ITEM_FIELDS.map((field) => [field, String(item[field])])) as unknown as StoredConversion;
}
