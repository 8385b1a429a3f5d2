import { createHash } from 'node:crypto';
import { userIdHash } from '../../../lambdas/domain/pii';
import { quarantineLine, quarantineObject } from '../../../lambdas/domain/quarantine';
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
});
