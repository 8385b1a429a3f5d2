import { ulid } from '../domain/ulid';
import {
  IdempotencyKeyInProgressError,
  IdempotencyKeyReusedError,
  type ConversionStore,
  type StoredConversion,
} from '../ports/conversion-store';
import {
  ConflictError,
  HttpReply,
  NotFoundError,
  afterIdOf,
  encodeCursor,
  type Caller,
  type HttpRequest,
  type Operations,
} from '../shared/http';
import { pageSize, quote, type RateQueryDeps } from './rate-queries';
import { IDEMPOTENCY_REPLAYED_HEADER } from '../shared/api-contract';
import { backoffDelay, defaultSleep } from '../shared/retry';

export const DEFAULT_CONVERSIONS_PAGE = 20;
export const MAX_CONVERSIONS_PAGE = 100;

export interface ConversionDeps extends RateQueryDeps {
  readonly conversions: ConversionStore;
  /** @default conversionId */
  readonly newId?: (now: Date) => string;
}

export type ConversionRequest = NonNullable<HttpRequest<'createConversion'>['body']>;

/** A conversion's id: a ULID, so a partner's conversions list newest first by key order. */
export const conversionId = ulid;

/**
 * A retry racing the first request with its key waits for it this many times (about a second
 * in all), then gets 409 IDEMPOTENCY_IN_PROGRESS.
 */
const IN_PROGRESS_WAITS = { attempts: 6, baseDelayMs: 40, maxDelayMs: 400 };

/**
 * Prices and records a conversion at the latest rate. The Idempotency-Key is the partner's:
 * the same key with the same request returns the first result (`replayed`), with another
 * request it is a 409. Retries racing each other are serialised by the store's conditional
 * writes, so only one conversion is ever stored per key.
 */
export async function createConversion(
  deps: ConversionDeps,
  caller: Caller,
  idempotencyKey: string,
  request: ConversionRequest,
  sleep: (ms: number) => Promise<void> = defaultSleep,
): Promise<{ readonly conversion: StoredConversion; readonly replayed: boolean }> {
  const create = async (): Promise<StoredConversion> => {
    const priced = await quote(deps, request);
    const createdAt = (deps.clock ?? (() => new Date()))();
    return { id: (deps.newId ?? conversionId)(createdAt), createdAt: createdAt.toISOString(), ...priced };
  };
  for (let attempt = 1; ; attempt++) {
    try {
      return await deps.conversions.createOnce(caller.clientId, idempotencyKey, request, create);
    } catch (error) {
      if (error instanceof IdempotencyKeyReusedError) {
        throw new ConflictError(
          'This Idempotency-Key was used with a different request; use a new key for a new conversion',
          { idempotencyKey, ...(error.firstId ? { conversionId: error.firstId } : {}) },
          'IDEMPOTENCY_CONFLICT',
        );
      }
      if (!(error instanceof IdempotencyKeyInProgressError)) throw error;
      if (attempt >= IN_PROGRESS_WAITS.attempts) {
        throw new ConflictError('Another request with this Idempotency-Key is in progress; retry it', { idempotencyKey }, 'IDEMPOTENCY_IN_PROGRESS');
      }
      // The first request with the key is still running: its answer is the one to give.
      await sleep(backoffDelay(attempt, IN_PROGRESS_WAITS) + IN_PROGRESS_WAITS.baseDelayMs);
    }
  }
}

export async function getConversion(deps: ConversionDeps, caller: Caller, id: string): Promise<StoredConversion> {
  // Keys include the partner, so another partner's id is simply not there.
  const conversion = await deps.conversions.get(caller.clientId, id);
  if (!conversion) throw new NotFoundError(`No conversion ${id}`, { id });
  return conversion;
}

export async function listConversions(
  deps: ConversionDeps,
  caller: Caller,
  query: HttpRequest<'listConversions'>['query'],
): Promise<{ items: StoredConversion[]; nextCursor: string | null }> {
  const limit = pageSize(query.limit, DEFAULT_CONVERSIONS_PAGE, MAX_CONVERSIONS_PAGE);
  const page = await deps.conversions.list(caller.clientId, { limit, afterId: afterIdOf(query.cursor) });
  return { items: [...page.items], nextCursor: page.lastId ? encodeCursor({ after: page.lastId }) : null };
}

export const conversionOperations = {
  createConversion: async ({ caller, headers, body }, deps) => {
    const { conversion, replayed } = await createConversion(deps, caller, headers['idempotency-key'], body);
    // A replay answers exactly like the first response (201, same body), flagged by a header.
    return new HttpReply(conversion, { headers: { [IDEMPOTENCY_REPLAYED_HEADER]: String(replayed) } });
  },
  listConversions: ({ caller, query }, deps) => listConversions(deps, caller, query),
  getConversion: ({ caller, params }, deps) => getConversion(deps, caller, params.id),
} satisfies Operations<ConversionDeps>;
