import type { FactLoadState, LakeObject, LoadStateStore, LoadStep, WarehouseExecutor } from '../../../lambdas/ports/warehouse';
import {
  LATE_WRITE_MARGIN_MS,
  loadWarehouse,
  planWarehouseLoad,
  type LoadableTable,
  type PlanDeps,
  type WarehouseSql,
} from '../../../lambdas/use-cases/load-warehouse';

const TABLES: LoadableTable[] = [
  { key: 'rates', prefix: 'curated/rates', fact: 'fact_rate', factColumns: ['snapshot_id', 'date_key'] },
  { key: 'transactions', prefix: 'curated/transactions', fact: 'fact_transaction', factColumns: ['transaction_id', 'date_key'] },
];
const NOW = new Date('2024-03-01T12:00:00.000Z');
const minutesAgo = (m: number) => new Date(NOW.getTime() - m * 60_000).toISOString();
const obj = (key: string, lastModified: string): LakeObject => ({ key, lastModified });

function memoryState(initial: Record<string, FactLoadState> = {}): LoadStateStore & { readonly data: Record<string, FactLoadState> } {
  const data: Record<string, FactLoadState> = structuredClone(initial);
  return {
    data,
    async read(facts) {
      return Object.fromEntries(facts.map((f) => [f, data[f] ?? {}]));
    },
    async saveColumns(fact, columns) {
      data[fact] = { ...data[fact], columns: [...columns] };
    },
    async advance(fact, loadedThrough) {
      const previous = data[fact]?.loadedThrough;
      if (previous === undefined || previous < loadedThrough) data[fact] = { ...data[fact], loadedThrough };
    },
  };
}

const sql: WarehouseSql = {
  schema: (known) => Object.entries(known).map(([fact, columns]) => `schema ${fact} ${columns ? columns.join(',') : 'new'}`),
  loadStep: (table, partition): LoadStep => ({
    name: `${table} ${partition}`,
    table,
    fact: table,
    prefix: `${table}/${partition}/`,
    staging: 's',
    stagingColumns: [],
    before: [],
    after: [],
  }),
};

function deps(objects: Record<string, LakeObject[]>, state = memoryState(), more: Partial<PlanDeps> = {}): PlanDeps {
  return {
    tables: TABLES,
    lake: { list: async (prefix) => objects[prefix.replace(/\/$/, '')] ?? [] },
    state,
    sql,
    clock: () => NOW,
    ...more,
  };
}

