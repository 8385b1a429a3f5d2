import { seriesMoves, seriesPoint } from '../../../lambdas/domain/rate-change';
import type { PublishedValue, SeriesSnapshot } from '../../../lambdas/domain/rate-snapshot';

const quoted = (rate: string): PublishedValue => ({ rate, orientation: 'quote-per-base' });

function snapshot(day: string, rates: Record<string, PublishedValue>): SeriesSnapshot {
  return {
    provider: 'ecb',
    base: 'EUR',
    snapshotId: `ecb-EUR-${day}`,
    rateDate: day,
    inForceFrom: `${day}T15:00:00.000Z`,
    rates: new Map(Object.entries(rates)),
  } as SeriesSnapshot;
}

const day1 = snapshot('2024-01-08', { USD: quoted('1.0946'), JPY: quoted('158.25') });

describe('seriesMoves', () => {
  it('announces the first publication of a series with no previous point', () => {
    expect(seriesMoves(undefined, [day1])).toEqual([
      {
        eventId: 'ecb-EUR-2024-01-08',
        type: 'rate-series-moved',
        provider: 'ecb',
        base: 'EUR',
        previous: null,
        current: {
          snapshotId: 'ecb-EUR-2024-01-08',
          inForceFrom: '2024-01-08T15:00:00.000Z',
          rateDate: '2024-01-08',
          rates: { JPY: quoted('158.25'), USD: quoted('1.0946') },
        },
      },
    ]);
  });

  it('lists a point’s rates by quote, whatever order they were published in', () => {
    expect(Object.keys(seriesPoint(snapshot('2024-01-08', { USD: quoted('1'), AUD: quoted('2'), JPY: quoted('3') })).rates)).toEqual([
      'AUD',
      'JPY',
      'USD',
    ]);
  });

  it('sends nothing for a republication of the same numbers, even written differently', () => {
    const same = snapshot('2024-01-09', { JPY: quoted('158.250'), USD: quoted('1.0946') });
    expect(seriesMoves(day1, [same])).toEqual([]);
  });

  it.each([
    ['one rate moved', { USD: quoted('1.0947'), JPY: quoted('158.25') }],
    ['a quote added', { USD: quoted('1.0946'), JPY: quoted('158.25'), GBP: quoted('0.86') }],
    ['a quote dropped', { USD: quoted('1.0946') }],
    ['a quote replaced by another', { USD: quoted('1.0946'), GBP: quoted('158.25') }],
    ['the same digits read the other way round', { USD: { rate: '1.0946', orientation: 'base-per-quote' }, JPY: quoted('158.25') }],
  ] as const)('announces a move when %s', (_what, rates) => {
    const next = snapshot('2024-01-09', rates as Record<string, PublishedValue>);
    const [event] = seriesMoves(day1, [next]);
    expect(event).toEqual(expect.objectContaining({ eventId: 'ecb-EUR-2024-01-09', previous: seriesPoint(day1), current: seriesPoint(next) }));
  });

  it('walks several newer publications in order, each against the one before it', () => {
    const same = snapshot('2024-01-09', { USD: quoted('1.0946'), JPY: quoted('158.25') });
    const moved = snapshot('2024-01-10', { USD: quoted('1.0950'), JPY: quoted('158.25') });
    const back = snapshot('2024-01-11', { USD: quoted('1.0946'), JPY: quoted('158.25') });
    const events = seriesMoves(day1, [same, moved, back]);
    expect(events.map((e) => [e.previous?.snapshotId, e.current.snapshotId])).toEqual([
      ['ecb-EUR-2024-01-09', 'ecb-EUR-2024-01-10'],
      ['ecb-EUR-2024-01-10', 'ecb-EUR-2024-01-11'],
    ]);
  });
});
