import type { PublishedRate } from '../../domain/rate-snapshot';
import type { RawPayload } from '../../ports/rate-provider';
import { parseJsonNumbersAs } from '../../shared/exact-json';
import { backoffDelay, defaultSleep } from '../../shared/retry';
import { ProviderUnavailableError, RatePayloadError } from './provider-errors';

export interface RetryInfo {
  readonly attempt: number;
  readonly delayMs: number;
  readonly status?: number;
  readonly error?: unknown;
}

export interface HttpOptions {
  readonly timeoutMs?: number;
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly sleep?: (ms: number) => Promise<void>;
  /** In [0, 1); drives the backoff jitter. */
  readonly random?: () => number;
  readonly fetchImpl?: typeof fetch;
  readonly onRetry?: (info: RetryInfo) => void;
  /** Client errors retried like a 5xx, besides 429 (a partner feed that is being deployed answers 404). */
  readonly retryStatuses?: readonly number[];
}

export interface HttpResponse {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

export const DEFAULT_HTTP_OPTIONS = {
  timeoutMs: 10_000,
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 5_000,
} as const;

/**
 * GET with a per-attempt timeout. Retries network errors, timeouts, 5xx, 429 and
 * `retryStatuses` with the platform's one backoff (shared/retry.ts: exponential, full jitter) (a 429/503 Retry-After wins, capped
 * at maxDelayMs); any other non-2xx is final. Throws ProviderUnavailableError (URL with secrets
 * redacted) when it gives up.
 */
export async function fetchWithRetry(
  url: string,
  options: HttpOptions = {},
): Promise<HttpResponse> {
  return fetchParsedWithRetry(url, (response) => response, options);
}

/**
 * fetchWithRetry whose 2xx answer must also get through `parse`: an answer `parse` throws on
 * (garbage, an empty body) is retried like a 5xx, and when the attempts run out the last
 * parse error is the ProviderUnavailableError's cause.
 */
export async function fetchParsedWithRetry<T>(
  url: string,
  parse: (response: HttpResponse) => T,
  options: HttpOptions = {},
): Promise<T> {
  const { timeoutMs, maxAttempts, baseDelayMs, maxDelayMs } = {
    ...DEFAULT_HTTP_OPTIONS,
    ...options,
  };
  const fetchImpl = options.fetchImpl ?? fetch;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;

  for (let attempt = 1; ; attempt++) {
    let status: number | undefined;
    let error: unknown;
    let retryAfterMs: number | undefined;
    try {
      const response = await fetchImpl(url, {
        headers: options.headers,
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      if (response.ok) {
        const body = await response.text();
        // A parse error lands in the catch below and is retried like a network error.
        return parse({ status, body, contentType: response.headers.get('content-type') ?? '' });
      }
      await response.body?.cancel().catch(() => undefined);
      if (status !== 429 && status < 500 && !options.retryStatuses?.includes(status)) {
        throw new ProviderUnavailableError({ url, attempts: attempt, status });
      }
      retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
    } catch (caught) {
      if (caught instanceof ProviderUnavailableError) throw caught;
      error = caught;
      status = undefined;
    }
    if (attempt >= maxAttempts) {
      throw new ProviderUnavailableError({ url, attempts: attempt, status, cause: error });
    }
    const delayMs = Math.round(
      retryAfterMs !== undefined ? Math.min(retryAfterMs, maxDelayMs) : backoffDelay(attempt, { baseDelayMs, maxDelayMs, random }),
    );
    options.onRetry?.({ attempt, delayMs, status, error });
    await sleep(delayMs);
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
function parseRetryAfter(header: string | null): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

/** JSON.parse where every number becomes the exact text it had in the payload ("0.84770"). */
export function parseJsonKeepingNumbers(provider: string, text: string): unknown {
  try {
    return parseJsonNumbersAs(text, (source) => source);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RatePayloadError(provider, `payload is not valid JSON (${reason})`);
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function trimTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** `{ "USD": "1.0915", ... }` (numbers already kept as text) into published rates. */
export function publishedRatesOf(
  provider: string,
  rates: unknown,
  orientation?: 'base-per-quote',
): PublishedRate[] {
  if (!isRecord(rates)) throw new RatePayloadError(provider, 'rates is not an object');
  return Object.entries(rates).map(([quote, rate]) => {
    if (typeof rate !== 'string') {
      throw new RatePayloadError(
        provider,
        `rate for ${quote} is not a number: ${JSON.stringify(rate)}`,
      );
    }
    return orientation
      ? { quote: quote.toUpperCase(), rate, orientation }
      : { quote: quote.toUpperCase(), rate };
  });
}

export function rawPayloadOf(response: HttpResponse, extension: 'xml' | 'json'): RawPayload {
  const contentType =
    response.contentType || (extension === 'xml' ? 'text/xml' : 'application/json');
  return { body: response.body, contentType, extension };
}