describe('planWarehouseLoad: which partitions are new', () => {
  it('loads every partition the first time, and moves each watermark to its newest settled object', async () => {
    const plan = await planWarehouseLoad(
      deps({
        'curated/rates': [obj('curated/rates/year=2024/month=02/day=28/a.parquet', minutesAgo(600)), obj('curated/rates/year=2024/month=02/day=29/b.parquet', minutesAgo(300))],
        'curated/transactions': [obj('curated/transactions/year=2024/month=02/day=29/c.parquet', minutesAgo(60))],
      }),
    );
    expect(plan.partitions).toEqual([
      { table: 'rates', partition: 'year=2024/month=02/day=28' },
      { table: 'rates', partition: 'year=2024/month=02/day=29' },
      { table: 'transactions', partition: 'year=2024/month=02/day=29' },
    ]);
    expect(plan.watermarks).toEqual([
      { fact: 'fact_rate', loadedThrough: minutesAgo(300) },
      { fact: 'fact_transaction', loadedThrough: minutesAgo(60) },
    ]);
    expect(plan.more).toBe(false);
    expect(plan.schema.statements).toEqual(['schema fact_rate new', 'schema fact_transaction new']);
    expect(plan.schema.columns).toEqual({ fact_rate: ['snapshot_id', 'date_key'], fact_transaction: ['transaction_id', 'date_key'] });
  });

  it('skips partitions whose objects are all at or before the watermark', async () => {
    const state = memoryState({ fact_rate: { loadedThrough: minutesAgo(300), columns: ['snapshot_id'] } });
    const plan = await planWarehouseLoad(
      deps(
        {
          'curated/rates': [
            obj('curated/rates/year=2024/month=02/day=28/a.parquet', minutesAgo(600)),
            obj('curated/rates/year=2024/month=02/day=29/b.parquet', minutesAgo(300)),
            obj('curated/rates/year=2024/month=03/day=01/c.parquet', minutesAgo(120)),
          ],
        },
        state,
      ),
    );
    expect(plan.partitions).toEqual([{ table: 'rates', partition: 'year=2024/month=03/day=01' }]);
    expect(plan.watermarks).toEqual([{ fact: 'fact_rate', loadedThrough: minutesAgo(120) }]);
    expect(plan.schema.statements[0]).toBe('schema fact_rate snapshot_id');
  });

  it('never moves a watermark past "now minus the late-write margin": a recent object is loaded again next run', async () => {
    const recent = minutesAgo(1);
    const plan = await planWarehouseLoad(deps({ 'curated/transactions': [obj('curated/transactions/year=2024/month=03/day=01/a.parquet', recent)] }));
    expect(plan.watermarks).toEqual([{ fact: 'fact_transaction', loadedThrough: new Date(NOW.getTime() - LATE_WRITE_MARGIN_MS).toISOString() }]);
    // An object S3 dated 5 minutes ago but that only appears now (its PUT took long) is still picked up.
    const state = memoryState({ fact_transaction: { loadedThrough: plan.watermarks[0].loadedThrough } });
    const next = await planWarehouseLoad(
      deps({ 'curated/transactions': [obj('curated/transactions/year=2024/month=02/day=29/late.parquet', minutesAgo(5))] }, state),
    );
    expect(next.partitions).toEqual([{ table: 'transactions', partition: 'year=2024/month=02/day=29' }]);
  });

  it('ignores keys that are not a curated partition object', async () => {
    const plan = await planWarehouseLoad(
      deps({
        'curated/rates': [
          obj('curated/rates/year=2024/month=02/day=28/notes.txt', minutesAgo(60)),
          obj('curated/rates/year=24/month=02/day=28/a.parquet', minutesAgo(60)),
          obj('curated/rates/stray.parquet', minutesAgo(60)),
          obj('curated/rates/year=2024/month=02/day=28/deeper/a.parquet', minutesAgo(60)),
          // What a listing by "curated/rates" without the slash would also return.
          obj('curated/ratesXyear=2024/month=02/day=28/a.parquet', minutesAgo(60)),
        ],
      }),
    );
    expect(plan.partitions).toEqual([]);
    expect(plan.watermarks).toEqual([]);
  });

  it('loads a backlog over several runs, oldest first, and never splits objects of the same instant', async () => {
    const objects = [
      obj('curated/rates/year=2024/month=01/day=01/a.parquet', minutesAgo(900)),
      obj('curated/rates/year=2024/month=01/day=02/a.parquet', minutesAgo(800)),
      obj('curated/rates/year=2024/month=01/day=03/a.parquet', minutesAgo(800)),
      obj('curated/rates/year=2024/month=01/day=04/a.parquet', minutesAgo(700)),
    ];
    const state = memoryState();
    const first = await planWarehouseLoad(deps({ 'curated/rates': objects }, state, { maxPartitions: 2 }));
    // day=01 alone, then the two objects of the same instant together would make 3 > 2: stop at day=01.
    expect(first.partitions.map((p) => p.partition)).toEqual(['year=2024/month=01/day=01']);
    expect(first.more).toBe(true);
    expect(first.watermarks).toEqual([{ fact: 'fact_rate', loadedThrough: minutesAgo(900) }]);
    await state.advance('fact_rate', first.watermarks[0].loadedThrough);
    const second = await planWarehouseLoad(deps({ 'curated/rates': objects }, state, { maxPartitions: 2 }));
    expect(second.partitions.map((p) => p.partition)).toEqual(['year=2024/month=01/day=02', 'year=2024/month=01/day=03']);
    expect(second.more).toBe(true);
    await state.advance('fact_rate', second.watermarks[0].loadedThrough);
    const third = await planWarehouseLoad(deps({ 'curated/rates': objects }, state, { maxPartitions: 2 }));
    expect(third.partitions.map((p) => p.partition)).toEqual(['year=2024/month=01/day=04']);
    expect(third.more).toBe(false);
  });

  it('counts a partition already chosen once, and fills a run up to exactly the limit', async () => {
    const objects = [
      obj('curated/rates/year=2024/month=01/day=01/a.parquet', minutesAgo(900)),
      obj('curated/rates/year=2024/month=01/day=01/b.parquet', minutesAgo(800)),
      obj('curated/rates/year=2024/month=01/day=02/a.parquet', minutesAgo(800)),
      obj('curated/rates/year=2024/month=01/day=03/a.parquet', minutesAgo(700)),
    ];
    const plan = await planWarehouseLoad(deps({ 'curated/rates': objects }, memoryState(), { maxPartitions: 2 }));
    expect(plan.partitions.map((p) => p.partition)).toEqual(['year=2024/month=01/day=01', 'year=2024/month=01/day=02']);
    expect(plan.watermarks).toEqual([{ fact: 'fact_rate', loadedThrough: minutesAgo(800) }]);
    expect(plan.more).toBe(true);
  });

  it('lists the partitions of a run by table and day, whatever order they changed in', async () => {
    const plan = await planWarehouseLoad(
      deps({
        'curated/rates': [
          obj('curated/rates/year=2024/month=01/day=03/a.parquet', minutesAgo(900)),
          obj('curated/rates/year=2024/month=01/day=01/a.parquet', minutesAgo(800)),
          obj('curated/rates/year=2024/month=01/day=02/a.parquet', minutesAgo(700)),
        ],
        'curated/transactions': [obj('curated/transactions/year=2024/month=01/day=01/a.parquet', minutesAgo(950))],
      }),
    );
    expect(plan.partitions).toEqual([
      { table: 'rates', partition: 'year=2024/month=01/day=01' },
      { table: 'rates', partition: 'year=2024/month=01/day=02' },
      { table: 'rates', partition: 'year=2024/month=01/day=03' },
      { table: 'transactions', partition: 'year=2024/month=01/day=01' },
    ]);
  });

  it('takes a first group larger than the limit whole, so a run always makes progress', async () => {
    const same = minutesAgo(500);
    const objects = [1, 2, 3].map((d) => obj(`curated/rates/year=2024/month=01/day=0${d}/a.parquet`, same));
    const plan = await planWarehouseLoad(deps({ 'curated/rates': objects }, memoryState(), { maxPartitions: 1 }));
    expect(plan.partitions).toHaveLength(3);
    expect(plan.more).toBe(false);
  });

  it('does not ask for another run when the backlog is too recent to move the watermark', async () => {
    const objects = [1, 2, 3].map((d) => obj(`curated/rates/year=2024/month=01/day=0${d}/a.parquet`, minutesAgo(4 - d)));
    const state = memoryState({ fact_rate: { loadedThrough: new Date(NOW.getTime() - LATE_WRITE_MARGIN_MS).toISOString() } });
    const plan = await planWarehouseLoad(deps({ 'curated/rates': objects }, state, { maxPartitions: 1 }));
    expect(plan.partitions).toHaveLength(1);
    expect(plan.watermarks).toEqual([]);
    expect(plan.more).toBe(false);
  });
});

