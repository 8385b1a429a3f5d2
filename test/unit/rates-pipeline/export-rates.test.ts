import type { DynamoDBRecord } from 'aws-lambda';
import { rateHistoryChange, RATE_HISTORY_FILTER } from '../../../lambdas/adapters/aws/dynamodb-rate-stream';
import { exportRates, type RateHistoryChange } from '../../../lambdas/use-cases/export-rates';
import { matchesFilter } from '../../../lib/local-platform/event-filter';
import { memoryLake } from '../../support/lake';
import { snapshotOf } from '../../support/rates';

const jul7 = snapshotOf('2022-07-07', { USD: '1.0180', JPY: '137.50' });
const jul8 = snapshotOf('2022-07-08', { USD: '1.0163', JPY: '138.05' });
const change = (sequenceNumber: string, publication: RateHistoryChange['publication']): RateHistoryChange => ({ sequenceNumber, publication });

/** The exporter over an in-memory lake; the Parquet encoder's stand-in writes which publication, which rates, in which order. */
function exporter(failKeys?: (key: string) => boolean) {
  const m = memoryLake(failKeys);
  const toCurated = (p: RateHistoryChange['publication']) => new TextEncoder().encode(`${p.snapshotId}:${p.rates.map((r) => `${r.quote}=${r.rate}`).join(',')}`);
  return { ...m, deps: { lake: m.lake, curatedPrefix: 'curated/rates', toCurated } };
}

describe('exportRates', () => {
  it('writes each publication at the curated key of its in-force day and snapshot id, as Parquet', async () => {
    const m = exporter();
    const result = await exportRates(m.deps, [change('2', jul8), change('1', jul7)]);

    expect(result).toEqual({
      exported: 2,
      failedSequenceNumbers: [],
      objectKeys: [
        'curated/rates/year=2022/month=07/day=07/ecb-EUR-20220707T140000Z.parquet',
        'curated/rates/year=2022/month=07/day=08/ecb-EUR-20220708T140000Z.parquet',
      ],
    });
    const key = 'curated/rates/year=2022/month=07/day=08/ecb-EUR-20220708T140000Z.parquet';
    expect([m.text(key), m.contentTypes.get(key)]).toEqual(['ecb-EUR-20220708T140000Z:USD=1.0163,JPY=138.05', 'application/vnd.apache.parquet']);
  });

  it('writes an item changed twice in one batch once, from the later record, and reports both done', async () => {
    const m = exporter();
    const corrected = snapshotOf('2022-07-08', { USD: '1.0164', JPY: '138.05' });
    const puts = jest.spyOn(m.deps.lake, 'put');

    expect(await exportRates(m.deps, [change('1', jul8), change('2', corrected)])).toMatchObject({ exported: 2, failedSequenceNumbers: [] });
    expect(puts).toHaveBeenCalledTimes(1);
    expect([...m.objects.keys()].map(m.text)).toEqual(['ecb-EUR-20220708T140000Z:USD=1.0164,JPY=138.05']);
  });

  it('reports only the records whose object could not be written, in sequence order', async () => {
    const m = exporter((key) => key.includes('20220708'));
    const result = await exportRates(m.deps, [change('3', jul8), change('1', jul7), change('2', jul8)]);

    expect(result).toEqual({ exported: 1, failedSequenceNumbers: ['2', '3'], objectKeys: ['curated/rates/year=2022/month=07/day=07/ecb-EUR-20220707T140000Z.parquet'] });
  });
});

describe('rateHistoryChange (stream record → publication)', () => {
  // A history item as the rates table holds it, in DynamoDB's JSON: the number loses the trailing zero, `published` keeps it.
  const historyImage = {
    pk: { S: 'SERIES#ecb#EUR' },
    sk: { S: '2022-07-08T14:00:00.000Z' },
    provider: { S: 'ecb' },
    base: { S: 'EUR' },
    inForceFrom: { S: '2022-07-08T14:00:00.000Z' },
    rateDate: { S: '2022-07-08' },
    snapshotId: { S: 'ecb-EUR-20220708T140000Z' },
    rates: {
      M: {
        USD: { M: { rate: { N: '1.0163' }, published: { S: '1.0163' }, orientation: { S: 'quote-per-base' } } },
        PLN: { M: { rate: { N: '4.763' }, published: { S: '4.7630' }, orientation: { S: 'quote-per-base' } } },
        JPY: { M: { rate: { N: '138.05' }, published: { S: '138.05' }, orientation: { S: 'quote-per-base' } } },
      },
    },
  };
  const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', image: Record<string, unknown>): DynamoDBRecord => ({
    eventName,
    dynamodb: { SequenceNumber: '42', Keys: { pk: image.pk, sk: image.sk } as never, NewImage: image as never },
  });

  it('reads a history item with the published digits, its rates by quote', () => {
    const expected = {
      sequenceNumber: '42',
      publication: {
        provider: 'ecb',
        base: 'EUR',
        inForceFrom: '2022-07-08T14:00:00.000Z',
        rateDate: '2022-07-08',
        snapshotId: 'ecb-EUR-20220708T140000Z',
        rates: [
          { quote: 'JPY', rate: '138.05', orientation: 'quote-per-base' },
          { quote: 'PLN', rate: '4.7630', orientation: 'quote-per-base' },
          { quote: 'USD', rate: '1.0163', orientation: 'quote-per-base' },
        ],
      },
    };
    expect(rateHistoryChange(record('INSERT', historyImage))).toEqual(expected);
    expect(rateHistoryChange(record('MODIFY', historyImage))).toEqual(expected);
  });

  it('ignores latest items and deletions; the trigger filter passes history writes alone', () => {
    const latest = { ...historyImage, pk: { S: 'LATEST#ecb#EUR' }, sk: { S: 'LATEST' }, fetchedAt: { S: '2022-07-08T15:00:00.000Z' } };
    expect(rateHistoryChange(record('MODIFY', latest))).toBeUndefined();
    expect(rateHistoryChange(record('REMOVE', historyImage))).toBeUndefined();
    const passes = (r: DynamoDBRecord) => matchesFilter(RATE_HISTORY_FILTER, r);
    expect([passes(record('INSERT', historyImage)), passes(record('MODIFY', historyImage)), passes(record('REMOVE', historyImage)), passes(record('MODIFY', latest))]).toEqual([
      true,
      true,
      false,
      false,
    ]);
  });
});
