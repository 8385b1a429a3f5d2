import { digestRowOf, type DigestRow } from '../../../lambdas/domain/high-value-digest';
import type { DigestStore } from '../../../lambdas/ports/digest-store';
import { EmailRejectedError, type Email } from '../../../lambdas/ports/email-sender';
import { sendHighValueDigests } from '../../../lambdas/use-cases/high-value-digest';

const row = (id: string, amountBase = '1000.00'): DigestRow =>
  digestRowOf({
    transaction_id: id,
    amount: amountBase,
    currency: 'USD',
    amount_base: amountBase,
    base_currency: 'USD',
    merchant: 'Shop',
    user_id_hash: 'a'.repeat(64),
    timestamp: '2024-01-10T12:00:00.000Z',
  });

/** A digest store in memory: windows with rows, claims and what was marked sent. */
function store(windows: Record<string, DigestRow[]>, claims: Record<string, 'sent' | 'busy'> = {}) {
  const calls: string[] = [];
  const marked: { window: string; token: string; messageId?: string; rows: number }[] = [];
  const digest: DigestStore = {
    add: () => Promise.reject(new Error('not used')),
    openWindows: async () => Object.keys(windows),
    claim: async (window, token, untilMs, nowMs) => {
      calls.push(`claim ${window} ${token} until ${new Date(untilMs).toISOString()} at ${new Date(nowMs).toISOString()}`);
      return claims[window] ?? 'claimed';
    },
    rows: async (window) => windows[window],
    markSent: async (window, token, result) => {
      marked.push({ window, token, ...result });
      return true;
    },
  };
  return { digest, calls, marked };
}

const NOW = new Date('2024-01-10T12:20:00.000Z');
/** The template data as text (the HTML copy is escaped the same way). */
const text = (email: Email) => (email.data as { text: Record<string, string> }).text;

function run(digest: DigestStore, send: (email: Email) => Promise<{ messageId: string }>, now = NOW) {
  const sent: Email[] = [];
  let tokens = 0;
  return {
    sent,
    result: sendHighValueDigests({
      digest,
      email: { send: (email) => (sent.push(email), send(email)) },
      recipients: ['ops@example.com'],
      windowMinutes: 15,
      claimMs: 60_000,
      clock: () => now,
      newToken: () => `token-${++tokens}`,
    }),
  };
}

