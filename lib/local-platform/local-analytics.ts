import * as path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoLoadStateStore } from '../../lambdas/adapters/aws/dynamodb-load-state';
import { s3LakeLister } from '../../lambdas/adapters/aws/s3-lake-lister';
import { LOADABLE_TABLES, starSchemaSql } from '../../lambdas/adapters/warehouse/star-schema';
import { loadWarehouse, type LoadResult } from '../../lambdas/use-cases/load-warehouse';
import { lakeStager, openLocalWarehouse, type LocalWarehouse } from '../analytics/local-warehouse';
import type { QueryResult } from '../analytics/query-result';
import type { StageConfig } from '../config/stage-config';
import type { EmulatorEndpoints } from './emulators';
import type { LocalResources } from './provision';

export interface LocalAnalyticsOptions {
  readonly config: StageConfig;
  /** `.local/data`: PGlite keeps the warehouse in `<dataDir>/warehouse`. */
  readonly dataDir: string;
  /** `.local/cache`: lake objects mirrored for DuckDB. */
  readonly cacheDir: string;
  readonly endpoints: EmulatorEndpoints;
  readonly resources: LocalResources;
  readonly region: string;
}

export interface LocalAnalytics {
  /** The load step: the same plan and SQL as the state machine, against PGlite. */
  loadWarehouse(): Promise<LoadResult>;
  queryWarehouse(sql: string): Promise<QueryResult>;
  stop(): Promise<void>;
}

export class WarehouseOffError extends Error {
  override readonly name = 'WarehouseOffError';
}

/**
 * The warehouse side of the local platform: PGlite (in its own thread) and the load step; loads
 * run one at a time, like the state machine's executions.
 */
export function startLocalAnalytics(options: LocalAnalyticsOptions): LocalAnalytics {
  if (!options.config.analytics.warehouse.enabled) {
    const off = () => Promise.reject(new WarehouseOffError(`the warehouse is off in stage ${options.config.stage}`));
    return { loadWarehouse: off, queryWarehouse: off, stop: async () => undefined };
  }
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const s3 = new S3Client({ region: options.region, credentials, endpoint: options.endpoints.s3, forcePathStyle: true });
  const dynamodb = DynamoDBDocumentClient.from(
    new DynamoDBClient({ region: options.region, credentials, endpoint: options.endpoints.dynamodb }),
    { unmarshallOptions: { wrapNumbers: true } },
  );
  const bucket = options.resources.buckets.dataLake;
  // Opened on first use: PGlite takes seconds and ~500 MB, which `npm start` need not wait for.
  let opened: Promise<LocalWarehouse> | undefined;
  const warehouse = (): Promise<LocalWarehouse> => {
    opened ??= openLocalWarehouse(path.join(options.dataDir, 'warehouse'));
    return opened;
  };
  let queue: Promise<unknown> = Promise.resolve();
  return {
    loadWarehouse() {
      const run = queue.then(async () =>
        loadWarehouse({
          tables: LOADABLE_TABLES,
          lake: s3LakeLister(s3, bucket),
          state: dynamoLoadStateStore(dynamodb, options.resources.tables.state),
          sql: starSchemaSql,
          warehouse: (await warehouse()).executor(lakeStager({ s3, bucket, cacheDir: path.join(options.cacheDir, 'warehouse-load') })),
        }),
      );
      queue = run.catch(() => undefined);
      return run;
    },
    queryWarehouse: async (sql) => (await warehouse()).query(sql),
    async stop() {
      await queue;
      await (await opened?.catch(() => undefined))?.close();
      s3.destroy();
      dynamodb.destroy();
    },
  };
}
