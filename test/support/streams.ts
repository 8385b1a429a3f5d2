import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';
import type { EmulatorFixture } from './emulator-resources';

export const streamsClientConfig = (env: EmulatorFixture) => ({
  region: 'us-east-1',
  endpoint: env.emulators.endpoints.dynamodb,
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

/**
 * Reads a table's stream (DynamoDB Local) from its start: each `next()` returns the records
 * written since the last call, from every shard.
 */
export function streamReader(env: EmulatorFixture, table: string): { next(): Promise<StreamRecord[]> } {
  const iterators = new Map<string, string | undefined>();
  return {
    async next() {
      const streams = new DynamoDBStreamsClient(streamsClientConfig(env));
      try {
        const { Table } = await env.clients.dynamodbClient.send(new DescribeTableCommand({ TableName: table }));
        const StreamArn = Table!.LatestStreamArn!;
        const shards = (await streams.send(new DescribeStreamCommand({ StreamArn }))).StreamDescription?.Shards ?? [];
        const records: StreamRecord[] = [];
        for (const { ShardId } of shards) {
          let iterator = iterators.has(ShardId!)
            ? iterators.get(ShardId!)
            : (await streams.send(new GetShardIteratorCommand({ StreamArn, ShardId, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
          while (iterator) {
            const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
            records.push(...(page.Records ?? []));
            iterators.set(ShardId!, page.NextShardIterator);
            iterator = page.Records?.length ? page.NextShardIterator : undefined;
          }
        }
        return records;
      } finally {
        streams.destroy();
      }
    },
  };
}
