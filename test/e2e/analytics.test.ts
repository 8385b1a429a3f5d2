import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { namedQueries } from '../../lib/analytics/named-queries';
import { eventually, startPlatformProcess, type PlatformProcess } from '../support/local-platform-process';

jest.setTimeout(300_000);

/**
 * The analyst's view of `npm start`: after a few minutes every named query returns rows, and the
 * warehouse the load step keeps holds exactly the Athena-side sum of transactions_latest.
 */
describe('analytics on the local platform', () => {
  let platform: PlatformProcess;
  let s3: S3Client;

  beforeAll(async () => {
    platform = await startPlatformProcess();
    s3 = new S3Client({
      region: 'us-east-1',
      endpoint: platform.endpoints.services.s3,
      forcePathStyle: true,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });
  afterAll(async () => {
    s3?.destroy();
    await platform?.stop();
  });

  const json = async (args: string[]) => {
    const { code, stdout, stderr } = await platform.query([...args, '--json']);
    if (code !== 0) throw new Error(`npm run query -- ${args.join(' ')} exited ${code}: ${stderr}`);
    return JSON.parse(stdout) as Record<string, string | null>[];
  };
  const objectsUnder = async (prefix: string) =>
    (await s3.send(new ListObjectsV2Command({ Bucket: platform.endpoints.resources.buckets.dataLake, Prefix: prefix }))).KeyCount ?? 0;

  /** Two conversions through the partner API, as a partner would (they reach the lake through the table's stream). */
  async function convertAsPartner(): Promise<void> {
    const client = platform.endpoints.clients.find((c) => c.name === 'acme-payments')!;
    const token = await (
      await fetch(platform.endpoints.tokenUrl!, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      })
    ).json();
    for (const [key, amount] of [['analytics-1', '125.50'], ['analytics-2', '74.50']]) {
      await eventually(async () => {
        const response = await fetch(`${platform.endpoints.api}/v1/conversions`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${(token as { access_token: string }).access_token}`,
            'x-api-key': client.apiKey,
            'content-type': 'application/json',
            'idempotency-key': key,
          },
          body: JSON.stringify({ from: 'EUR', to: 'USD', amount }),
        });
        return response.status === 201 ? true : undefined;
      }, 60_000, `conversion ${key} (rates must be in first)`);
    }
  }

  /** The simulator's amounts rarely reach 1,000 USD within minutes: one partner transaction that does. */
  async function sendHighValueTransaction(): Promise<void> {
    const sqs = new SQSClient({
      region: 'us-east-1',
      endpoint: platform.endpoints.services.sqs,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    try {
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: platform.endpoints.resources.queues.transactions.url,
          MessageBody: JSON.stringify({
            transaction_id: 'e2e-high-value-1',
            user_id: 'analyst-test',
            amount: '2500.00',
            currency: 'USD',
            timestamp: new Date(Date.now() - 60_000).toISOString(),
            merchant: 'Grand Hotel',
            merchant_category: 'travel',
            country: 'IT',
          }),
        }),
      );
    } finally {
      sqs.destroy();
    }
  }

  it('lands rates, transactions and conversions in the curated lake', async () => {
    await convertAsPartner();
    await sendHighValueTransaction();
    for (const prefix of ['curated/rates/', 'curated/transactions/', 'curated/conversions/']) {
      await eventually(async () => ((await objectsUnder(prefix)) > 0 ? true : undefined), 120_000, `objects under ${prefix}`);
    }
    await eventually(async () => {
      const [found] = await json(['athena', "select count(*) as n from transactions where transaction_id = 'e2e-high-value-1'"]);
      return found.n === '1' ? true : undefined;
    }, 120_000, 'the high-value transaction in the lake');
  });

  it('loads the warehouse on `npm run local -- invoke load-warehouse`', async () => {
    const { code, stdout } = await platform.cli(['invoke', 'load-warehouse']);
    expect(code).toBe(0);
    const [result] = (JSON.parse(stdout) as { results: { loaded: string[] }[] }).results;
    expect(result.loaded.join('\n')).toMatch(/fact_transaction year=\d{4}\/month=\d{2}\/day=\d{2}/);
    const [counts] = await json(['warehouse', 'select (select count(*) from fact_conversion) as conversions, (select count(*) from dim_partner) as partners']);
    expect(counts).toEqual({ conversions: '2', partners: '1' });
  });

  it.each(namedQueries().map((q) => q.name))('the named query %s returns rows', async (name) => {
    const rows = await json(['athena', '--named', name]);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('high-value-transactions lists the 2,500 USD transaction exactly', async () => {
    const rows = await json(['athena', '--named', 'high-value-transactions']);
    expect(rows.find((r) => r.transaction_id === 'e2e-high-value-1')).toMatchObject({
      amount: '2500.000000000000000000',
      currency: 'USD',
      amount_base: '2500.000000000000000000',
      merchant: 'Grand Hotel',
    });
  });

  it('conversions-per-partner sums the two conversions exactly', async () => {
    const [row] = await json(['athena', '--named', 'conversions-per-partner']);
    expect(row).toMatchObject({ from_currency: 'EUR', to_currency: 'USD', conversions: '2', amount: '200.000000000000000000' });
  });

  it('sum(amount_base) in the warehouse equals the Athena-side sum over transactions_latest, to the last digit', async () => {
    // Transactions keep arriving every minute: load, then compare both sides until no batch lands in between.
    const sums = await eventually(async () => {
      expect((await platform.cli(['invoke', 'load-warehouse'])).code).toBe(0);
      const [warehouse] = await json(['warehouse', 'select sum(amount_base) as total, count(*) as n from fact_transaction']);
      const [athena] = await json(['athena', 'select sum(amount_base) as total, count(*) as n from fx_local.transactions_latest']);
      return warehouse.total === athena.total && warehouse.n === athena.n ? { warehouse, athena } : undefined;
    }, 180_000, 'equal sums');
    expect(sums.warehouse.total).toMatch(/^\d+\.\d{18}$/);
    expect(Number(sums.warehouse.n)).toBeGreaterThan(0);
  });

  it('answers bad SQL and unknown names clearly', async () => {
    const bad = await platform.query(['warehouse', 'selec 1']);
    expect([bad.code, bad.stderr]).toEqual([1, 'query failed: syntax error at or near "selec"\n']);
    const unknown = await platform.query(['athena', '--named', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no named query "nope": use one of conversions-per-partner');
    const table = await platform.query(['athena', 'select count(*) as n from fx_local.rates']);
    expect(table.stdout).toMatch(/^\s*n\n-+\n\s*\d+\n\(1 row\)\n$/);
  });
});
