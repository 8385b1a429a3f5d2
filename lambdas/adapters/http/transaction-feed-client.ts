import type { FeedPage, FeedItem, TransactionFeed } from '../../ports/transaction-feed';
import { parseJsonNumbersAs, rawJSON } from '../../shared/exact-json';
import { fetchWithRetry, isRecord, type HttpOptions } from './http-client';

/** The feed answered 200 with something that is not a page of the contract. */
export class FeedPayloadError extends Error {
  override readonly name = 'FeedPayloadError';

  constructor(
    readonly feed: string,
    reason: string,
  ) {
    super(`feed ${feed}: ${reason}`);
  }
}

export interface TransactionFeedClientOptions {
  readonly name: string;
  /** `GET {url}?cursor=&limit=` */
  readonly url: string;
  /** Sent as `Authorization: Bearer <token>` when given. */
  readonly token?: string;
  /** Retries, timeouts and backoff of every page request (fetchWithRetry). */
  readonly http?: HttpOptions;
}

/** Reads a partner feed over HTTP; 5xx, 429 and network errors are retried with backoff. */
export function httpTransactionFeed(options: TransactionFeedClientOptions): TransactionFeed {
  const headers: Record<string, string> = {
    accept: 'application/json',
    ...options.http?.headers,
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
  };
  return {
    name: options.name,
    async fetchPage(cursor, limit) {
      const url = new URL(options.url);
      if (cursor !== null) url.searchParams.set('cursor', cursor);
      url.searchParams.set('limit', String(limit));
      const response = await fetchWithRetry(url.toString(), { ...options.http, headers });
      return parseFeedPage(options.name, response.body);
    },
  };
}

/** `{ "transactions": [ … ], "next_cursor": "…" | null }`, each transaction kept as JSON text. */
export function parseFeedPage(feed: string, text: string): FeedPage {
  let body: unknown;
  try {
    body = parseJsonKeepingDigits(text);
  } catch (error) {
    throw new FeedPayloadError(feed, `page is not valid JSON (${(error as Error).message})`);
  }
  if (!isRecord(body) || !Array.isArray(body.transactions)) {
    throw new FeedPayloadError(feed, 'page has no "transactions" array');
  }
  const next = body.next_cursor;
  if (next !== null && (typeof next !== 'string' || next === '')) {
    throw new FeedPayloadError(feed, '"next_cursor" must be a non-empty string or null');
  }
  return { transactions: body.transactions.map(feedItem), nextCursor: next };
}

function feedItem(item: unknown): FeedItem {
  const id = isRecord(item) ? item.transaction_id : undefined;
  return { transactionId: typeof id === 'string' ? id : undefined, json: JSON.stringify(item) };
}

/**
 * JSON.parse where every number becomes a raw JSON value, so JSON.stringify writes the digits the
 * sender wrote (12.50 stays 12.50, not 12.5). Throws SyntaxError on invalid JSON.
 */
export function parseJsonKeepingDigits(text: string): unknown {
  return parseJsonNumbersAs(text, rawJSON);
}
