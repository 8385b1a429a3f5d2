import { DuplicateKeyError, duplicateKeys, parseJsonStrict, rawJSON } from '../../../lambdas/shared/exact-json';

describe('parseJsonStrict', () => {
  it('parses JSON without repeated keys exactly like JSON.parse', () => {
    const text = '{"a":1,"b":[{"a":2},{"a":3}],"c":{"a":{"a":"x"}},"d":"\\"a\\":1,\\"a\\":2"}';
    expect(parseJsonStrict(text)).toEqual(JSON.parse(text));
  });

  it('keeps the digits of numbers when asked to', () => {
    expect(JSON.stringify(parseJsonStrict('{"amount":12.50}', rawJSON))).toBe('{"amount":12.50}');
  });

  it.each([
    ['at the top', '{"amount":"1","currency":"EUR","amount":"1000"}', { path: [], key: 'amount' }],
    ['in a nested object', '{"meta":{"user_id":"a","user_id":"b"}}', { path: ['meta'], key: 'user_id' }],
    ['in the fourth element of an array', '{"transactions":[{},{},{},{"id":1,"x":[1,2],"id":2}]}', { path: ['transactions', 3], key: 'id' }],
    ['written once plainly and once escaped', '{"amount":"1","\\u0061mount":"2"}', { path: [], key: 'amount' }],
    ['after strings full of quotes, brackets and backslashes', '{"k":"\\\\\\"}{[,","k":"x"}', { path: [], key: 'k' }],
  ])('refuses a key written twice %s and names it', (_where, text, duplicate) => {
    let caught: unknown;
    try {
      parseJsonStrict(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DuplicateKeyError);
    expect((caught as DuplicateKeyError).duplicate).toEqual(duplicate);
    expect((caught as Error).message).toContain(`the key "${duplicate.key}" appears more than once`);
  });

  it('does not take equal keys of different objects, or equal values, for duplicates', () => {
    expect(duplicateKeys('[{"a":1},{"a":1}]')).toEqual([]);
    expect(duplicateKeys('{"a":"a","b":"a","c":{"a":1}}')).toEqual([]);
    expect(duplicateKeys('["a","a",{"a":["a"]}]')).toEqual([]);
  });

  it('still throws SyntaxError for text that is not JSON', () => {
    expect(() => parseJsonStrict('{"a":')).toThrow(SyntaxError);
    expect(() => parseJsonStrict('{"a":')).not.toThrow(DuplicateKeyError);
  });

  it('lists every repeated key of a text', () => {
    expect(duplicateKeys('{"t":[{"a":1,"a":2},{"b":1,"b":2,"b":3}]}')).toEqual([
      { path: ['t', 0], key: 'a' },
      { path: ['t', 1], key: 'b' },
      { path: ['t', 1], key: 'b' },
    ]);
  });
});
