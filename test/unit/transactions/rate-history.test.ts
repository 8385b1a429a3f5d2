import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  NumberValue,
  QueryCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { dynamoRateHistory } from '../../../lambdas/adapters/aws/dynamodb-rate-history';
import { rateKeys } from '../../../lambdas/adapters/aws/dynamodb-rate-store';
import { Decimal } from '../../../lambdas/domain/decimal';
import {
  cachedRateHistory,
  RateUnavailable,
  type RateHistory,
} from '../../../lambdas/ports/rate-history';

const TABLE = 'rates';
const ddbMock = mockClient(DynamoDBDocumentClient);
const client = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

type Item = Record<string, unknown> & { pk: string; sk: string };
let items: Item[] = [];

function history(
  base: string,
  quote: string,
  asOf: string,
  rate: string,
  provider = 'ecb',
  orientation = 'quote-per-base',
) {
  items.push({
    ...rateKeys.history(base, quote, asOf, provider),
    rate: NumberValue.from(rate),
    published: rate,
    orientation,
    base,
    quote,
    asOf,
    provider,
  });
}

/** Answers the two Query shapes the adapter sends, over `items`, the way DynamoDB would. */
function answerQuery(input: QueryCommandInput) {
  const { ':pk': pk, ':bound': bound } = input.ExpressionAttributeValues as Record<string, string>;
  const below = input.KeyConditionExpression!.includes('sk < :bound');
  const matching = items
    .filter((i) => i.pk === pk && (below ? i.sk < bound : i.sk > bound))
    .sort((a, b) => (a.sk < b.sk ? -1 : 1));
  if (input.ScanIndexForward === false) matching.reverse();
  return { Items: matching.slice(0, input.Limit) };
}

const JAN10 = '2024-01-10T00:00:00.000Z';
const JAN11 = '2024-01-11T00:00:00.000Z';

beforeEach(() => {
  items = [];
  ddbMock.reset();
  ddbMock.on(QueryCommand).callsFake(answerQuery);
  history('EUR', 'USD', JAN10, '1.0163');
  history('EUR', 'JPY', JAN10, '138.05');
  history('EUR', 'USD', JAN11, '1.0180');
  history('EUR', 'JPY', JAN11, '137.50');
  history('USD', 'BTC', JAN10, '16730.75', 'coingecko', 'base-per-quote');
});

const rates = () => dynamoRateHistory(client, TABLE);

describe('dynamoRateHistory.rateAt', () => {
  it('reads a stored pair at the most recent as-of time at or before the transaction', async () => {
    await expect(rates().rateAt('EUR', 'USD', '2024-01-10T18:30:00.000Z')).resolves.toMatchObject({
      rate: '1.0163',
      asOf: JAN10,
      provider: 'ecb',
      via: 'EUR/USD',
    });
    await expect(rates().rateAt('EUR', 'USD', JAN11)).resolves.toMatchObject({
      rate: '1.018',
      asOf: JAN11,
    });
  });

  it('inverts a pair stored the other way round at full precision', async () => {
    const result = await rates().rateAt('USD', 'EUR', '2024-01-10T12:00:00.000Z');

    expect(result).toMatchObject({ via: 'EUR/USD', asOf: JAN10 });
    expect(result.rate).toBe(new Decimal(1).div('1.0163').toString());
    expect(result.rate).toHaveLength(62); // "0." and 60 significant digits
  });

  it('crosses through EUR with one division of the published numbers: JPY->USD = USD per EUR / JPY per EUR', async () => {
    const result = await rates().rateAt('JPY', 'USD', '2024-01-10T12:00:00.000Z');

    expect(result).toMatchObject({ via: 'EUR/JPY,EUR/USD', asOf: JAN10, provider: 'ecb' });
    expect(result.rate).toBe(new Decimal('1.0163').div('138.05').toString());
  });

  it('reads a base-per-quote crypto price without inverting it twice: BTC->USD is the published USD price', async () => {
    const result = await rates().rateAt('BTC', 'USD', '2024-01-10T12:00:00.000Z');

    expect(result).toMatchObject({ rate: '16730.75', via: 'USD/BTC', provider: 'coingecko' });
  });

  it('crosses through USD when EUR has no leg, and names both providers and the older as-of time', async () => {
    history('USD', 'BTC', '2024-01-10T12:00:00.000Z', '16800', 'coingecko', 'base-per-quote');

    const result = await rates().rateAt('BTC', 'EUR', '2024-01-11T06:00:00.000Z');

    expect(result).toMatchObject({
      via: 'USD/BTC,EUR/USD',
      provider: 'coingecko+ecb',
      asOf: '2024-01-10T12:00:00.000Z',
    });
    expect(result.rate).toBe(new Decimal('16800').div('1.0180').toString());
  });

  it('prefers the more recently published side when a pair is stored both ways round', async () => {
    history('USD', 'EUR', '2024-01-10T06:00:00.000Z', '0.9800', 'oxr');

    await expect(rates().rateAt('USD', 'EUR', '2024-01-10T12:00:00.000Z')).resolves.toMatchObject({
      rate: '0.98',
      via: 'USD/EUR',
      provider: 'oxr',
    });
    await expect(rates().rateAt('USD', 'EUR', '2024-01-11T12:00:00.000Z')).resolves.toMatchObject({
      via: 'EUR/USD',
      provider: 'ecb',
    });
  });

  it('converts a currency to itself at exactly 1', async () => {
    await expect(rates().rateAt('USD', 'USD', '2024-01-10T12:00:00.000Z')).resolves.toEqual({
      rate: '1',
      asOf: '2024-01-10T12:00:00.000Z',
      provider: 'identity',
      via: 'identity',
    });
    expect(ddbMock.calls()).toHaveLength(0);
  });

  it('throws RateUnavailable before the first stored rate and for a currency nobody publishes', async () => {
    await expect(rates().rateAt('EUR', 'USD', '2024-01-09T23:59:59.999Z')).rejects.toThrow(
      RateUnavailable,
    );
    await expect(rates().rateAt('KWD', 'USD', '2024-01-10T12:00:00.000Z')).rejects.toMatchObject({
      name: 'RateUnavailable',
      from: 'KWD',
      to: 'USD',
    });
  });

  it('says for which times its answer holds: until the next stored rate of any pair it looked at', async () => {
    const result = await rates().rateAt('JPY', 'USD', '2024-01-10T12:00:00.000Z');

    expect(result).toMatchObject({ validFrom: JAN10, validUntil: JAN11 });
    await expect(rates().rateAt('JPY', 'USD', '2024-01-11T12:00:00.000Z')).resolves.toMatchObject({
      validFrom: JAN11,
      validUntil: null,
    });
  });
});

