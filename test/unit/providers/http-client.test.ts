import {
  fetchWithRetry,
  parseJsonKeepingNumbers,
} from '../../../lambdas/adapters/http/http-client';
import {
  ProviderUnavailableError,
  RatePayloadError,
  redactUrl,
} from '../../../lambdas/adapters/http/provider-errors';
import { fakeFetch, reply } from './fake-fetch';

const url = 'https://rates.test/api/latest.json?app_id=s3cr3t';

function options(fetchImpl: typeof fetch, extra: object = {}) {
  const sleeps: number[] = [];
  return {
    sleeps,
    http: {
      fetchImpl,
      maxAttempts: 3,
      baseDelayMs: 100,
      maxDelayMs: 1_000,
      random: () => 0.5,
      sleep: async (ms: number) => void sleeps.push(ms),
      ...extra,
    },
  };
}

describe('fetchWithRetry', () => {
  it('returns status, body and content type', async () => {
    const { fetchImpl } = fakeFetch(reply(200, '{"a":1}', { 'content-type': 'application/json' }));
    await expect(fetchWithRetry(url, { fetchImpl })).resolves.toEqual({
      status: 200,
      body: '{"a":1}',
      contentType: 'application/json',
    });
  });

  it('retries 503 and 429 with jittered exponential backoff, then succeeds', async () => {
    const { fetchImpl, calls } = fakeFetch(
      reply(503, 'down'),
      reply(429, 'slow down'),
      reply(200, 'ok'),
    );
    const { http, sleeps } = options(fetchImpl);
    const retries: unknown[] = [];
    const response = await fetchWithRetry(url, {
      ...http,
      onRetry: (info) => retries.push(info.status),
    });
    expect(response.body).toBe('ok');
    expect(calls).toHaveLength(3);
    expect(sleeps).toEqual([50, 100]); // random 0.5 × 100, × 200
    expect(retries).toEqual([503, 429]);
  });

  it('honours Retry-After seconds on 429, capped at maxDelayMs', async () => {
    const { fetchImpl } = fakeFetch(
      reply(429, '', { 'retry-after': '0' }),
      reply(429, '', { 'retry-after': '120' }),
      reply(200, 'ok'),
    );
    const { http, sleeps } = options(fetchImpl);
    await fetchWithRetry(url, http);
    expect(sleeps).toEqual([0, 1_000]);
  });

  it('gives up after maxAttempts with ProviderUnavailableError, app_id redacted', async () => {
    const { fetchImpl, calls } = fakeFetch(reply(500, ''), reply(502, ''), reply(503, ''));
    const error = await fetchWithRetry(url, options(fetchImpl).http).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderUnavailableError);
    expect(error).toMatchObject({ attempts: 3, status: 503 });
    expect((error as Error).message).not.toContain('s3cr3t');
    expect((error as ProviderUnavailableError).url).toBe(
      'https://rates.test/api/latest.json?app_id=REDACTED',
    );
    expect(calls).toHaveLength(3);
  });

  it('does not retry 404', async () => {
    const { fetchImpl, calls } = fakeFetch(reply(404, 'nope'), reply(200, 'never'));
    await expect(fetchWithRetry(url, options(fetchImpl).http)).rejects.toMatchObject({
      name: 'ProviderUnavailableError',
      attempts: 1,
      status: 404,
    });
    expect(calls).toHaveLength(1);
  });

  it('retries network errors and times out a hanging request', async () => {
    const hang = (signal: AbortSignal) =>
      new Promise<Response>((_resolve, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
    const { fetchImpl, calls } = fakeFetch(new TypeError('fetch failed'), hang, reply(200, 'ok'));
    const { http } = options(fetchImpl, { timeoutMs: 20 });
    const errors: unknown[] = [];
    await expect(
      fetchWithRetry(url, { ...http, onRetry: (i) => errors.push(i.error) }),
    ).resolves.toMatchObject({
      body: 'ok',
    });
    expect(calls).toHaveLength(3);
    expect(errors.map((e) => (e as Error).name)).toEqual(['TypeError', 'TimeoutError']);
  });

  it('reports the last network error when every attempt fails', async () => {
    const { fetchImpl } = fakeFetch(new TypeError('fetch failed'), new TypeError('fetch failed'));
    await expect(fetchWithRetry(url, options(fetchImpl, { maxAttempts: 2 }).http)).rejects.toThrow(
      /unavailable after 2 attempt\(s\): fetch failed/,
    );
  });
});

describe('redactUrl', () => {
  it('hides secret query values and keeps the rest', () => {
    expect(redactUrl('https://x.test/a?ids=bitcoin&api_key=k&app_id=i')).toBe(
      'https://x.test/a?ids=bitcoin&api_key=REDACTED&app_id=REDACTED',
    );
  });
});

describe('parseJsonKeepingNumbers', () => {
  it('keeps the exact number text', () => {
    expect(parseJsonKeepingNumbers('t', '{"a":0.84770,"b":[16291,1.0],"c":"x","d":null}')).toEqual({
      a: '0.84770',
      b: ['16291', '1.0'],
      c: 'x',
      d: null,
    });
  });

  it('throws RatePayloadError on non-JSON', () => {
    expect(() => parseJsonKeepingNumbers('oxr', '<html>')).toThrow(RatePayloadError);
    expect(() => parseJsonKeepingNumbers('oxr', '')).toThrow(/^oxr: payload is not valid JSON/);
  });
});
