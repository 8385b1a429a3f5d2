import { ENV } from '../../../lambdas/shared/env-names';
import { LOCAL_AWS, QUIET_POWERTOOLS, setEnv } from '../../support/env';

const PROCESS_RATES_ENV = {
  [ENV.ratesTable]: 'rates',
  [ENV.rateChangesQueue]: 'http://127.0.0.1:4566/000000000000/rate-changes',
};
const FETCH_RATES_ENV = {
  [ENV.dataLakeBucket]: 'lake',
  [ENV.ratesQueue]: 'http://127.0.0.1:4566/000000000000/rates',
  [ENV.rateProviders]: '{"ecb":{}}',
};

/** Imports the handler in a fresh module registry, so its cold-start config runs again. */
async function coldStart(load: () => Promise<{ handler: unknown }>): Promise<unknown> {
  let handler: unknown;
  await jest.isolateModulesAsync(async () => {
    ({ handler } = await load());
  });
  return handler;
}

const EXPORT_RATES_ENV = { [ENV.dataLakeBucket]: 'lake' };

const handlers = [
  {
    name: 'process-rates',
    env: PROCESS_RATES_ENV,
    load: () => import('../../../lambdas/handlers/process-rates'),
  },
  {
    name: 'fetch-rates',
    env: FETCH_RATES_ENV,
    load: () => import('../../../lambdas/handlers/fetch-rates'),
  },
  {
    name: 'export-rates',
    env: EXPORT_RATES_ENV,
    load: () => import('../../../lambdas/handlers/export-rates'),
  },
];

describe.each(handlers)('$name handler cold start', ({ name, env, load }) => {
  let restore = () => undefined as void;
  afterEach(() => restore());

  it('loads when every variable is set', async () => {
    restore = setEnv({ ...LOCAL_AWS, ...QUIET_POWERTOOLS, ...env });
    await expect(coldStart(load)).resolves.toEqual(expect.any(Function));
  });

  it.each(Object.keys(env))('fails naming %s when it is missing', async (missing) => {
    restore = setEnv({ ...LOCAL_AWS, ...QUIET_POWERTOOLS, ...env, [missing]: undefined });

    const failure = coldStart(load);

    await expect(failure).rejects.toThrow(`${name}: missing environment variable ${missing}`);
    await expect(failure).rejects.toMatchObject({ name: 'ConfigError' });
  });

  it('treats an empty variable as missing', async () => {
    const [first] = Object.keys(env);
    restore = setEnv({ ...LOCAL_AWS, ...QUIET_POWERTOOLS, ...env, [first]: '' });
    await expect(coldStart(load)).rejects.toThrow(`missing environment variable ${first}`);
  });

  it('names every missing variable at once', async () => {
    restore = setEnv({
      ...LOCAL_AWS,
      ...QUIET_POWERTOOLS,
      ...Object.fromEntries(Object.keys(env).map((k) => [k, undefined])),
    });
    const names = Object.keys(env);
    await expect(coldStart(load)).rejects.toThrow(
      `${name}: missing environment variable${names.length > 1 ? 's' : ''} ${names.join(', ')}`,
    );
  });
});

describe('fetch-rates handler cold start with a malformed provider list', () => {
  it('fails naming RATE_PROVIDERS_JSON when it is not JSON', async () => {
    const restore = setEnv({
      ...LOCAL_AWS,
      ...QUIET_POWERTOOLS,
      ...FETCH_RATES_ENV,
      [ENV.rateProviders]: '{ecb: {}}',
    });
    try {
      await expect(coldStart(handlers[1].load)).rejects.toThrow(
        'environment variable RATE_PROVIDERS_JSON is not valid JSON',
      );
    } finally {
      restore();
    }
  });
});
