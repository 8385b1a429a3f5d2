import { CONVERSION_INSERT_FILTER } from '../../../lambdas/adapters/aws/dynamodb-conversion-stream';
import { matchesFilter } from '../../../lib/local-platform/event-filter';

describe('local Lambda event filtering', () => {
  const record = (eventName: string, sk: string, pk = 'PARTNER#a') => ({ eventName, dynamodb: { Keys: { pk: { S: pk }, sk: { S: sk } } } });

  it('lets new conversion items through and drops everything else, as the deployed filter does', () => {
    expect(matchesFilter(CONVERSION_INSERT_FILTER, record('INSERT', 'CONVERSION#01HQ'))).toBe(true);
    expect(matchesFilter(CONVERSION_INSERT_FILTER, record('INSERT', 'IDEMPOTENCY#9b1a3f'))).toBe(false);
    expect(matchesFilter(CONVERSION_INSERT_FILTER, record('MODIFY', 'CONVERSION#01HQ'))).toBe(false);
    expect(matchesFilter(CONVERSION_INSERT_FILTER, record('INSERT', 'CONVERSION#01HQ', 'CURRENCY'))).toBe(false);
    expect(matchesFilter(CONVERSION_INSERT_FILTER, { eventName: 'INSERT' })).toBe(false);
  });

  it('matches any of a list of exact values', () => {
    expect(matchesFilter({ eventName: ['INSERT', 'MODIFY'] }, { eventName: 'MODIFY' })).toBe(true);
    expect(matchesFilter({ size: [1, 2] }, { size: '1' })).toBe(false);
  });

  it('refuses a rule it does not implement rather than guessing', () => {
    expect(() => matchesFilter({ eventName: [{ 'anything-but': 'REMOVE' }] }, { eventName: 'INSERT' })).toThrow('unsupported event filter value');
    expect(() => matchesFilter({ eventName: 'INSERT' }, { eventName: 'INSERT' })).toThrow('unsupported event filter rule');
  });
});
