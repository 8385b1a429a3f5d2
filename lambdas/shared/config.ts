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

/** Parses a JSON-valued variable, naming it when it does not parse. */
export function parseJsonEnv<T>(name: string, value: string): T {
  try {
    return JSON.parse(value) as T;
  } catch {
    throw new ConfigError(`environment variable ${name} is not valid JSON`);
  }
}
