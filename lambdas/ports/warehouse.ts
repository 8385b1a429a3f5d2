/** An object of the lake as a listing shows it. */
export interface LakeObject {
  readonly key: string;
  /** ISO-8601 UTC, as S3 reports it. */
  readonly lastModified: string;
}

/** Lists the lake's objects under a prefix. */
export interface LakeLister {
  list(prefix: string): Promise<readonly LakeObject[]>;
}

/** What the warehouse already holds of one fact table. */
export interface FactLoadState {
  /** Newest object modification time loaded (the watermark); absent before the first load. */
  readonly loadedThrough?: string;
  /** The fact table's columns as last created or altered; absent before the first load. */
  readonly columns?: readonly string[];
}

/** The load step's bookkeeping, kept outside the warehouse (DynamoDB state table). */
export interface LoadStateStore {
  /** One entry per fact asked for: `{}` for a fact nothing was stored for yet. */
  read(facts: readonly string[]): Promise<Record<string, FactLoadState>>;
  saveColumns(fact: string, columns: readonly string[]): Promise<void>;
  /** Moves the watermark forward; an older value than the stored one leaves it unchanged. */
  advance(fact: string, loadedThrough: string): Promise<void>;
}

/** Loading one lake partition of one curated table into its fact table. */
export interface LoadStep {
  /** `fact_transaction year=2024/month=01/day=05`. */
  readonly name: string;
  /** The curated table (CURATED_TABLES key). */
  readonly table: string;
  readonly fact: string;
  /** Lake prefix of the partition, ending in `/`: every object under it is loaded. */
  readonly prefix: string;
  /** Staging table the partition's rows are copied into (the curated columns, in file order). */
  readonly staging: string;
  readonly stagingColumns: readonly string[];
  /** Creates the staging table. */
  readonly before: readonly string[];
  /** Staging → fact (MERGE on the natural key) and dimensions; drops the staging tables. */
  readonly after: readonly string[];
}

/** Runs SQL in the warehouse; each call is one transaction. */
export interface WarehouseExecutor {
  run(name: string, statements: readonly string[]): Promise<void>;
  /** `before`, then the partition's rows into the staging table, then `after`. */
  load(step: LoadStep): Promise<void>;
}
