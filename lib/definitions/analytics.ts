import { loadStateKey } from '../../lambdas/adapters/aws/dynamodb-load-state';
import { LOADABLE_TABLES } from '../../lambdas/adapters/warehouse/star-schema';
import { LAKE_PREFIXES } from '../../lambdas/shared/lake-prefixes';
import type { FunctionDefinition } from './functions';

/** Names of the analytics resources of a stage, defined once for CDK, the CLIs and the local platform. */
export const analyticsNames = (stage: string) => ({
  /** Glue database (Athena's schema): `fx_dev`; locally the DuckDB schema `fx_local`. */
  glueDatabase: `fx_${stage}`,
  athenaWorkgroup: `fx-${stage}`,
  warehouseNamespace: `fx-${stage}`,
  warehouseWorkgroup: `fx-${stage}`,
  warehouseDatabase: 'fx',
});

/** Where Athena writes query results: the data lake, under its own prefix. */
export const ATHENA_RESULTS_PREFIX = LAKE_PREFIXES.athenaResults;

/**
 * The load state machine's function (plan, render one step's SQL, commit). It exists only where
 * the warehouse is on, so it is not in FUNCTIONS; locally the platform runs the same load
 * use case in-process against PGlite.
 */
export const LOAD_WAREHOUSE_FUNCTION = {
  name: 'load-warehouse',
  id: 'LoadWarehouse',
  entry: 'lambdas/handlers/load-warehouse.ts',
  description: 'Plans warehouse loads (new lake partitions, SQL per step) and keeps their watermarks',
  timeoutSeconds: 60,
  memorySize: 512,
  // Its watermark items only (`WAREHOUSE#<fact>`), not the feed cursors beside them.
  tables: { state: { access: 'readwrite', partitions: LOADABLE_TABLES.map((t) => loadStateKey(t.fact).pk) } },
} as const satisfies FunctionDefinition & { readonly name: string };
