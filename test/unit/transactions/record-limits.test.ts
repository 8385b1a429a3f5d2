import { dynamoItemBytes, LIMITS, queueMessageProblem, queueSafeJson, utf8Bytes } from '../../../lambdas/domain/record-limits';

describe('record limits', () => {
  it('counts UTF-8 bytes, not characters', () => {
    expect(utf8Bytes('€'.repeat(1000))).toBe(3000);
    expect(utf8Bytes('𝄞')).toBe(4);
  });

  it('bounds an item’s size from above: names and UTF-8 values count in full', () => {
    const item = { transaction_id: '€'.repeat(10), amount: 12.5, alert: false, nested: { a: 'bc' } };
    // Names 14 + 6 + 5 + 6 (+1 for nested's a), values 30 + 5 + 1 + 2: at least 70 bytes of content.
    expect(dynamoItemBytes(item)).toBeGreaterThanOrEqual(70);
    expect(dynamoItemBytes({ big: 'x'.repeat(LIMITS.dynamoItemBytes) })).toBeGreaterThan(LIMITS.dynamoItemBytes);
  });

  it.each([
    ['an empty item: the item itself', {}, 3],
    ['a string: name and value in UTF-8, plus one', { a: 'xy' }, 3 + 1 + 2 + 1],
    ['non-ASCII name and value', { é: 'ü' }, 3 + 2 + 2 + 1],
    ['a number: its text plus one', { n: 12.5 }, 3 + 1 + 5 + 1],
    ['a bigint: its digits plus one', { n: 10n }, 3 + 1 + 3 + 1],
    ['a boolean: one byte', { b: true }, 3 + 1 + 1 + 1],
    ['null: one byte', { z: null }, 3 + 1 + 1 + 1],
    ['binary: its bytes', { bin: new Uint8Array(5) }, 3 + 3 + 5 + 1],
    ['a list: 3 plus each element and one per element', { l: ['a', 1] }, 3 + 1 + (3 + (1 + 1) + (2 + 1)) + 1],
    ['a map: counted as an item', { m: { k: 'v' } }, 3 + 1 + (3 + 1 + 1 + 1) + 1],
    ['an absent attribute: nothing', { a: 'xy', gone: undefined }, 3 + 1 + 2 + 1],
  ])('sizes %s', (_what, item, bytes) => {
    expect(dynamoItemBytes(item)).toBe(bytes);
  });

  it('says why a body cannot be a queue message, and nothing for one that can', () => {
    expect(queueMessageProblem('x'.repeat(LIMITS.sqsMessageBytes))).toBeUndefined();
    expect(queueMessageProblem(`"${'é'.repeat(524_288)}"`)).toBe(
      'the record is 1048578 bytes of JSON; a queue message holds at most 1048576',
    );
  });

  it('escapes the two characters SQS refuses without changing what the JSON means', () => {
    const json = JSON.stringify({ merchant: 'a\uFFFEb\uFFFFc', note: '\uFFFD ok' });
    const safe = queueSafeJson(json);
    expect(safe).not.toMatch(/[\uFFFE\uFFFF]/);
    expect(JSON.parse(safe)).toEqual(JSON.parse(json));
  });
});
