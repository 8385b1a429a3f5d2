import {
  AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import { runAthenaQuery, runWarehouseQuery } from '../../../lib/analytics/deployed-engines';
import { QueryError } from '../../../lib/analytics/query-result';

const athena = mockClient(AthenaClient);
const redshift = mockClient(RedshiftDataClient);
const noWait = { sleep: async () => undefined };
beforeEach(() => {
  athena.reset();
  redshift.reset();
});

describe('Athena in a deployed stage', () => {
  it('runs in the workgroup and database, waits for it, and pages through the results without the header row', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q1' });
    athena
      .on(GetQueryExecutionCommand)
      .resolvesOnce({ QueryExecution: { Status: { State: 'QUEUED' } } })
      .resolvesOnce({ QueryExecution: { Status: { State: 'RUNNING' } } })
      .resolves({ QueryExecution: { Status: { State: 'SUCCEEDED' } } });
    athena
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q1', NextToken: undefined })
      .resolves({
        ResultSet: {
          ResultSetMetadata: { ColumnInfo: [{ Name: 'category', Type: 'varchar' }, { Name: 'amount_base', Type: 'decimal' }] },
          Rows: [{ Data: [{ VarCharValue: 'category' }, { VarCharValue: 'amount_base' }] }, { Data: [{ VarCharValue: 'standard' }, { VarCharValue: '12.500000000000000000' }] }],
        },
        NextToken: 'page2',
      })
      .on(GetQueryResultsCommand, { QueryExecutionId: 'q1', NextToken: 'page2' })
      .resolves({ ResultSet: { Rows: [{ Data: [{ VarCharValue: 'high_value' }, {}] }] } });

    const result = await runAthenaQuery(new AthenaClient({}), { workgroup: 'fx-dev', database: 'fx_dev' }, 'SELECT 1', noWait);
    expect(athena.commandCalls(StartQueryExecutionCommand)[0].args[0].input).toEqual({
      QueryString: 'SELECT 1',
      WorkGroup: 'fx-dev',
      QueryExecutionContext: { Database: 'fx_dev' },
    });
    expect(result).toEqual({
      columns: [{ name: 'category', type: 'varchar' }, { name: 'amount_base', type: 'decimal' }],
      rows: [['standard', '12.500000000000000000'], ['high_value', null]],
    });
  });

  it('turns a failed query into a QueryError with Athena’s reason', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q2' });
    athena.on(GetQueryExecutionCommand).resolves({
      QueryExecution: { Status: { State: 'FAILED', StateChangeReason: "line 1:8: Column 'nope' cannot be resolved" } },
    });
    const run = runAthenaQuery(new AthenaClient({}), { workgroup: 'fx-dev', database: 'fx_dev' }, 'SELECT nope', noWait);
    await expect(run).rejects.toThrow(QueryError);
    await expect(run).rejects.toThrow("Column 'nope' cannot be resolved");
  });

  it('gives up at the deadline', async () => {
    athena.on(StartQueryExecutionCommand).resolves({ QueryExecutionId: 'q3' });
    athena.on(GetQueryExecutionCommand).resolves({ QueryExecution: { Status: { State: 'RUNNING' } } });
    await expect(
      runAthenaQuery(new AthenaClient({}), { workgroup: 'w', database: 'd' }, 'SELECT 1', { sleep: async () => undefined, timeoutMs: -1 }),
    ).rejects.toThrow('Athena query q3 still running');
  });
});

describe('the warehouse in a deployed stage (Redshift Data API)', () => {
  it('runs in the workgroup and database and returns every field as text, decimals untouched', async () => {
    redshift.on(ExecuteStatementCommand).resolves({ Id: 's1' });
    redshift
      .on(DescribeStatementCommand)
      .resolvesOnce({ Id: 's1', Status: 'STARTED' })
      .resolves({ Id: 's1', Status: 'FINISHED', HasResultSet: true });
    redshift
      .on(GetStatementResultCommand, { Id: 's1', NextToken: undefined })
      .resolves({
        ColumnMetadata: [{ name: 'sum', typeName: 'numeric' }, { name: 'n', typeName: 'int8' }, { name: 'flag', typeName: 'bool' }],
        Records: [[{ stringValue: '6094.340000000000000000' }, { longValue: 6 }, { booleanValue: true }]],
        NextToken: 'more',
      })
      .on(GetStatementResultCommand, { Id: 's1', NextToken: 'more' })
      .resolves({ Records: [[{ isNull: true }, { longValue: 0 }, { booleanValue: false }]] });
    const result = await runWarehouseQuery(new RedshiftDataClient({}), { workgroup: 'fx-prod', database: 'fx' }, 'SELECT …', noWait);
    expect(redshift.commandCalls(ExecuteStatementCommand)[0].args[0].input).toEqual({ WorkgroupName: 'fx-prod', Database: 'fx', Sql: 'SELECT …' });
    expect(result.rows).toEqual([
      ['6094.340000000000000000', '6', 'true'],
      [null, '0', 'false'],
    ]);
    expect(result.columns.map((c) => c.name)).toEqual(['sum', 'n', 'flag']);
  });

  it('answers a statement without a result set with no rows, and a failed one with Redshift’s error', async () => {
    redshift.on(ExecuteStatementCommand).resolves({ Id: 's2' });
    redshift.on(DescribeStatementCommand).resolves({ Id: 's2', Status: 'FINISHED', HasResultSet: false });
    expect(await runWarehouseQuery(new RedshiftDataClient({}), { workgroup: 'w', database: 'd' }, 'GRANT …', noWait)).toEqual({ columns: [], rows: [] });
    redshift.on(DescribeStatementCommand).resolves({ Id: 's2', Status: 'FAILED', Error: 'ERROR: relation "nope" does not exist' });
    await expect(runWarehouseQuery(new RedshiftDataClient({}), { workgroup: 'w', database: 'd' }, 'SELECT * FROM nope', noWait)).rejects.toThrow(
      new QueryError('ERROR: relation "nope" does not exist'),
    );
  });
});
