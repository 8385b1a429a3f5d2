import { safeParse } from 'zod/mini';
import type * as core from 'zod/v4/core';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Spec = Record<string, string>;

/**
 * Reads the variables a function needs once, at cold start, and fails naming every missing one:
 * `const config = loadConfig('fetch-rates', { queueUrl: ENV.ratesQueue })`.
 */
export function loadConfig<S extends Spec>(
  functionName: string,
  spec: S,
  env: NodeJS.ProcessEnv = process.env,
): { readonly [K in keyof S]: string } {
  const missing = Object.values(spec).filter((name) => !env[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `${functionName}: missing environment variable${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
    );
  }
  return Object.fromEntries(
    Object.entries(spec).map(([key, name]) => [key, env[name] as string]),
  ) as { [K in keyof S]: string };
}

/**
 * Parses a JSON-valued variable with its schema, naming the variable and the first field that
 * does not fit: `environment variable TRANSACTION_FEEDS_JSON: acme.pageSize: expected number`.
 */
export function parseJsonEnv<S extends core.$ZodType>(name: string, value: string, schema: S): core.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    throw new ConfigError(`environment variable ${name} is not valid JSON`);
  }
  const result = safeParse(schema, json);
  if (result.success) return result.data;
  const [issue] = result.error.issues;
  const where = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new ConfigError(`environment variable ${name}: ${where}${issue.message}`);
}
