import type { DynamoDBRecord } from 'aws-lambda';
import { marshall } from '@aws-sdk/util-dynamodb';
import { conversionChange } from '../../../lambdas/adapters/aws/dynamodb-conversion-stream';
import {
  curatedConversionProblem,
  curatedConversionRow,
  curatedConversionsParquet,
} from '../../../lambdas/adapters/parquet/curated-conversions';
import type { StoredConversion } from '../../../lambdas/ports/conversion-store';
import { exportConversions, type ConversionChange } from '../../../lambdas/use-cases/export-conversions';
import { createHash } from 'node:crypto';
import { memoryLake, queryParquet } from '../../support/lake';

const conversion = (id: string, createdAt: string, amount = '10.00'): StoredConversion => ({
  id,
  createdAt,
  from: 'EUR',
  to: 'JPY',
  amount,
  converted: '1585',
  rate: '158.4700000000000000001234',
  inverseRate: '0.006310345176941692434',
  asOf: '2024-01-10T00:00:00.000Z',
  provider: 'ecb',
});
const change = (seq: string, c: StoredConversion, partnerId = 'client-a'): ConversionChange => ({ sequenceNumber: seq, partnerId, conversion: c });

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const codec = { row: curatedConversionRow, problem: curatedConversionProblem, parquet: curatedConversionsParquet };
const deps = (lake: ReturnType<typeof memoryLake>['lake']) => ({ lake, codec, curatedPrefix: 'curated/conversions', quarantinePrefix: 'quarantine/conversions' });

