import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { stageConfig } from '../../../lib/config/stage-config';
import { LOAD_WAREHOUSE_FUNCTION } from '../../../lib/definitions/analytics';
import { FUNCTIONS } from '../../../lib/definitions/functions';
import { SEED_CURRENCIES } from '../../../lib/definitions/partner-api';
import { RATE_WAIT } from '../../../lib/definitions/resources';
import { settingsEnv } from '../../../lib/definitions/function-settings';
import { ENV } from '../../../lambdas/shared/env-names';
import { LOCAL_AWS, setEnv } from '../../support/env';

const HANDLERS_DIR = path.join(__dirname, '..', '..', '..', 'lambdas', 'handlers');

/** Every variable any handler reads at cold start, with stand-in values. */
const ALL_ENV: Record<string, string> = {
  ...Object.fromEntries(Object.values(ENV).map((name) => [name, `${name.toLowerCase()}-value`])),
  [ENV.rateProviders]: '{"simulated":{}}',
  [ENV.transactionFeeds]: '{"simulator":{"url":"http://127.0.0.1:1/transactions","pageSize":50}}',
  [ENV.transactionRules]: '{"baseCurrency":"USD","mediumValueFrom":"100","highValueFrom":"1000","alertAbove":"3000","maxFutureSkewSeconds":300}',
  [ENV.partnerApiKeys]: '{}',
  [ENV.ratePolicy]: JSON.stringify(stageConfig('local').rates.policy),
  [ENV.rateWait]: JSON.stringify(RATE_WAIT),
  [ENV.partnerDataRole]: '',
  ...settingsEnv('alerts-api', stageConfig('local')),
  ...settingsEnv('evaluate-alerts', stageConfig('local')),
  ...settingsEnv('send-high-value-digest', stageConfig('local')),
};

describe('every handler is a middy handler', () => {
  let restore: () => void;
  beforeAll(() => (restore = setEnv({ ...LOCAL_AWS, ...ALL_ENV, POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' })));
  afterAll(() => restore());

  const files = readdirSync(HANDLERS_DIR).filter((f) => f.endsWith('.ts'));

  it('finds exactly the handlers the function definitions deploy', () => {
    const entries = [...Object.values(FUNCTIONS), SEED_CURRENCIES.definition, LOAD_WAREHOUSE_FUNCTION].map((def) => path.basename(def.entry));
    expect([...files].sort()).toEqual(entries.sort());
  });

  it.each(files)('%s exports a middy-wrapped handler', async (file) => {
    let handler: unknown;
    await jest.isolateModulesAsync(async () => {
      ({ handler } = (await import(path.join(HANDLERS_DIR, file))) as { handler: unknown });
    });
    const wrapped = handler as Record<string, unknown>;
    expect(typeof handler).toBe('function');
    for (const method of ['use', 'before', 'after', 'onError', 'handler']) expect({ method, type: typeof wrapped[method] }).toEqual({ method, type: 'function' });
  });
});
