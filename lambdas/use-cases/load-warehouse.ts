import { DATE_PARTITION } from '../domain/lake-keys';
import type { LakeLister, LoadStateStore, LoadStep, WarehouseExecutor } from '../ports/warehouse';

/** One curated table as the load step sees it. */
export interface LoadableTable {
  /** CURATED_TABLES key. */
  readonly key: string;
  readonly prefix: string;
  readonly fact: string;
  /** The fact table's columns now (curated columns and date_key). */
  readonly factColumns: readonly string[];
}

/** How the warehouse's SQL is written (the star schema adapter). */
export interface WarehouseSql {
  /** Creates what is missing; `known` are each fact table's columns at the last load. */
  schema(known: Partial<Record<string, readonly string[]>>): string[];
  loadStep(table: string, partition: string): LoadStep;
}

export interface PlanDeps {
  readonly tables: readonly LoadableTable[];
  readonly lake: LakeLister;
  readonly state: LoadStateStore;
  readonly sql: WarehouseSql;
  /** @default () => new Date() */
  readonly clock?: () => Date;
  /** Partitions one run loads at most (a backfill is loaded over several runs). @default MAX_PARTITIONS_PER_RUN */
  readonly maxPartitions?: number;
}

/** A partition to load: `year=2024/month=01/day=05` of a curated table. */
export interface PartitionRef {
  readonly table: string;
  readonly partition: string;
}

/** What one run does: create what is missing, load the new partitions, then move the watermarks. */
export interface LoadPlan {
  readonly schema: { readonly statements: readonly string[]; readonly columns: Record<string, readonly string[]> };
  readonly partitions: readonly PartitionRef[];
  /** Per fact table: everything modified up to this instant is in the partitions of this run. */
  readonly watermarks: readonly { readonly fact: string; readonly loadedThrough: string }[];
  /** More partitions are waiting than one run loads, and running again makes progress. */
  readonly more: boolean;
}

/**
 * S3 dates a PUT by when it started, so an object can appear in a listing after a newer one.
 * Every writer's PUT ends within its function's timeout (2 minutes at most), so whatever a
 * listing misses was modified less than this margin before it: the watermark never passes
 * `listing time - margin`, and such an object is picked up by the next run.
 */
export const LATE_WRITE_MARGIN_MS = 15 * 60 * 1000;

/** Keeps the state machine's payload small (its limit is 256 KB) whatever the backlog. */
export const MAX_PARTITIONS_PER_RUN = 200;

/** Which partitions are new, and what the watermarks become once they are loaded; writes nothing. */
export async function planWarehouseLoad(deps: PlanDeps): Promise<LoadPlan> {
  const listedAt = (deps.clock ?? (() => new Date()))().getTime();
  const settled = listedAt - LATE_WRITE_MARGIN_MS;
  const state = await deps.state.read(deps.tables.map((t) => t.fact));
  const candidates: (PartitionRef & { readonly fact: string; readonly modified: number })[] = [];
  for (const table of deps.tables) {
    const loadedThrough = state[table.fact].loadedThrough;
    const after = loadedThrough === undefined ? Number.NEGATIVE_INFINITY : Date.parse(loadedThrough);
    for (const object of await deps.lake.list(`${table.prefix}/`)) {
      const partition = partitionOf(table.prefix, object.key);
      const modified = Date.parse(object.lastModified);
      if (partition && modified > after) candidates.push({ table: table.key, fact: table.fact, partition, modified });
    }
  }

  // Oldest changes first; objects modified at the same instant are never split across runs.
  candidates.sort((a, b) => a.modified - b.modified);
  const limit = deps.maxPartitions ?? MAX_PARTITIONS_PER_RUN;
  const chosen = new Map<string, PartitionRef>();
  const through = new Map<string, number>();
  let next = 0;
  while (next < candidates.length) {
    const instant = candidates[next].modified;
    const group: typeof candidates = [];
    while (next < candidates.length && candidates[next].modified === instant) group.push(candidates[next++]);
    const added = group.filter((c) => !chosen.has(`${c.table} ${c.partition}`)).length;
    if (chosen.size > 0 && chosen.size + added > limit) {
      next -= group.length;
      break;
    }
    for (const c of group) {
      chosen.set(`${c.table} ${c.partition}`, { table: c.table, partition: c.partition });
      through.set(c.fact, Math.max(through.get(c.fact) ?? Number.NEGATIVE_INFINITY, c.modified));
    }
  }
  // Whatever is left for the next run is newer than everything chosen (candidates are in time
  // order and an instant is never split), so a watermark at the newest chosen object is safe.
  const watermarks = [...through.entries()]
    .map(([fact, newest]) => ({ fact, loadedThrough: new Date(Math.min(newest, settled)).toISOString() }))
    .filter((w) => {
      const previous = state[w.fact].loadedThrough;
      return previous === undefined || w.loadedThrough > previous;
    });
  const known = Object.fromEntries(deps.tables.map((t) => [t.fact, state[t.fact].columns]));
  return {
    schema: {
      statements: deps.sql.schema(known),
      columns: Object.fromEntries(deps.tables.map((t) => [t.fact, t.factColumns])),
    },
    partitions: [...chosen.values()].sort((a, b) => `${a.table} ${a.partition}`.localeCompare(`${b.table} ${b.partition}`)),
    watermarks,
    // Only when this run moves a watermark: objects too recent to settle wait for a later run.
    more: next < candidates.length && watermarks.length > 0,
  };
}

/** After the schema statements ran: the fact tables now have these columns. */
export async function commitSchema(state: LoadStateStore, columns: LoadPlan['schema']['columns']): Promise<void> {
  for (const [fact, names] of Object.entries(columns)) await state.saveColumns(fact, names);
}

/** After every step ran: the partitions up to these times are in the warehouse. */
export async function commitWatermarks(state: LoadStateStore, watermarks: LoadPlan['watermarks']): Promise<void> {
  for (const { fact, loadedThrough } of watermarks) await state.advance(fact, loadedThrough);
}

export interface LoadResult {
  /** Steps run, `fact_transaction year=2024/month=01/day=05`. */
  readonly loaded: readonly string[];
  readonly runs: number;
}

/**
 * The whole load in one process (the local platform and tests). In AWS the Step Functions state
 * machine runs the same plan, one Redshift Data API batch per step. A failed step throws and
 * leaves the watermarks where they were, so the next run loads the same partitions again; the
 * MERGE on the natural key makes that harmless.
 */
export async function loadWarehouse(deps: PlanDeps & { readonly warehouse: WarehouseExecutor }): Promise<LoadResult> {
  const loaded: string[] = [];
  for (let runs = 1; ; runs++) {
    const plan = await planWarehouseLoad(deps);
    await deps.warehouse.run('schema', plan.schema.statements);
    await commitSchema(deps.state, plan.schema.columns);
    for (const { table, partition } of plan.partitions) {
      const step = deps.sql.loadStep(table, partition);
      await deps.warehouse.load(step);
      loaded.push(step.name);
    }
    await commitWatermarks(deps.state, plan.watermarks);
    if (!plan.more) return { loaded, runs };
  }
}

function partitionOf(prefix: string, key: string): string | undefined {
  if (!key.startsWith(`${prefix}/`) || !key.endsWith('.parquet')) return undefined;
  const rest = key.slice(prefix.length + 1).split('/');
  if (rest.length !== 4) return undefined;
  const partition = rest.slice(0, 3).join('/');
  return DATE_PARTITION.test(partition) ? partition : undefined;
}
