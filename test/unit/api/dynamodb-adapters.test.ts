import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  NumberValue,
  PutCommand,
  QueryCommand,
  type PutCommandInput,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamoConversionStore } from '../../../lambdas/adapters/aws/dynamodb-conversion-store';
import { dynamoCurrencyStore } from '../../../lambdas/adapters/aws/dynamodb-currency-store';
import { findCurrency } from '../../../lambdas/domain/currency';
import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError } from '../../../lambdas/ports/conversion-store';
import { SAMPLE_CONVERSION } from './fakes';

const TABLE = 'api';
const ddbMock = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const clock = () => new Date('2022-07-13T12:00:00.000Z');

beforeEach(() => ddbMock.reset());

const conversion = SAMPLE_CONVERSION;

const HOUR = 3600;
const NOW_MS = Date.parse('2022-07-13T12:00:00.000Z');
const request = { from: 'USD', to: 'JPY', amount: '100' };
/** How Powertools Idempotency names a record and hashes a request: md5, base64, keys sorted. */
const md5 = (value: unknown) => createHash('md5').update(JSON.stringify(value)).digest('base64');
const RECORD_SK = `IDEMPOTENCY#${md5('key-1')}`;
const REQUEST_HASH = md5({ amount: '100', from: 'USD', to: 'JPY' });

