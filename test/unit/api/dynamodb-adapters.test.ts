import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
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
import { SAMPLE_CONVERSION } from './fakes';

const TABLE = 'api';
const ddbMock = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const clock = () => new Date('2022-07-13T12:00:00.000Z');

beforeEach(() => ddbMock.reset());

const conversion = SAMPLE_CONVERSION;

const cancelled = (code: string) =>
  new TransactionCanceledException({
    message: 'cancelled',
    $metadata: {},
    CancellationReasons: [{ Code: code }, { Code: 'None' }],
  });

describe('dynamoConversionStore', () => {
  const store = dynamoConversionStore(client, TABLE);

  it('writes the idempotency record and the conversion in one transaction, each only if absent', async () => {
    ddbMock.on(TransactWriteCommand).resolves({});

    expect(await store.create('partner-a', 'key-1', { requestHash: 'h', conversion })).toBe(true);

    const [put1, put2] = ddbMock.commandCalls(TransactWriteCommand)[0].args[0].input.TransactItems!.map((t) => t.Put!);
    expect(put1).toEqual({
      TableName: TABLE,
      // The key expires 24 h after the conversion was created; the conversion itself does not.
      Item: {
        pk: 'PARTNER#partner-a',
        sk: 'IDEMPOTENCY#key-1',
        requestHash: 'h',
        conversion,
        expiresAt: Date.parse(conversion.createdAt) / 1000 + 24 * 60 * 60,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    expect(put2).toEqual({
      TableName: TABLE,
      Item: { pk: 'PARTNER#partner-a', sk: `CONVERSION#${conversion.id}`, ...conversion, idempotencyKey: 'key-1' },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
  });

  it.each(['ConditionalCheckFailed', 'TransactionConflict'])('reports a taken key (%s) as false', async (code) => {
    ddbMock.on(TransactWriteCommand).rejects(cancelled(code));
    expect(await store.create('p', 'k', { requestHash: 'h', conversion })).toBe(false);
  });

  it('rethrows other failures', async () => {
    ddbMock.on(TransactWriteCommand).rejects(new Error('throttled'));
    await expect(store.create('p', 'k', { requestHash: 'h', conversion })).rejects.toThrow('throttled');
  });

  it('reads idempotency records with a strongly consistent read', async () => {
    ddbMock.on(GetCommand).resolves({ Item: { requestHash: 'h', conversion } });

    expect(await store.findByKey('p', 'k')).toEqual({ requestHash: 'h', conversion });
    expect(ddbMock.commandCalls(GetCommand)[0].args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: 'PARTNER#p', sk: 'IDEMPOTENCY#k' },
      ConsistentRead: true,
    });
  });

  it('lists newest first after the cursor id, asking one more item to know whether a page follows', async () => {
    const items = ['C', 'B', 'A'].map((suffix) => ({ ...conversion, id: `0${suffix}` }));
    ddbMock.on(QueryCommand).resolves({ Items: items, LastEvaluatedKey: { pk: 'x', sk: 'y' } });

    const page = await store.list('p', { limit: 2, afterId: '0D' });

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