describe('loadWarehouse (the in-process runner)', () => {
  const objects = {
    'curated/rates': [obj('curated/rates/year=2024/month=02/day=28/a.parquet', minutesAgo(600))],
    'curated/transactions': [obj('curated/transactions/year=2024/month=02/day=29/c.parquet', minutesAgo(60))],
  };

  it('runs the schema, commits the columns, loads each partition, then moves the watermarks', async () => {
    const calls: string[] = [];
    const state = memoryState();
    const warehouse: WarehouseExecutor = {
      run: async (name) => void calls.push(`run ${name}`),
      load: async (step) => void calls.push(`load ${step.name} (columns saved: ${Boolean(state.data.fact_rate?.columns)})`),
    };
    const result = await loadWarehouse({ ...deps(objects, state), warehouse });
    expect(calls).toEqual([
      'run schema',
      'load rates year=2024/month=02/day=28 (columns saved: true)',
      'load transactions year=2024/month=02/day=29 (columns saved: true)',
    ]);
    expect(result).toEqual({ loaded: ['rates year=2024/month=02/day=28', 'transactions year=2024/month=02/day=29'], runs: 1 });
    expect(state.data.fact_transaction.loadedThrough).toBe(minutesAgo(60));
  });

  it('leaves the watermarks where they were when a step fails, so the next run loads it again', async () => {
    const state = memoryState();
    const failing: WarehouseExecutor = {
      run: async () => undefined,
      load: async (step) => {
        if (step.table === 'transactions') throw new Error('COPY failed');
      },
    };
    await expect(loadWarehouse({ ...deps(objects, state), warehouse: failing })).rejects.toThrow('COPY failed');
    expect(state.data.fact_rate?.loadedThrough).toBeUndefined();
    const again = await planWarehouseLoad(deps(objects, state));
    expect(again.partitions).toHaveLength(2);
  });

  it('keeps running while a capped plan says there is more', async () => {
    const many = { 'curated/rates': [1, 2, 3].map((d) => obj(`curated/rates/year=2024/month=01/day=0${d}/a.parquet`, minutesAgo(100 * d))) };
    const loaded: string[] = [];
    const result = await loadWarehouse({
      ...deps(many, memoryState(), { maxPartitions: 1 }),
      warehouse: { run: async () => undefined, load: async (s) => void loaded.push(s.name) },
    });
    expect(result.runs).toBe(3);
    expect(loaded).toEqual(['rates year=2024/month=01/day=03', 'rates year=2024/month=01/day=02', 'rates year=2024/month=01/day=01']);
  });
});