describe('dynamoRateHistory reading ahead', () => {
  const minutes = (n: number) =>
    new Date(Date.parse('2024-01-12T00:00:00.000Z') + n * 60_000).toISOString();
  const pkQueries = (pk: string) =>
    ddbMock
      .commandCalls(QueryCommand)
      .filter(
        (c) => (c.args[0].input.ExpressionAttributeValues as Record<string, string>)[':pk'] === pk,
      );

  beforeEach(() => {
    for (let i = 0; i < 40; i++)
      history('EUR', 'USD', minutes(5 * i), `1.${1001 + 2 * i}`, 'simulated');
  });

  it('answers every rate time of a pair from one read of its items ahead', async () => {
    const reader = rates();

    const answers = [];
    for (let i = 0; i < 10; i++)
      answers.push(await reader.rateAt('EUR', 'USD', minutes(5 * i + 2)));

    expect(answers.map((a) => a.rate)).toEqual(
      Array.from({ length: 10 }, (_, i) => `1.${1001 + 2 * i}`),
    );
    expect(answers.map((a) => a.asOf)).toEqual(
      Array.from({ length: 10 }, (_, i) => minutes(5 * i)),
    );
    expect(pkQueries('HISTORY#EUR#USD')).toHaveLength(2);
    expect(pkQueries('HISTORY#USD#EUR')).toHaveLength(2);
  });

  it('reads again past the items it has seen, and gives the same answers as a fresh reader', async () => {
    const reader = rates();
    await reader.rateAt('EUR', 'USD', minutes(1));

    const late = await reader.rateAt('EUR', 'USD', minutes(5 * 30 + 1));

    expect(pkQueries('HISTORY#EUR#USD')).toHaveLength(4);
    expect(late).toEqual(await rates().rateAt('EUR', 'USD', minutes(5 * 30 + 1)));
    expect(late).toMatchObject({ rate: '1.1061', asOf: minutes(150), validUntil: minutes(155) });
  });
});

describe('cachedRateHistory', () => {
  function counting(port: RateHistory) {
    const calls: string[] = [];
    return {
      calls,
      port: {
        rateAt: (from: string, to: string, at: string) => (
          calls.push(`${from}${to}@${at}`),
          port.rateAt(from, to, at)
        ),
      },
    };
  }

  it('answers every time inside a span with one lookup, and looks up again past it', async () => {
    const { calls, port } = counting(rates());
    const cached = cachedRateHistory(port);

    const answers = [];
    for (const at of [
      '2024-01-10T09:00:00.000Z',
      '2024-01-10T12:00:00.000Z',
      '2024-01-10T23:59:59.999Z',
      JAN11,
      '2024-01-11T08:00:00.000Z',
    ]) {
      answers.push(await cached.rateAt('JPY', 'USD', at));
    }

    expect(calls).toEqual(['JPYUSD@2024-01-10T09:00:00.000Z', `JPYUSD@${JAN11}`]);
    expect(answers.map((a) => a.asOf)).toEqual([JAN10, JAN10, JAN10, JAN11, JAN11]);
  });

  it('gives exactly what an uncached lookup gives', async () => {
    const cached = cachedRateHistory(rates());
    await cached.rateAt('JPY', 'USD', '2024-01-10T01:00:00.000Z');

    for (const at of ['2024-01-10T05:00:00.000Z', '2024-01-11T05:00:00.000Z']) {
      expect(await cached.rateAt('JPY', 'USD', at)).toEqual(await rates().rateAt('JPY', 'USD', at));
    }
  });

  it('keeps pairs apart and caches an answer without a span for its exact time only', async () => {
    const { calls, port } = counting(rates());
    const cached = cachedRateHistory(port);

    await cached.rateAt('EUR', 'USD', '2024-01-10T12:00:00.000Z');
    await cached.rateAt('JPY', 'USD', '2024-01-10T12:00:00.000Z');
    await cached.rateAt('USD', 'USD', '2024-01-10T12:00:00.000Z');
    await cached.rateAt('USD', 'USD', '2024-01-10T12:00:00.000Z');
    const other = await cached.rateAt('USD', 'USD', '2024-01-10T13:00:00.000Z');

    expect(calls).toHaveLength(4);
    expect(other.asOf).toBe('2024-01-10T13:00:00.000Z');
  });
});
