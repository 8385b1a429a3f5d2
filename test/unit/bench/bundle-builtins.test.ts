import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { bundleLikeAFunction, lambdaRuntimeEnv, stagingDir } from '../../../bench/bundle-init';

/**
 * An API function bundled as deployed: importing it must not pull in undici, which an ES
 * module's import of node:http loads through its lazy WebSocket export (README "Lean bundles").
 */
describe('bundled built-ins', () => {
  let dir: string;
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('rates-api does not load undici when it starts', async () => {
    dir = stagingDir();
    const entry = path.join(__dirname, '../../../lambdas/handlers/rates-api.ts');
    const file = await bundleLikeAFunction(`export * from ${JSON.stringify(entry)};`, dir);
    // @middy/util's STATUS_CODES from node:http is in the bundle.
    expect(readFileSync(file, 'utf8').includes('STATUS_CODES')).toBe(true);
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `await import(${JSON.stringify(file)}); console.log(JSON.stringify(process.moduleLoadList));`],
      {
        encoding: 'utf8',
        env: {
          ...lambdaRuntimeEnv('rates-api', 256, dir),
          RATES_TABLE_NAME: 'rates',
          API_TABLE_NAME: 'api',
          PARTNER_API_KEYS_JSON: '{}',
          RATE_POLICY_JSON: JSON.stringify({
            fiat: [{ provider: 'ecb', staleAfter: { businessDays: 2 } }],
            crypto: [{ provider: 'coingecko', staleAfter: 'PT30M' }],
          }),
        },
      },
    );
    expect({ status: child.status, stderr: child.stderr.slice(-500) }).toEqual({ status: 0, stderr: expect.any(String) });
    const loaded = JSON.parse(child.stdout) as string[];
    expect(loaded).toContain('NativeModule http');
    expect(loaded.filter((m) => /undici/.test(m))).toEqual([]);
  });
});
