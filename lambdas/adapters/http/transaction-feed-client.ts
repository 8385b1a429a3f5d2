import { duplicateKeyDetail } from '../../domain/quarantine';
import { queueSafeJson } from '../../domain/record-limits';
import type { FeedPage, FeedItem, TransactionFeed } from '../../ports/transaction-feed';
import { duplicateKeys, parseJsonNumbersAs, rawJSON } from '../../shared/exact-json';
import { fetchParsedWithRetry, isRecord, type HttpOptions } from './http-client';
import { ProviderUnavailableError } from './provider-errors';

/** The feed answered 2xx with something that is not a page of the contract. */
export class FeedPayloadError extends Error {
  override readonly name = 'FeedPayloadError';

  constructor(
    readonly feed: string,
    reason: string,
  ) {
    super(reason);
  }
}

export interface TransactionFeedClientOptions {
  readonly name: string;
  /** `GET {url}?cursor=&limit=` */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` when given. */
  readonly token?: string;
  /** Retries, timeouts and backoff of every page request (fetchParsedWithRetry). */
  readonly http?: HttpOptions;
}

/**
 * Reads a partner feed over HTTP. Network errors, 5xx, 429, 404 (a feed being deployed) and
 * answers that are not a page (garbage, an empty body) are retried with backoff; then the call
 * fails with a ProviderUnavailableError naming the feed and the last problem.
 */
export function httpTransactionFeed(options: TransactionFeedClientOptions): TransactionFeed {
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...options.http?.headers,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  return {
    name: options.name,
    url: options.url,
    async fetchPage(cursor, limit) {
      const url = new URL(options.url);
      if (cursor !== null) url.searchParams.set('cursor', cursor);
      url.searchParams.set('limit', String(limit));
      try {
        return await fetchParsedWithRetry(
          url.toString(),
          (response) => parseFeedPage(options.name, response.body),
          { ...options.http, headers, retryStatuses: [404] },
        );
      } catch (error) {
        if (!(error instanceof ProviderUnavailableError)) throw error;
        const { url: where, attempts, status, cause } = error;
        throw new ProviderUnavailableError({ url: where, attempts, status, cause, label: `feed ${options.name}` });
      }
    },
  };
}

/**
 * `{ "transactions": [ … ], "next_cursor": "…" | null }`, each transaction kept as JSON text.
 * A transaction that writes a key twice is marked with its problem; a page that does is refused.
 */
export function parseFeedPage(feed: string, text: string): FeedPage {
  if (text.trim() === '') throw new FeedPayloadError(feed, 'page is empty');
  let body: unknown;
  try {
    body = parseJsonKeepingDigits(text);
  } catch (error) {
    throw new FeedPayloadError(feed, `page is not valid JSON (${whereInvalid(error as Error)})`);
  }
  const repeated = duplicateKeys(text);
  const pageLevel = repeated.find((d) => d.path.length === 0);
  if (pageLevel) {
    throw new FeedPayloadError(feed, `the key ${JSON.stringify(pageLevel.key)} appears more than once in the page`);
  }
  if (!isRecord(body) || !Array.isArray(body.transactions)) {
    throw new FeedPayloadError(feed, 'page has no "transactions" array');
  }
  const next = body.next_cursor;
  if (next !== null && (typeof next !== 'string' || next === '')) {
    throw new FeedPayloadError(feed, '"next_cursor" must be a non-empty string or null');
  }
  const problems = new Map<number, string>();
  for (const { path, key } of repeated) {
    const [field, index, ...within] = path;
    if (field === 'transactions' && typeof index === 'number' && !problems.has(index)) {
      problems.set(index, duplicateKeyDetail(within, key));
    }
  }
  return {
    transactions: body.transactions.map((item, index) => feedItem(item, problems.get(index))),
    nextCursor: next,
  };
}

function feedItem(item: unknown, problem: string | undefined): FeedItem {
  const id = isRecord(item) ? item.transaction_id : undefined;
  return {
    transactionId: typeof id === 'string' ? id : undefined,
    json: queueSafeJson(JSON.stringify(item)),
    ...(problem !== undefined && { problem }),
  };
}

/** Where a JSON text breaks, without quoting it (V8's message may quote the text). */
function whereInvalid(error: Error): string {
  const position = /at position (\d+)/.exec(error.message)?.[1];
  if (position !== undefined) return `at character ${position}`;
  return /end of JSON input/.test(error.message) ? 'it ends early' : 'it does not start like JSON';
}

/**
 * JSON.parse where every number becomes a raw JSON value, so JSON.stringify writes the digits the
 * sender wrote (12.50 stays 12.50, not 12.5). Throws SyntaxError on invalid JSON.
 */
export function parseJsonKeepingDigits(text: string): unknown {
  return parseJsonNumbersAs(text, rawJSON);
}
