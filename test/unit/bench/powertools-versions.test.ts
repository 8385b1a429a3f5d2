import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * Powertools utilities of different versions each bring their own @aws-lambda-powertools/commons,
 * and a function that uses two of them bundles two copies (README "Lean bundles").
 */
describe('Powertools versions', () => {
  const lock = JSON.parse(readFileSync(path.join(__dirname, '../../../package-lock.json'), 'utf8')) as {
    packages: Record<string, { version?: string }>;
  };
  const powertools = Object.entries(lock.packages).filter(([where]) => /node_modules\/@aws-lambda-powertools\/[^/]+$/.test(where));

  it('installs one copy of @aws-lambda-powertools/commons', () => {
    expect(powertools.filter(([where]) => where.endsWith('/commons')).map(([where]) => where)).toEqual(['node_modules/@aws-lambda-powertools/commons']);
  });

  it('installs every Powertools utility at one version', () => {
    expect(new Set(powertools.map(([, { version }]) => version)).size).toBe(1);
  });
});
