/**
 * Sets environment variables for a test (`undefined` removes one) and returns a function that
 * puts every touched variable back as it was.
 */
export function setEnv(vars: Readonly<Record<string, string | undefined>>): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  apply(vars);
  return () => apply(previous);
}

function apply(vars: Readonly<Record<string, string | undefined>>): void {
  for (const [name, value] of Object.entries(vars)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/**
 * Powertools settings for handlers run inside jest: no log lines, no EMF metric blobs on stdout,
 * no X-Ray (it is off outside Lambda anyway; explicit so a CI runner's env cannot turn it on).
 */
export const QUIET_POWERTOOLS: Readonly<Record<string, string | undefined>> = {
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  POWERTOOLS_TRACE_ENABLED: 'false',
  POWERTOOLS_DEV: undefined,
};

/** Region and dummy credentials, so an SDK client resolves its config without a profile. */
export const LOCAL_AWS: Readonly<Record<string, string>> = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
};
