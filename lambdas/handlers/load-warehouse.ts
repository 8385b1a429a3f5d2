import middy from '@middy/core';
import { dynamoLoadStateStore } from '../adapters/aws/dynamodb-load-state';
import { s3LakeLister } from '../adapters/aws/s3-lake-lister';
import { LOADABLE_TABLES, redshiftCopy, starSchemaSql } from '../adapters/warehouse/star-schema';
import { dynamoDocumentClient } from '../shared/clients';
import { s3OnDemand } from '../shared/clients-on-demand';
import { loadConfig } from '../shared/config';
import { ENV } from '../shared/env-names';
import { correlationIds, withPowertools } from '../shared/lambda-handler';
import { observability, traced } from '../shared/observability';
import { commitSchema, commitWatermarks, planWarehouseLoad, type LoadPlan } from '../use-cases/load-warehouse';

const config = loadConfig('load-warehouse', {
  stateTable: ENV.stateTable,
  bucket: ENV.dataLakeBucket,
  copyRoleArn: ENV.warehouseCopyRole,
});
const tools = observability('load-warehouse');
const { logger } = tools;
const state = dynamoLoadStateStore(traced(tools, dynamoDocumentClient()), config.stateTable);
// Only the plan lists the lake (one step of a run; render and commit do not): S3 on first use.
const s3 = s3OnDemand((client) => traced(tools, client));
const deps = {
  tables: LOADABLE_TABLES,
  lake: s3LakeLister(s3, config.bucket),
  state,
  sql: starSchemaSql,
};

/**
 * The load state machine's steps; the SQL itself runs through the Redshift Data API in Step
 * Functions. Every payload carries the execution's name as `correlationId`.
 */
export type LoadWarehouseEvent = { readonly correlationId?: string } & (
  | { readonly action: 'plan' }
  | { readonly action: 'render'; readonly table: string; readonly partition: string }
  | { readonly action: 'commit-schema'; readonly columns: LoadPlan['schema']['columns'] }
  | { readonly action: 'commit'; readonly watermarks: LoadPlan['watermarks'] }
);

async function loadWarehouseStep(event: LoadWarehouseEvent): Promise<unknown> {
  switch (event?.action) {
    case 'plan': {
      const plan = await planWarehouseLoad(deps);
      logger.info('load planned', { partitions: plan.partitions.length, more: plan.more, watermarks: plan.watermarks });
      return plan;
    }
    case 'render': {
      // One Data API batch (one transaction): staging table, COPY, MERGE and dimensions.
      const step = starSchemaSql.loadStep(event.table, event.partition);
      return {
        name: step.name,
        sqls: [...step.before, redshiftCopy(step, config.bucket, config.copyRoleArn), ...step.after],
      };
    }
    case 'commit-schema':
      await commitSchema(state, event.columns);
      return { committed: Object.keys(event.columns) };
    case 'commit':
      await commitWatermarks(state, event.watermarks);
      logger.info('watermarks moved', { watermarks: event.watermarks });
      return { committed: event.watermarks };
    default:
      throw new Error(`load-warehouse: unknown action ${JSON.stringify((event as { action?: unknown })?.action)}`);
  }
}

export const handler = withPowertools(middy(loadWarehouseStep), tools, { correlationId: correlationIds.stateMachine });
