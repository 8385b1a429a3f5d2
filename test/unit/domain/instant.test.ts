import { parseInstant } from '../../../lambdas/domain/instant';

describe('parseInstant', () => {
  it.each([
    ['2024-01-10T12:00:00Z', '2024-01-10T12:00:00.000Z'],
    ['2024-01-10T13:00:00.5+01:00', '2024-01-10T12:00:00.500Z'],
    ['2024-01-10T07:00:00-05', '2024-01-10T12:00:00.000Z'],
    ['2024-01-10T17:30:00+0530', '2024-01-10T12:00:00.000Z'],
    ['2024-01-10T11:15:00-00:45', '2024-01-10T12:00:00.000Z'],
    ['2024-01-10T12:00:00,123456Z', '2024-01-10T12:00:00.123Z'],
    ['2024-01-10T12:00:00.12Z', '2024-01-10T12:00:00.120Z'],
    ['2024-01-01T00:30:00+01:00', '2023-12-31T23:30:00.000Z'],
    ['2024-02-29T23:59:59.999-23:59', '2024-03-01T23:58:59.999Z'],
  ])('%s is %s', (text, iso) => {
    expect(parseInstant(text)).toEqual({ ok: true, iso });
  });

  it.each(['2024-01-10T12:00:00', '2024-01-10 12:00', '2024-01-10T12:00', '2024-01-10T12:00:00.5', '2024-01-10T12:00:00,123'])('%s has no zone', (text) => {
    expect(parseInstant(text)).toEqual({ ok: false, problem: 'has no zone; add "Z" or an offset like "+02:00"' });
  });

  it.each([
    '2024-01-10',
    '2024-01-10T12:00Z',
    '2024-01-10T12:00:00z',
    '2024-01-10T12:00:00+1',
    '2024-01-10T12:00:00 Z',
    ' 2024-01-10T12:00:00Z',
    '2024-01-10T12:00:00Zjunk',
    'x2024-01-10T12:00:00',
    '2024-01-10x12:00:00',
    '',
    1704888000000,
    null,
    undefined,
    { iso: '2024-01-10T12:00:00Z' },
  ])('%p is not ISO 8601 with a zone', (value) => {
    expect(parseInstant(value)).toEqual({ ok: false, problem: 'is not ISO 8601 with a zone, like "2024-01-10T12:00:00Z"' });
  });

  it.each([
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-10T24:00:00Z',
    '2024-01-10T12:60:00Z',
    '2024-01-10T12:00:60Z',
    '2024-01-10T12:00:00+24:00',
    '2024-01-10T12:00:00+01:60',
  ])('%s is not a real date and time', (text) => {
    expect(parseInstant(text)).toEqual({ ok: false, problem: 'is not a real date and time' });
  });

  it.each([
    ['0000-01-01T00:30:00+01:00', 'a year before 0000 once in UTC'],
    ['9999-12-31T23:30:00-01:00', 'year 10000 once in UTC'],
  ])('%s is out of range (%s)', (text) => {
    expect(parseInstant(text)).toEqual({ ok: false, problem: 'is out of range' });
  });

  it('keeps the edges of the range', () => {
    expect(parseInstant('0000-01-01T00:00:00Z')).toEqual({ ok: true, iso: '0000-01-01T00:00:00.000Z' });
    expect(parseInstant('9999-12-31T23:59:59.999Z')).toEqual({ ok: true, iso: '9999-12-31T23:59:59.999Z' });
  });
});