describe('dynamoConversionStore (Powertools Idempotency on the API table)', () => {
  const rawMock = mockClient(DynamoDBClient);
  const raw = new DynamoDBClient({ region: 'us-east-1' });
  const store = () => dynamoConversionStore({ dynamodb: raw, documents: client }, TABLE, { remainingTimeMs: () => 9_000 });
  const created = async () => conversion;

  beforeEach(() => {
    rawMock.reset();
    jest.useFakeTimers({ now: NOW_MS, doNotFake: ['setTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'] });
  });
  afterEach(() => jest.useRealTimers());

  /** The record DynamoDB hands back (ALL_OLD) when the conditional put finds the key taken. */
  const taken = (item: Record<string, unknown>) =>
    new ConditionalCheckFailedException({ message: 'taken', $metadata: {}, Item: marshall({ pk: 'PARTNER#partner-a', sk: RECORD_SK, ...item }) });

  it('claims the key in the partner’s partition, then stores the record and the conversion in one transaction', async () => {
    rawMock.on(PutItemCommand).resolves({});
    ddbMock.on(TransactWriteCommand).resolves({});

    expect(await store().createOnce('partner-a', 'key-1', request, created)).toEqual({ conversion, replayed: false });

    const claim = rawMock.commandCalls(PutItemCommand)[0].args[0].input;
    expect(unmarshall(claim.Item!)).toEqual({
      pk: 'PARTNER#partner-a',
      sk: RECORD_SK,
      status: 'INPROGRESS',
      requestHash: REQUEST_HASH,
      expiresAt: NOW_MS / 1000 + 24 * HOUR,
      // A request that dies frees its key when the invocation would have timed out.
      in_progress_expiration: NOW_MS + 9_000,
    });
    const [complete, put] = ddbMock.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!;
    expect(complete.Update).toMatchObject({
      TableName: TABLE,
      Key: { pk: 'PARTNER#partner-a', sk: RECORD_SK },
      ExpressionAttributeValues: { ':status': 'COMPLETED', ':data': conversion, ':hash': REQUEST_HASH, ':expiry': NOW_MS / 1000 + 24 * HOUR },
    });
    expect(put.Put).toEqual({
      TableName: TABLE,
      Item: { pk: 'PARTNER#partner-a', sk: `CONVERSION#${conversion.id}`, ...conversion, idempotencyRecord: RECORD_SK },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('checks expiry when it claims a key: a record whose expiresAt has passed counts as absent (keys live 24 h)', async () => {
    rawMock.on(PutItemCommand).resolves({});
    ddbMock.on(TransactWriteCommand).resolves({});

    await store().createOnce('partner-a', 'key-1', request, created);

    // DynamoDB evaluates this condition on the stored item at the time of the write, so the
    // key is free again the second its 24 hours are over, not when TTL gets round to deleting it.
    const claim = rawMock.commandCalls(PutItemCommand)[0].args[0].input;
    expect(claim.ConditionExpression).toContain('#expiry < :now');
    expect(claim.ExpressionAttributeNames!['#expiry']).toBe('expiresAt');
    expect(unmarshall(claim.ExpressionAttributeValues!)[':now']).toBe(NOW_MS / 1000);
  });

  it('replays the stored conversion for the same key and request, without creating another', async () => {
    rawMock.on(PutItemCommand).rejects(taken({ status: 'COMPLETED', requestHash: REQUEST_HASH, conversion, expiresAt: NOW_MS / 1000 + HOUR }));
    const create = jest.fn(created);

    expect(await store().createOnce('partner-a', 'key-1', { amount: '100', to: 'JPY', from: 'USD' }, create)).toEqual({ conversion, replayed: true });
    expect(create).not.toHaveBeenCalled();
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('refuses the key with another request, naming the first conversion', async () => {
    rawMock.on(PutItemCommand).rejects(taken({ status: 'COMPLETED', requestHash: REQUEST_HASH, conversion, expiresAt: NOW_MS / 1000 + HOUR }));

    const attempt = store().createOnce('partner-a', 'key-1', { ...request, amount: '100.00' }, created);

    await expect(attempt).rejects.toBeInstanceOf(IdempotencyKeyReusedError);
    await expect(attempt).rejects.toMatchObject({ firstId: conversion.id });
  });

  it('reports a key whose first request is still running as in progress', async () => {
    rawMock.on(PutItemCommand).rejects(taken({ status: 'INPROGRESS', requestHash: REQUEST_HASH, expiresAt: NOW_MS / 1000 + HOUR, in_progress_expiration: NOW_MS + 5_000 }));

    await expect(store().createOnce('partner-a', 'key-1', request, created)).rejects.toBeInstanceOf(IdempotencyKeyInProgressError);
  });

  it('frees the key and stores nothing when the conversion cannot be created', async () => {
    rawMock.on(PutItemCommand).resolves({});
    rawMock.on(DeleteItemCommand).resolves({});

    await expect(store().createOnce('partner-a', 'key-1', request, async () => Promise.reject(new Error('no rate')))).rejects.toThrow('no rate');

    expect(unmarshall(rawMock.commandCalls(DeleteItemCommand)[0].args[0].input.Key!)).toEqual({ pk: 'PARTNER#partner-a', sk: RECORD_SK });
    expect(ddbMock.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('lists newest first after the cursor id, asking one more item to know whether a page follows', async () => {
    const items = ['C', 'B', 'A'].map((suffix) => ({ ...conversion, id: `0${suffix}` }));
    ddbMock.on(QueryCommand).resolves({ Items: items, LastEvaluatedKey: { pk: 'x', sk: 'y' } });

    const page = await store().list('p', { limit: 2, afterId: '0D' });

    expect(page).toEqual({ items: items.slice(0, 2), lastId: '0B' });
    expect(ddbMock.commandCalls(QueryCommand)[0].args[0].input).toMatchObject({
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': 'PARTNER#p', ':prefix': 'CONVERSION#' },
      ScanIndexForward: false,
      Limit: 3,
      ExclusiveStartKey: { pk: 'PARTNER#p', sk: 'CONVERSION#0D' },
    });
  });
});

describe('dynamoCurrencyStore', () => {
  const store = dynamoCurrencyStore(client, TABLE, clock);

  it('seeds only codes never stored, each on condition that it is still absent', async () => {
    ddbMock.on(QueryCommand).resolves({ Items: [{ pk: 'CURRENCY', sk: 'USD' }, { pk: 'CURRENCY', sk: 'JPY', deleted: true }] });
    // KWD: stored meanwhile by a concurrent seeding run.
    ddbMock.on(PutCommand).callsFake((input: PutCommandInput) => {
      if (input.Item!.code === 'KWD') throw new ConditionalCheckFailedException({ message: 'exists', $metadata: {} });
      return {};
    });

    const added = await store.addMissing(['USD', 'JPY', 'EUR', 'KWD'].map((c) => findCurrency(c)!));

    expect(added).toEqual(['EUR']);
    const puts = ddbMock.commandCalls(PutCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => p.Item!.code)).toEqual(['EUR', 'KWD']);
    expect(puts[0]).toEqual({
      TableName: TABLE,
      Item: { pk: 'CURRENCY', sk: 'EUR', code: 'EUR', name: 'Euro', minorUnits: 2, kind: 'fiat', enabled: true, updatedAt: clock().toISOString() },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it('updates the given fields and fills in defaults only where nothing was stored', async () => {
    ddbMock.on(UpdateCommand).resolves({
      Attributes: { pk: 'CURRENCY', sk: 'JPY', code: 'JPY', name: 'Yen', minorUnits: NumberValue.from('2'), kind: 'fiat', enabled: false },
    });

    const updated = await store.update('JPY', { minorUnits: 2, enabled: false }, findCurrency('JPY'));

    expect(updated).toEqual({ code: 'JPY', name: 'Yen', minorUnits: 2, kind: 'fiat', enabled: false });
    const input = ddbMock.commandCalls(UpdateCommand)[0].args[0].input;
    expect(input.UpdateExpression).toBe(
      'SET #updatedAt = :updatedAt, #minorUnits = :minorUnits, #enabled = :enabled, #code = if_not_exists(#code, :code), ' +
        '#name = if_not_exists(#name, :name), #kind = if_not_exists(#kind, :kind) REMOVE #deleted',
    );
    expect(input.ConditionExpression).toBeUndefined();
  });

  it('without defaults, updates only a stored, undeleted currency', async () => {
    ddbMock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));

    expect(await store.update('XYZ', { enabled: true })).toBeUndefined();
    expect(ddbMock.commandCalls(UpdateCommand)[0].args[0].input.ConditionExpression).toBe(
      'attribute_exists(pk) AND attribute_not_exists(#deleted)',
    );
  });

  it('deletes with a tombstone, false when there was nothing to delete', async () => {
    ddbMock.on(UpdateCommand).resolvesOnce({}).rejectsOnce(new ConditionalCheckFailedException({ message: 'no', $metadata: {} }));

    expect(await store.remove('CHF')).toBe(true);
    expect(await store.remove('CHF')).toBe(false);
    expect(ddbMock.commandCalls(UpdateCommand)[0].args[0].input).toMatchObject({
      Key: { pk: 'CURRENCY', sk: 'CHF' },
      UpdateExpression: 'SET #deleted = :true, #updatedAt = :updatedAt',
    });
  });

  it('hides deleted currencies from get and list', async () => {
    ddbMock.on(GetCommand).resolves({ Item: { sk: 'CHF', code: 'CHF', name: 'Swiss Franc', minorUnits: 2, kind: 'fiat', enabled: true, deleted: true } });
    ddbMock.on(QueryCommand).resolves({ Items: [{ sk: 'CHF', code: 'CHF', deleted: true }, { sk: 'USD', code: 'USD', name: 'US Dollar', minorUnits: 2, kind: 'fiat', enabled: true }] });

    expect(await store.get('CHF')).toBeUndefined();
    expect((await store.list()).map((c) => c.code)).toEqual(['USD']);
  });
});
