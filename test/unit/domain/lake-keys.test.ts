import { createHash } from 'node:crypto';
import { DATE_PARTITION, datePartitions, lakeKeys } from '../../../lambdas/domain/lake-keys';
import type { RateSnapshot } from '../../../lambdas/domain/rate-snapshot';

const snapshot = {
  provider: 'ecb',
  snapshotId: 'ecb-EUR-2024-01-05',
  rateDate: '2024-01-05',
  inForceFrom: '2024-01-05T15:00:00.000Z',
} as RateSnapshot;

describe('lake keys', () => {
  it('partitions by the UTC date of an instant', () => {
    expect(datePartitions('2024-01-05T23:59:59.999Z')).toBe('year=2024/month=01/day=05');
  });

  it('recognises exactly the partition paths it writes', () => {
    expect(DATE_PARTITION.test('year=2024/month=01/day=05')).toBe(true);
    for (const other of ['x/year=2024/month=01/day=05', 'year=2024/month=01/day=05/x', 'year=24/month=01/day=05', 'year=2024/month=1/day=05']) {
      expect({ other, match: DATE_PARTITION.test(other) }).toEqual({ other, match: false });
    }
  });

  it('keys raw and curated rates by provider, date and snapshot id', () => {
    expect(lakeKeys.rawRates('raw/rates', snapshot, 'xml')).toBe('raw/rates/provider=ecb/dt=2024-01-05/ecb-EUR-2024-01-05.xml');
    expect(lakeKeys.curatedRates('curated/rates', snapshot)).toBe('curated/rates/year=2024/month=01/day=05/ecb-EUR-2024-01-05.parquet');
  });

  it('names a batch by the SHA-256 of its ids sorted and joined by newlines, whatever their order', () => {
    const expected = createHash('sha256').update('a1\nb2\nc3').digest('hex');
    for (const ids of [['a1', 'b2', 'c3'], ['c3', 'a1', 'b2'], ['b2', 'c3', 'a1']]) {
      expect(lakeKeys.curatedBatch('curated/transactions', '2024-01-05T10:00:00.000Z', ids)).toBe(
        `curated/transactions/year=2024/month=01/day=05/${expected}.parquet`,
      );
    }
    const ids = ['c3', 'a1'];
    lakeKeys.curatedBatch('p', '2024-01-05T10:00:00.000Z', ids);
    expect(ids).toEqual(['c3', 'a1']);
  });
});
