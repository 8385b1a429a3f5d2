import { GetCommand, NumberValue } from '@aws-sdk/lib-dynamodb';
import {
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
} from '@aws-sdk/client-sqs';
import { rational } from '../support/rational';
import { QUEUES, TABLES } from '../../lib/definitions/resources';
import { localNames } from '../../lib/local-platform/provision';
import { eventually, queueActivity, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';
import { getBytes, listKeys, queryParquet } from '../support/lake';

jest.setTimeout(180_000);

describe('npm start: the local platform end to end', () => {
  let platform: PlatformProcess;

  beforeAll(async () => {
    platform = await startPlatformProcess();
  });

  afterAll(async () => {
    await platform?.stop();
  });

  it('writes endpoints.json with the services and the resources of the shared definitions', () => {
    const { services, resources, inbox, control } = platform.endpoints;
    for (const url of [services.dynamodb, services.sqs, services.s3, services.ses, inbox, control]) {
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
    }
    expect(Object.keys(resources.tables).sort()).toEqual(Object.keys(TABLES).sort());
    expect(resources.tables.rates).toBe(localNames.table('rates'));
    expect(resources.queues.rates.dlqUrl).toContain(localNames.dlq('rates'));
  });

  it('invoke fetch-rates: the snapshot is consumed into DynamoDB and curated Parquet, exactly', async () => {
    const { code, stdout } = await platform.cli(['invoke', 'fetch-rates']);
    expect(code).toBe(0);
    const { snapshotId, inForceFrom, rawKey, rates } = JSON.parse(stdout).results[0] as {
      snapshotId: string;
      inForceFrom: string;
      rawKey: string;
      rates: number;
    };
    expect(snapshotId).toMatch(/^simulated-EUR-/);
    const { s3 } = platform.clients;
    const bucket = platform.endpoints.resources.buckets.dataLake;
    expect(await listKeys(s3, bucket, rawKey)).toEqual([rawKey]);

    // The snapshot's history item: one per publication, every rate in it.
    const history = await eventually(async () => {
      const result = await platform.clients.dynamodb.send(
        new GetCommand({ TableName: platform.endpoints.resources.tables.rates, Key: { pk: 'SERIES#simulated#EUR', sk: inForceFrom } }),
      );
      return result.Item;
    }, 60_000, 'the history item of the fetched snapshot');
    const stored = history.rates as Record<string, { rate: NumberValue; published: string }>;
    expect(Object.keys(stored)).toHaveLength(rates);

    const curatedKeys = await eventually(async () => {
      const keys = await listKeys(s3, bucket, 'curated/rates/');
      return keys.some((k) => k.endsWith(`/${snapshotId}.parquet`)) ? keys : undefined;
    }, 30_000, 'the curated Parquet object');
    const key = curatedKeys.find((k) => k.endsWith(`/${snapshotId}.parquet`))!;
    expect(key).toMatch(/^curated\/rates\/year=\d{4}\/month=\d{2}\/day=\d{2}\//);

    const rows = await queryParquet([await getBytes(s3, bucket, key)], (files) =>
      `SELECT quote_currency, rate::VARCHAR AS rate, rate_published FROM ${files} ORDER BY quote_currency`,
    );
    expect(rows).toHaveLength(rates);
    for (const row of rows) {
      // DECIMAL(38,18) read back by DuckDB equals the provider's digits, with no float in between,
      // and equals the number DynamoDB holds for the pair.
      expect(rational(String(row.rate)).equals(String(row.rate_published))).toBe(true);
      const item = stored[String(row.quote_currency)];
      expect(item.published).toBe(row.rate_published);
      expect(rational(item.rate.value).equals(String(row.rate_published))).toBe(true);
    }
  });

  it('a poison message is retried and lands in the DLQ after its max receives', async () => {
    const { url, dlqUrl } = platform.endpoints.resources.queues.rates;
    // Shorten the wait between receives (still longer than the 5 s batching window) for the test;
    // the redrive policy (QUEUES.rates.maxReceiveCount receives) is untouched.
    await platform.clients.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '6' } }));
    // Counted from the moment the queue is empty; a scheduled snapshot may still share a batch
    // with the poison message later (it succeeds, so it is not counted as failed).
    await eventually(async () => {
      const { waiting, inFlight } = await queueActivity(platform, 'rates');
      return waiting === 0 && inFlight === 0 ? true : undefined;
    }, 60_000, 'an empty rates queue');
    const before = await queueActivity(platform, 'rates');
    const poison = `{"snapshotId":"poison-${Date.now()}","rates":[]}`;
    await platform.clients.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: poison }));

    const dead = await eventually(async () => {
      const result = await platform.clients.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }),
      );
      return result.Messages?.find((m) => m.Body === poison);
    }, 150_000, 'the poison message in the DLQ');
    expect(dead.Body).toBe(poison);
    // process-rates failed it once per receive (the status page's counts), and nothing else failed.
    const after = await queueActivity(platform, 'rates');
    expect(after.failed - before.failed).toBe(QUEUES.rates.maxReceiveCount);
    expect(after.deadLetters).toBeGreaterThanOrEqual(1);
  });
});
