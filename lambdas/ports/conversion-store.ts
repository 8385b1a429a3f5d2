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

/** What an Idempotency-Key was first used for. */
export interface IdempotencyRecord {
  /** Hash of the request the key was first used with. */
  readonly requestHash: string;
  readonly conversion: StoredConversion;
}

export interface ConversionPage {
  readonly items: readonly StoredConversion[];
  /** Id of the last item when more may follow. */
  readonly lastId?: string;
}

/** Conversions per partner (the token's client id), newest first. */
export interface ConversionStore {
  /** Strongly consistent: a retry right after the first request must see its record. */
  findByKey(partner: string, idempotencyKey: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Stores the conversion and its idempotency record together, or neither. False when the key
   * is already taken (a concurrent request with the same key won); nothing is written then.
   */
  create(partner: string, idempotencyKey: string, record: IdempotencyRecord): Promise<boolean>;
  get(partner: string, id: string): Promise<StoredConversion | undefined>;
  /** Newest first, starting after `afterId` when given. */
  list(partner: string, options: { readonly limit: number; readonly afterId?: string }): Promise<ConversionPage>;
}
