import { Aws } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import type { CuratedTable } from '../../lambdas/adapters/parquet/curated-tables';
import { PARTITION_COLUMNS } from '../../lambdas/adapters/parquet/curated-tables';
import { catalogViews, curatedTableList, dataColumns, partitionColumns, prestoViewText } from '../analytics/catalog';

export interface LakeCatalogProps {
  /** Glue database name (`fx_dev`). */
  readonly databaseName: string;
  /** The data lake bucket's name. */
  readonly bucketName: string;
  /** First year partition projection enumerates. @default 1999 (the ECB's first reference rates) */
  readonly firstYear?: number;
}

/**
 * The Glue catalog of the curated lake: one table per curated table (Parquet, DECIMAL columns
 * from the writers' own column lists) with partition projection on year/month/day, so a new day
 * needs no crawler and no partition to be added, and the `*_latest` views. Plain Glue: nothing
 * here needs Lake Formation.
 */
export class LakeCatalog extends Construct {
  readonly database: glue.CfnDatabase;
  readonly tables: Record<string, glue.CfnTable>;
  readonly views: Record<string, glue.CfnTable>;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: props.databaseName,
        description: 'FX Platform curated data lake: rates, transactions, conversions (exact DECIMAL columns)',
      },
    });
    this.tables = Object.fromEntries(
      curatedTableList().map((table) => [table.name, this.table(table, props)]),
    );
    this.views = Object.fromEntries(
      catalogViews().map((view) => {
        const resource = new glue.CfnTable(this, `View-${view.name}`, {
          catalogId: Aws.ACCOUNT_ID,
          databaseName: props.databaseName,
          tableInput: {
            name: view.name,
            description: `${view.table.name} with one row per ${view.table.naturalKey.join(', ')} (the newest copy)`,
            tableType: 'VIRTUAL_VIEW',
            parameters: { presto_view: 'true', comment: 'Presto View' },
            viewOriginalText: prestoViewText(view, props.databaseName),
            viewExpandedText: '/* Presto View */',
            storageDescriptor: {
              columns: view.columns.map((c) => ({ name: c.name, type: c.glue })),
              serdeInfo: {},
            },
          },
        });
        resource.addResourceDependency(this.tables[view.table.name]);
        return [view.name, resource];
      }),
    );
  }

  private table(table: CuratedTable, props: LakeCatalogProps): glue.CfnTable {
    const location = `s3://${props.bucketName}/${table.prefix}/`;
    const [year, month, day] = PARTITION_COLUMNS;
    const resource = new glue.CfnTable(this, `Table-${table.name}`, {
      catalogId: Aws.ACCOUNT_ID,
      databaseName: props.databaseName,
      tableInput: {
        name: table.name,
        description: `Curated ${table.name}, one Parquet object per batch under ${table.prefix}/year=/month=/day=`,
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'parquet',
          EXTERNAL: 'TRUE',
          'projection.enabled': 'true',
          // Years up to the current one only: an unfiltered query enumerates every projected partition.
          [`projection.${year}.type`]: 'date',
          [`projection.${year}.format`]: 'yyyy',
          [`projection.${year}.range`]: `${props.firstYear ?? 1999},NOW`,
          [`projection.${year}.interval`]: '1',
          [`projection.${year}.interval.unit`]: 'YEARS',
          [`projection.${month}.type`]: 'integer',
          [`projection.${month}.range`]: '1,12',
          [`projection.${month}.digits`]: '2',
          [`projection.${day}.type`]: 'integer',
          [`projection.${day}.range`]: '1,31',
          [`projection.${day}.digits`]: '2',
          'storage.location.template': `${location}${PARTITION_COLUMNS.map((p) => `${p}=\${${p}}`).join('/')}/`,
        },
        partitionKeys: partitionColumns().map((c) => ({ name: c.name, type: c.glue })),
        storageDescriptor: {
          location,
          inputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
          serdeInfo: { serializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          columns: dataColumns(table).map((c) => ({ name: c.name, type: c.glue })),
        },
      },
    });
    resource.addResourceDependency(this.database);
    return resource;
  }
}
