import { createHash } from 'node:crypto';
import { userIdHash } from '../../../lambdas/domain/pii';
import { duplicateKeyDetail, quarantineLine, quarantineObject } from '../../../lambdas/domain/quarantine';
import { parseJsonStrict, rawJSON } from '../../../lambdas/shared/exact-json';
import { feedTransaction, HMAC_KEY } from '../../support/transactions';

const line = (record: unknown, detail = 'amount must be a positive decimal string') =>
  quarantineLine({ messageId: 'm-1', reason: 'INVALID_AMOUNT', detail, record }, HMAC_KEY);

describe('quarantineLine', () => {
  it('keeps the contract fields, the user id as its HMAC, and nothing else', () => {
    const record = {
      ...feedTransaction({ user_id: 'user-42' }),
      card_number: '4111111111111111',
      email: 'alice@example.com',
      meta: { user_id: 'user-nested-7' },
      user_id_hash: 'f'.repeat(64),
    };

    expect(line(record)).toEqual({
      messageId: 'm-1',
      reason: 'INVALID_AMOUNT',
      detail: 'amount must be a positive decimal string',
      record: { ...feedTransaction({ user_id: undefined }), user_id_hash: userIdHash(HMAC_KEY, 'user-42') },
    });
  });

  it('keeps the user_id_hash of a record replayed from quarantine, which has no user_id', () => {
    const hash = userIdHash(HMAC_KEY, 'user-42');
    expect(line({ ...feedTransaction({ user_id: undefined }), user_id_hash: hash }).record).toMatchObject({ user_id_hash: hash });
    expect(line({ ...feedTransaction({ user_id: undefined }), user_id_hash: 'alice@example.com' }).record).not.toHaveProperty('user_id_hash');
    for (const notAHash of [`x${hash}`, `${hash}0`, hash.slice(1)]) {
      expect(line({ ...feedTransaction({ user_id: undefined }), user_id_hash: notAHash }).record).not.toHaveProperty('user_id_hash');
    }
  });

  it('leaves out a value longer than any valid one, or not a text or number, and says which', () => {
    const result = line(
      feedTransaction({
        merchant: 'm'.repeat(1025),
        currency: 'EURO'.repeat(5),
        timestamp: { at: 'now' },
        country: 'DE',
        user_id: 42,
      }),
    );

    expect(result.record).toEqual({
      transaction_id: 'tx-1',
      amount: '12.50',
      merchant_category: 'grocery',
      country: 'DE',
    });
    expect(result.detail).toBe(
      'amount must be a positive decimal string (not kept in this line: currency, timestamp, merchant, user_id)',
    );
  });

  it('keeps a JSON number with the digits the sender wrote', () => {
    const record = parseJsonStrict('{"transaction_id":"t","amount":12.50,"user_id":"u"}', rawJSON);
    expect(JSON.stringify(line(record).record)).toBe(`{"transaction_id":"t","amount":12.50,"user_id_hash":"${userIdHash(HMAC_KEY, 'u')}"}`);
  });

  it.each([null, [feedTransaction()], 'text', 42])('has no record for a body %j that is not a JSON object', (body) => {
    expect(line(body).record).toBeNull();
  });

  it('caps the detail at 1,024 characters', () => {
    expect(line(feedTransaction(), 'x'.repeat(5000)).detail).toBe(`${'x'.repeat(1024)}...`);
    expect(line(feedTransaction(), 'x'.repeat(1024)).detail).toBe('x'.repeat(1024));
  });

  it('keeps a value exactly as long as the longest valid one, and leaves out one character more', () => {
    const atLimit = line(feedTransaction({ merchant: 'm'.repeat(1024), currency: 'C'.repeat(16) }));
    expect(atLimit.record).toMatchObject({ merchant: 'm'.repeat(1024), currency: 'C'.repeat(16) });
    expect(atLimit.detail).toBe('amount must be a positive decimal string');

    const over = line(feedTransaction({ merchant: 'm'.repeat(1025), currency: 'C'.repeat(17) }));
    expect(over.record).not.toHaveProperty('merchant');
    expect(over.record).not.toHaveProperty('currency');
  });

  it('keeps a finite JSON number as it came, and a raw JSON number only up to 100 characters', () => {
    expect(line(feedTransaction({ amount: 12.5 })).record).toMatchObject({ amount: 12.5 });

    const digits = (n: number) => parseJsonStrict(`{"transaction_id":"t","amount":1.${'0'.repeat(n - 2)}}`, rawJSON);
    expect(JSON.stringify(line(digits(100)).record)).toBe(`{"transaction_id":"t","amount":1.${'0'.repeat(98)}}`);
    const tooLong = line(digits(101));
    expect(tooLong.record).toEqual({ transaction_id: 't' });
    expect(tooLong.detail).toBe('amount must be a positive decimal string (not kept in this line: amount)');
  });

  it('says nothing is left out for a field that is null, or a user id that is null or empty, and hashes no empty id', () => {
    for (const userId of [null, '']) {
      const result = line(feedTransaction({ merchant: null, user_id: userId }));
      expect(result.detail).toBe('amount must be a positive decimal string');
      expect(result.record).not.toHaveProperty('merchant');
      expect(result.record).not.toHaveProperty('user_id_hash');
    }
  });
});

describe('duplicateKeyDetail', () => {
  it('names a contract field written twice at the top of the record, and nothing else', () => {
    expect(duplicateKeyDetail([], 'amount')).toBe('the record has the key "amount" more than once');
    expect(duplicateKeyDetail([], 'card_number')).toBe('the record writes a key outside the feed contract more than once');
    expect(duplicateKeyDetail(['meta'], 'amount')).toBe('the record writes a key outside the feed contract more than once');
  });
});

describe('quarantineObject', () => {
  it('orders the lines by message id and names the object by the hash of the ids, so the same lines give the same key and bytes', () => {
    const a = line(feedTransaction({ transaction_id: 'a' }));
    const b = { ...line(feedTransaction({ transaction_id: 'b' })), messageId: 'm-0' };

    const first = quarantineObject('quarantine/transactions', '2024-01-10', [a, b]);
    const again = quarantineObject('quarantine/transactions', '2024-01-10', [b, a]);

    expect(first).toEqual(again);
    expect(first.key).toBe(`quarantine/transactions/dt=2024-01-10/${createHash('sha256').update('m-0\nm-1').digest('hex')}.jsonl`);
    expect(first.body.trim().split('\n').map((l) => JSON.parse(l).messageId)).toEqual(['m-0', 'm-1']);
  });

  it('orders any number of lines by message id', () => {
    const lines = ['m-3', 'm-1', 'm-4', 'm-2'].map((messageId) => ({ ...line(feedTransaction()), messageId }));

    const object = quarantineObject('quarantine/transactions', '2024-01-10', lines);

    expect(object.body.trim().split('\n').map((l) => JSON.parse(l).messageId)).toEqual(['m-1', 'm-2', 'm-3', 'm-4']);
    expect(object.key).toBe(
      `quarantine/transactions/dt=2024-01-10/${createHash('sha256').update('m-1\nm-2\nm-3\nm-4').digest('hex')}.jsonl`,
    );
  });
});
