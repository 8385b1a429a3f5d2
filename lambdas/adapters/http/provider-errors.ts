export { RatePayloadError } from '../../domain/rate-snapshot';

const SECRET_PARAM = /^(app_?id|api_?key|key|token|access_key|x_cg_\w+_api_key)$/i;

/** The URL with secret query values (OXR app_id, API keys) replaced, safe for logs and errors. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    for (const name of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, 'REDACTED');
    }
    return parsed.toString();
  } catch {
    return url.replace(/\?.*$/, '');
  }
}

/** The provider could not be reached or kept failing (network, timeout, 5xx, 429, or a 4xx). */
export class ProviderUnavailableError extends Error {
  override readonly name = 'ProviderUnavailableError';
  readonly url: string;
  readonly attempts: number;
  readonly status?: number;

  constructor(args: {
    url: string;
    attempts: number;
    status?: number;
    cause?: unknown;
    /** What was called, put first ("feed acme"). */
    label?: string;
  }) {
    const url = redactUrl(args.url);
    const last =
      args.status !== undefined
        ? `HTTP ${args.status}`
        : args.cause instanceof Error
          ? args.cause.message
          : 'no response';
    const what = args.label ? `${args.label}: ${url}` : url;
    super(`${what} unavailable after ${args.attempts} attempt(s): ${last}`, { cause: args.cause });
    this.url = url;
    this.attempts = args.attempts;
    this.status = args.status;
  }
}
