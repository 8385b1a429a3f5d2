import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import * as path from 'node:path';
import { bundleLikeAFunction, lambdaRuntimeEnv, stagingDir } from '../../../bench/bundle-init';
import { listCurrencies } from '../../../lambdas/domain/currency';

/**
 * What the bundling aliases change (README "Lean bundles"): an API function bundled as deployed
 * must not pull in undici, which an ES module's import of node:http loads through its lazy
 * WebSocket export; the currency table a bundle builds from its compact ISO 4217 data must be the
 * one the full package gives.
 */
describe('bundle aliases', () => {
  let dir: string;
  beforeAll(() => {
    dir = stagingDir();
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('a bundle lists the same currencies, with the same names and minor units, as the currency-codes package', async () => {
    const entry = path.join(__dirname, '../../../lambdas/domain/currency.ts');
    const file = await bundleLikeAFunction(`export { listCurrencies } from ${JSON.stringify(entry)};`, path.join(dir));
    const bundled = readFileSync(file, 'utf8');
    // The package's records name the countries that use each currency; the compact data does not.
    expect(bundled.includes('United Arab Emirates')).toBe(false);
    const child = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `const m = await import(${JSON.stringify(file)}); console.log(JSON.stringify(m.listCurrencies()));`],
      { encoding: 'utf8' },
    );
    expect(child.stderr).toBe('');
    expect(JSON.parse(child.stdout)).toEqual(JSON.parse(JSON.stringify(listCurrencies())));
  });

  it('rates-api does not load undici when it starts', async () => {
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
