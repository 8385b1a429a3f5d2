import { IdempotencyKeyInProgressError, IdempotencyKeyReusedError, type ConversionStore, type StoredConversion } from '../../../lambdas/ports/conversion-store';
import { createConversion, getConversion, type ConversionDeps } from '../../../lambdas/use-cases/conversions';
import { refusal } from '../../support/refusal';

const caller = { clientId: 'partner-a', scopes: ['fx/convert'] };
const request = { from: 'EUR', to: 'USD', amount: '10.00' };
const first = { id: '01HM0000000000000000000000' } as StoredConversion;

/** A store whose createOnce answers from a script: an error to throw or the conversion to return, per call. */
function scripted(...answers: (Error | StoredConversion)[]) {
  let calls = 0;
  const conversions = {
    createOnce: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)];
      if (answer instanceof Error) throw answer;
      return { conversion: answer, replayed: true };
    },
    get: async () => undefined,
  } as unknown as ConversionStore;
  return { deps: { conversions } as unknown as ConversionDeps, calls: () => calls };
}

const failure = (call: () => Promise<unknown>) => refusal(call, ['status', 'code', 'message', 'details']);

describe('a conversion retried while its key is in progress', () => {
  it('waits for the first request, then answers with its result', async () => {
    const busy = new IdempotencyKeyInProgressError();
    const { deps, calls } = scripted(busy, busy, first);
    const waits: number[] = [];
    const result = await createConversion(deps, caller, 'key-1', request, async (ms) => void waits.push(ms));
    expect(result).toEqual({ conversion: first, replayed: true });
    expect(calls()).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('gives up after six tries and five waits of at least 40 ms each: 409 IDEMPOTENCY_IN_PROGRESS', async () => {
    const { deps, calls } = scripted(new IdempotencyKeyInProgressError());
    const waits: number[] = [];
    expect(await failure(() => createConversion(deps, caller, 'key-1', request, async (ms) => void waits.push(ms)))).toEqual({
      status: 409,
      code: 'IDEMPOTENCY_IN_PROGRESS',
      message: 'Another request with this Idempotency-Key is in progress; retry it',
      details: { idempotencyKey: 'key-1' },
    });
    expect(calls()).toBe(6);
    expect(waits).toHaveLength(5);
    for (const ms of waits) expect(ms).toBeGreaterThanOrEqual(40);
    // The backoff is capped at 400 ms, on top of the 40 ms floor.
    for (const ms of waits) expect(ms).toBeLessThan(440);
  });

  it('answers a key reused with another request with 409 IDEMPOTENCY_CONFLICT, naming the first conversion', async () => {
    const { deps } = scripted(new IdempotencyKeyReusedError(first.id));
    expect(await failure(() => createConversion(deps, caller, 'key-1', request, async () => undefined))).toEqual({
      status: 409,
      code: 'IDEMPOTENCY_CONFLICT',
      message: 'This Idempotency-Key was used with a different request; use a new key for a new conversion',
      details: { idempotencyKey: 'key-1', conversionId: first.id },
    });
  });

  it('answers an unknown conversion id with 404 naming it', async () => {
    const { deps } = scripted(first);
    expect(await failure(() => getConversion(deps, caller, 'nope'))).toEqual({ status: 404, code: 'NOT_FOUND', message: 'No conversion nope', details: { id: 'nope' } });
  });
});