describe('sending the high-value digests', () => {
  it('e-mails each closed window once, oldest first, claims it first and marks it sent; leaves the open one', async () => {
    const { digest, calls, marked } = store({
      '2024-01-10T12:00:00.000Z': [row('t-2'), row('t-3')],
      '2024-01-10T11:45:00.000Z': [row('t-1')],
      '2024-01-10T12:15:00.000Z': [row('t-4')], // open until 12:30
    });
    const { sent, result } = run(digest, async (email) => ({ messageId: `m-${text(email).windowStart}` }));
    expect(await result).toEqual({
      sent: [
        { window: '2024-01-10T11:45:00.000Z', rows: 1, messageId: 'm-2024-01-10T11:45:00.000Z' },
        { window: '2024-01-10T12:00:00.000Z', rows: 2, messageId: 'm-2024-01-10T12:00:00.000Z' },
      ],
      refused: [],
      pending: 1,
    });
    expect(calls).toEqual([
      'claim 2024-01-10T11:45:00.000Z token-1 until 2024-01-10T12:21:00.000Z at 2024-01-10T12:20:00.000Z',
      'claim 2024-01-10T12:00:00.000Z token-2 until 2024-01-10T12:21:00.000Z at 2024-01-10T12:20:00.000Z',
    ]);
    expect(sent.map((e) => [e.to, text(e).count, text(e).windowEnd])).toEqual([
      [['ops@example.com'], '1', '2024-01-10T12:00:00.000Z'],
      [['ops@example.com'], '2', '2024-01-10T12:15:00.000Z'],
    ]);
    expect(marked).toEqual([
      { window: '2024-01-10T11:45:00.000Z', token: 'token-1', messageId: 'm-2024-01-10T11:45:00.000Z', rows: 1 },
      { window: '2024-01-10T12:00:00.000Z', token: 'token-2', messageId: 'm-2024-01-10T12:00:00.000Z', rows: 2 },
    ]);
  });

  it('closes a window at its end instant: one ending exactly now is sent', async () => {
    const { digest } = store({ '2024-01-10T12:00:00.000Z': [row('t-1')] }); // 12:00 + 15 min
    expect((await run(digest, async () => ({ messageId: 'm-1' }), new Date('2024-01-10T12:15:00.000Z')).result).sent).toHaveLength(1);
    expect((await run(digest, async () => ({ messageId: 'm-1' }), new Date('2024-01-10T12:14:59.999Z')).result).pending).toBe(1);
  });

  it('counts a window another run is sending as pending, and skips one already sent', async () => {
    const { digest, marked } = store(
      { '2024-01-10T11:30:00.000Z': [row('t-1')], '2024-01-10T11:45:00.000Z': [row('t-2')] },
      { '2024-01-10T11:30:00.000Z': 'busy', '2024-01-10T11:45:00.000Z': 'sent' },
    );
    const { sent, result } = run(digest, async () => ({ messageId: 'm' }));
    expect(await result).toEqual({ sent: [], refused: [], pending: 1 });
    expect([sent, marked]).toEqual([[], []]);
  });

  it('marks an empty window sent without an e-mail', async () => {
    const { digest, marked } = store({ '2024-01-10T11:45:00.000Z': [] });
    const { sent, result } = run(digest, async () => ({ messageId: 'm' }));
    expect(await result).toEqual({ sent: [], refused: [], pending: 0 });
    expect(sent).toEqual([]);
    expect(marked).toEqual([{ window: '2024-01-10T11:45:00.000Z', token: 'token-1', messageId: undefined, rows: 0 }]);
  });

  it('records an e-mail SES refuses as done, with the reason, and goes on', async () => {
    const { digest, marked } = store({ '2024-01-10T11:30:00.000Z': [row('t-1')], '2024-01-10T11:45:00.000Z': [row('t-2')] });
    const { result } = run(digest, async (email) => {
      if (text(email).windowStart === '2024-01-10T11:30:00.000Z') throw new EmailRejectedError('MessageRejected: address not verified');
      return { messageId: 'm-2' };
    });
    expect(await result).toEqual({
      sent: [{ window: '2024-01-10T11:45:00.000Z', rows: 1, messageId: 'm-2' }],
      refused: [{ window: '2024-01-10T11:30:00.000Z', reason: 'MessageRejected: address not verified' }],
      pending: 0,
    });
    expect(marked.map((m) => [m.window, m.messageId, m.rows])).toEqual([
      ['2024-01-10T11:30:00.000Z', undefined, 1],
      ['2024-01-10T11:45:00.000Z', 'm-2', 1],
    ]);
  });

  it('lets any other send failure end the run unmarked, for a retry', async () => {
    const { digest, marked } = store({ '2024-01-10T11:45:00.000Z': [row('t-1')] });
    const { result } = run(digest, async () => {
      throw new Error('Throttling');
    });
    await expect(result).rejects.toThrow('Throttling');
    expect(marked).toEqual([]);
  });

  it('totals the amounts in base, and says so when the bases differ', async () => {
    const rows = [row('t-1', '1000.50'), row('t-2', '2000.25')];
    const mixed = [row('t-1'), { ...row('t-2'), baseCurrency: 'EUR' }];
    const { digest } = store({ '2024-01-10T11:30:00.000Z': rows, '2024-01-10T11:45:00.000Z': mixed });
    const { sent, result } = run(digest, async () => ({ messageId: 'm' }));
    await result;
    expect(sent.map((e) => [text(e).totalBase, text(e).omitted])).toEqual([
      ['3000.75 USD', ''],
      ['mixed base currencies', ''],
    ]);
  });

  it('lists at most 200 transactions and says how many more there are', async () => {
    const rows = Array.from({ length: 203 }, (_, i) => row(`t-${String(i).padStart(3, '0')}`));
    const { digest } = store({ '2024-01-10T12:00:00.000Z': rows });
    const { sent, result } = run(digest, async () => ({ messageId: 'm-1' }));
    await result;
    expect(text(sent[0]).omitted).toBe('3 more are not listed here; query the transactions table (high_value_alert) for them.');
    expect(text(sent[0]).count).toBe('203');
  });
});