describe('exportConversions', () => {
  const a = change('100', conversion('A', '2024-01-10T09:00:00.000Z'));
  const b = change('101', conversion('B', '2024-01-11T09:00:00.000Z'));
  const c = change('102', conversion('C', '2024-01-10T23:59:59.999Z'));

  it('writes one object per UTC day of created_at, at a key that depends only on the ids', async () => {
    const first = memoryLake();
    const result = await exportConversions(deps(first.lake), [a, b, c]);
    expect(result).toMatchObject({ exported: 3, quarantined: 0, failedSequenceNumbers: [] });
    expect([...first.objects.keys()].map((k) => k.replace(/[0-9a-f]{64}/, '<hash>'))).toEqual([
      'curated/conversions/year=2024/month=01/day=10/<hash>.parquet',
      'curated/conversions/year=2024/month=01/day=11/<hash>.parquet',
    ]);
    const again = memoryLake();
    await exportConversions(deps(again.lake), [c, b, a]);
    expect([...again.objects.keys()].sort()).toEqual([...first.objects.keys()].sort());
    for (const [key, body] of first.objects) expect(Buffer.from(again.objects.get(key) as Uint8Array)).toEqual(Buffer.from(body as Uint8Array));
  });

  it('stores amounts exactly and rates rounded half-even to 18 places', async () => {
    const { objects, lake } = memoryLake();
    await exportConversions(deps(lake), [a]);
    const rows = await queryParquet([...objects.values()] as Uint8Array[], (files) => `SELECT conversion_id, partner_id, amount::VARCHAR AS amount, rate::VARCHAR AS rate, inverse_rate::VARCHAR AS inverse FROM ${files}`);
    // 158.4700000000000000001234 → 158.470000000000000000; 0.006310345176941692434 → …692 (the 19th digit is 4)
    expect(rows).toEqual([{ conversion_id: 'A', partner_id: 'client-a', amount: '10.000000000000000000', rate: '158.470000000000000000', inverse: '0.006310345176941692' }]);
  });

  it('quarantines a conversion the DECIMAL(38,18) columns cannot hold, and stores its siblings', async () => {
    const { objects, lake } = memoryLake();
    const tiny = change('103', conversion('D', '2024-01-10T10:00:00.000Z', '0.0000000000000000001'));
    const result = await exportConversions(deps(lake), [a, tiny]);
    expect(result).toMatchObject({ exported: 1, quarantined: 1, failedSequenceNumbers: [] });
    const quarantine = [...objects.entries()].find(([k]) => k.startsWith('quarantine/conversions/dt=2024-01-10/'))!;
    expect(JSON.parse(String(quarantine[1]))).toEqual({
      partnerId: 'client-a',
      reason: 'amount 0.0000000000000000001 has more than 18 fraction digits',
      conversion: tiny.conversion,
    });
  });

  it('quarantines a conversion item missing a field instead of failing the batch', async () => {
    const { lake } = memoryLake();
    const partial: Partial<StoredConversion> = { ...conversion('E', '2024-01-10T10:00:00.000Z'), createdAt: undefined };
    const result = await exportConversions(deps(lake), [a, { sequenceNumber: '104', partnerId: 'client-a', conversion: partial }]);
    expect(result).toMatchObject({ exported: 1, quarantined: 1 });
  });

  it('names each object by the sha256 of its ids, sorted and one per line, with the Parquet content type', async () => {
    const { contentTypes, lake } = memoryLake();
    const result = await exportConversions(deps(lake), [b, c, a]);
    const day10 = `curated/conversions/year=2024/month=01/day=10/${sha256('A\nC')}.parquet`;
    const day11 = `curated/conversions/year=2024/month=01/day=11/${sha256('B')}.parquet`;
    expect(result.objectKeys).toEqual([day10, day11]);
    expect(Object.fromEntries(contentTypes)).toEqual({ [day10]: 'application/vnd.apache.parquet', [day11]: 'application/vnd.apache.parquet' });
  });

  it('writes the unfit of a batch as one JSON line each, sorted by conversion id, under the earliest day', async () => {
    const { objects, contentTypes, lake } = memoryLake();
    const tooPrecise = (id: string, createdAt: string) => conversion(id, createdAt, '0.0000000000000000001');
    const later = change('205', tooPrecise('Z', '2024-01-12T10:00:00.000Z'));
    const earlier = change('204', tooPrecise('Y', '2024-01-11T10:00:00.000Z'));
    const result = await exportConversions(deps(lake), [later, earlier]);
    const key = `quarantine/conversions/dt=2024-01-11/${sha256('204\n205')}.jsonl`;
    expect(result).toEqual({ exported: 0, quarantined: 2, failedSequenceNumbers: [], objectKeys: [key] });
    expect(contentTypes.get(key)).toBe('application/x-ndjson');
    const lines = String(objects.get(key)).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line).conversion.id)).toEqual(['Y', 'Z']);
  });

  it('files unfit conversions without a created_at under dt=unknown', async () => {
    const { objects, lake } = memoryLake();
    const undated = { sequenceNumber: '301', partnerId: 'client-a', conversion: { ...conversion('U', ''), createdAt: undefined } };
    await exportConversions(deps(lake), [undated]);
    expect([...objects.keys()]).toEqual([`quarantine/conversions/dt=unknown/${sha256('301')}.jsonl`]);
  });

  it('counts an unfit conversion as failed, not quarantined, when its quarantine object cannot be written', async () => {
    const { lake } = memoryLake((key) => key.startsWith('quarantine/'));
    const tiny = change('103', conversion('D', '2024-01-10T10:00:00.000Z', '0.0000000000000000001'));
    const result = await exportConversions(deps(lake), [a, tiny]);
    expect(result).toMatchObject({ exported: 1, quarantined: 0, failedSequenceNumbers: ['103'] });
  });

  it('reports every failed record once, in sequence order, when nothing can be written', async () => {
    const { lake } = memoryLake(() => true);
    const result = await exportConversions(deps(lake), [b, c, a]);
    expect(result).toEqual({ exported: 0, quarantined: 0, failedSequenceNumbers: ['100', '101', '102'], objectKeys: [] });
  });

  it('reports only the records of an object that could not be written', async () => {
    const { objects, lake } = memoryLake((key) => key.includes('day=11'));
    const result = await exportConversions(deps(lake), [a, b, c]);
    expect(result).toMatchObject({ exported: 2, failedSequenceNumbers: ['101'] });
    expect([...objects.keys()]).toHaveLength(1);
  });
});

describe('conversionChange (stream record → conversion)', () => {
  const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', item: Record<string, unknown>): DynamoDBRecord => ({
    eventName,
    dynamodb: {
      SequenceNumber: '42',
      Keys: marshall({ pk: item.pk, sk: item.sk }) as never,
      NewImage: marshall(item) as never,
    },
  });
  const stored = conversion('01HQ', '2024-01-10T09:00:00.000Z');

  it('reads a new conversion item with its partner from the key', () => {
    expect(conversionChange(record('INSERT', { pk: 'PARTNER#client-z', sk: 'CONVERSION#01HQ', ...stored, idempotencyKey: 'k' }))).toEqual({
      sequenceNumber: '42',
      partnerId: 'client-z',
      conversion: stored,
    });
  });

  it('ignores idempotency records, currencies, updates and deletions', () => {
    expect(conversionChange(record('INSERT', { pk: 'PARTNER#client-z', sk: 'IDEMPOTENCY#k', requestHash: 'h' }))).toBeUndefined();
    expect(conversionChange(record('INSERT', { pk: 'CURRENCY', sk: 'USD' }))).toBeUndefined();
    expect(conversionChange(record('MODIFY', { pk: 'PARTNER#client-z', sk: 'CONVERSION#01HQ', ...stored }))).toBeUndefined();
    expect(conversionChange(record('REMOVE', { pk: 'PARTNER#client-z', sk: 'CONVERSION#01HQ', ...stored }))).toBeUndefined();
  });
});
