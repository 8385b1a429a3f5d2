/** A recorded conversion, exactly as the API returns it (decimal strings). */
export interface StoredConversion {
  readonly id: string;
  readonly createdAt: string;
  readonly from: string;
  readonly to: string;
  readonly amount: string;
  readonly converted: string;
  readonly rate: string;
  readonly inverseRate: string;
  readonly asOf: string;
  readonly provider: string;
}

/** What a conversion was asked for; an Idempotency-Key may only be repeated with the same. */
export interface ConversionRequestFields {
  readonly from: string;
  readonly to: string;
  readonly amount: string;
}

export interface ConversionPage {
  readonly items: readonly StoredConversion[];
  /** Id of the last item when more may follow. */
  readonly lastId?: string;
}

/** The Idempotency-Key was first used with another request. */
export class IdempotencyKeyReusedError extends Error {
  override readonly name = 'IdempotencyKeyReusedError';

  /** @param firstId the id of what the key's first request created */
  constructor(readonly firstId: string | undefined) {
    super('the idempotency key was used with another request');
  }
}

/** A request with the same Idempotency-Key is being processed right now. */
export class IdempotencyKeyInProgressError extends Error {
  override readonly name = 'IdempotencyKeyInProgressError';

  constructor() {
    super('a request with this idempotency key is in progress');
  }
}

/** Conversions per partner (the token's client id), newest first. */
export interface ConversionStore {
  /**
   * Stores the conversion `create` returns, once per partner and key while the key lives: a
   * repeat with the same request gets that conversion back (`replayed`), without `create`
   * running again. The conversion and the key's record are stored together or not at all;
   * when `create` throws, nothing is stored and the key stays free.
   * @throws IdempotencyKeyReusedError when the key was used with another request
   * @throws IdempotencyKeyInProgressError while a request with the key is still running
   */
  createOnce(
    partner: string,
    idempotencyKey: string,
    request: ConversionRequestFields,
    create: () => Promise<StoredConversion>,
  ): Promise<{ readonly conversion: StoredConversion; readonly replayed: boolean }>;
  get(partner: string, id: string): Promise<StoredConversion | undefined>;
  /** Newest first, starting after `afterId` when given. */
  list(partner: string, options: { readonly limit: number; readonly afterId?: string }): Promise<ConversionPage>;
}
