import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ProviderUnavailableError } from '../../../lambdas/adapters/http/provider-errors';
import { httpTransactionFeed } from '../../../lambdas/adapters/http/transaction-feed-client';

/** A partner feed on 127.0.0.1: each test sets how it answers. */
let server: Server;
let url: string;
let requests: { url: string; authorization?: string }[] = [];
let respond: (req: IncomingMessage, res: ServerResponse) => void;

beforeAll(async () => {
  server = createServer((req, res) => {
    requests.push({ url: req.url ?? '', authorization: req.headers.authorization });
    respond(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/transactions`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

beforeEach(() => {
  requests = [];
});

const json = (res: ServerResponse, status: number, body: string) =>
  res.writeHead(status, { 'content-type': 'application/json' }).end(body);

const fastRetries = { sleep: async () => undefined, maxAttempts: 3 };

describe('httpTransactionFeed', () => {
  it('walks the pages with the cursor it is given and keeps each transaction as sent, digits included', async () => {
    const pages: Record<string, string> = {
      '': '{"transactions":[{"transaction_id":"t1","amount":12.50,"currency":"USD"},{"transaction_id":"t2","amount":"0.10"}],"next_cursor":"c-2"}',
      'c-2': '{ "transactions": [ { "transaction_id": "t3", "amount": 1500, "rate": 0.1000000000000000000001 } ], "next_cursor": null }',
    };
    respond = (req, res) => json(res, 200, pages[new URL(req.url!, url).searchParams.get('cursor') ?? '']);
    const feed = httpTransactionFeed({ name: 'acme', url, token: 's3cret', http: fastRetries });

    const first = await feed.fetchPage(null, 2);
    const second = await feed.fetchPage(first.nextCursor, 2);

    expect(first).toEqual({
      transactions: [
        { transactionId: 't1', json: '{"transaction_id":"t1","amount":12.50,"currency":"USD"}' },
        { transactionId: 't2', json: '{"transaction_id":"t2","amount":"0.10"}' },
      ],
      nextCursor: 'c-2',
    });
    expect(second).toEqual({
      transactions: [{ transactionId: 't3', json: '{"transaction_id":"t3","amount":1500,"rate":0.1000000000000000000001}' }],
      nextCursor: null,
    });
    expect(requests).toEqual([
      { url: '/v1/transactions?limit=2', authorization: 'Bearer s3cret' },
      { url: '/v1/transactions?cursor=c-2&limit=2', authorization: 'Bearer s3cret' },
    ]);
  });

  it('sends no Authorization header without credentials', async () => {
    respond = (_req, res) => json(res, 200, '{"transactions":[],"next_cursor":null}');
    await httpTransactionFeed({ name: 'open', url }).fetchPage(null, 10);
    expect(requests).toEqual([{ url: '/v1/transactions?limit=10', authorization: undefined }]);
  });

  it('retries a 500 with backoff and returns the page that follows', async () => {
    let calls = 0;
    respond = (_req, res) =>
      ++calls === 1 ? json(res, 500, '{"error":"boom"}') : json(res, 200, '{"transactions":[{"transaction_id":"t1"}],"next_cursor":"c-2"}');
    const retries: (number | undefined)[] = [];
    const feed = httpTransactionFeed({ name: 'acme', url, http: { ...fastRetries, onRetry: (r) => retries.push(r.status) } });

    const page = await feed.fetchPage(null, 10);

    expect(page.transactions.map((t) => t.transactionId)).toEqual(['t1']);
    expect(retries).toEqual([500]);
    expect(requests).toHaveLength(2);
  });

  it('gives up loudly when the feed keeps answering 503', async () => {
    respond = (_req, res) => json(res, 503, '');
    const feed = httpTransactionFeed({ name: 'acme', url, http: fastRetries });

    const error = await feed.fetchPage('c-9', 10).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).message).toMatch(/unavailable after 3 attempt\(s\): HTTP 503/);
    expect(requests).toHaveLength(3);
  });

  it('does not retry a 401: the credentials are wrong, not the network', async () => {
    respond = (_req, res) => json(res, 401, '{"error":"bad token"}');
    const error = await httpTransactionFeed({ name: 'acme', url, token: 'old', http: fastRetries })
      .fetchPage(null, 10)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as ProviderUnavailableError).status).toBe(401);
    expect(requests).toHaveLength(1);
  });

  it.each([
    ['an HTML error page', 200, '<html>Service temporarily unavailable</html>', /page is not valid JSON/],
    ['an empty body', 200, '', /page is empty/],
    ['an empty 204', 204, '', /page is empty/],
    ['a body without transactions', 200, '{"data":[],"next_cursor":null}', /page has no "transactions" array/],
    ['transactions that are not an array', 200, '{"transactions":{"t1":{}},"next_cursor":null}', /page has no "transactions" array/],
    ['a missing next_cursor', 200, '{"transactions":[]}', /"next_cursor" must be a non-empty string or null/],
    ['a numeric next_cursor', 200, '{"transactions":[],"next_cursor":42}', /"next_cursor" must be a non-empty string or null/],
    ['a truncated body', 200, '{"transactions":[{"transaction_id":"t1"', /page is not valid JSON/],
    ['a page that writes "transactions" twice', 200, '{"transactions":[],"transactions":[{}],"next_cursor":null}', /the key "transactions" appears more than once/],
    ['a 404', 404, '{"error":"no such feed"}', /HTTP 404/],
  ])('retries %s with backoff, then fails naming the feed and the last problem', async (_what, status, body, message) => {
    respond = (_req, res) => json(res, status, body);
    const retries: unknown[] = [];
    const error = await httpTransactionFeed({ name: 'acme', url, http: { ...fastRetries, onRetry: (r) => retries.push(r) } })
      .fetchPage(null, 10)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect((error as Error).message).toMatch(/^feed acme: .* unavailable after 3 attempt\(s\): /);
    expect((error as Error).message).toMatch(message);
    expect(requests).toHaveLength(3);
    expect(retries).toHaveLength(2);
  });

  it('returns the page once a feed that answered garbage answers properly', async () => {
    let calls = 0;
    respond = (_req, res) =>
      ++calls === 1 ? json(res, 200, '<html>oops</html>') : json(res, 200, '{"transactions":[{"transaction_id":"t1"}],"next_cursor":"c-2"}');

    const page = await httpTransactionFeed({ name: 'acme', url, http: fastRetries }).fetchPage(null, 10);

    expect(page.nextCursor).toBe('c-2');
    expect(requests).toHaveLength(2);
  });

  it('does not echo the page text of a JSON syntax error, which may hold personal data', async () => {
    respond = (_req, res) => json(res, 200, '{"transactions":[{"card_number":"4111111111111111",}],"next_cursor":null}');
    const error = await httpTransactionFeed({ name: 'acme', url, http: fastRetries })
      .fetchPage(null, 10)
      .catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/page is not valid JSON \(at character \d+\)/);
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error)) + String((error as Error).cause)).not.toContain('4111');
  });

  it('marks a record that writes a key twice, keeps its siblings, and escapes characters SQS refuses', async () => {
    respond = (_req, res) =>
      json(
        res,
        200,
        '{"transactions":[{"transaction_id":"t1","amount":"1","amount":"1000"},{"transaction_id":"t2","merchant":"a\uFFFEb"},{"transaction_id":"t3","meta":{"x":1,"x":2}}],"next_cursor":"c-2"}',
      );

    const page = await httpTransactionFeed({ name: 'acme', url, http: fastRetries }).fetchPage(null, 10);

    expect(page.transactions).toEqual([
      { transactionId: 't1', json: '{"transaction_id":"t1","amount":"1000"}', problem: 'the record has the key "amount" more than once' },
      { transactionId: 't2', json: '{"transaction_id":"t2","merchant":"a\\ufffeb"}' },
      { transactionId: 't3', json: '{"transaction_id":"t3","meta":{"x":2}}', problem: 'the record writes a key outside the feed contract more than once' },
    ]);
    expect(JSON.parse(page.transactions[1].json).merchant).toBe('a\uFFFEb');
  });
});
