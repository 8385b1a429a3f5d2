import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const REPO_ROOT = path.join(__dirname, '..', '..');

/**
 * Validates a document against the OpenAPI JSON schema of its version with
 * @seriousme/openapi-schema-validator. That package is an ES module reading its schemas through
 * `import.meta`, which jest's CommonJS runtime cannot load, so it runs in a Node process of its own.
 */
export function validateOpenApi(document: unknown): { valid: boolean; errors?: unknown } {
  const dir = mkdtempSync(path.join(tmpdir(), 'fx-openapi-'));
  try {
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document));
    const script = [
      "import { Validator } from '@seriousme/openapi-schema-validator';",
      `const result = await new Validator().validate(${JSON.stringify(file)});`,
      'process.stdout.write(JSON.stringify(result));',
    ].join('\n');
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    if (child.status !== 0) throw new Error(`the OpenAPI validator failed: ${child.stderr}`);
    return JSON.parse(child.stdout) as { valid: boolean; errors?: unknown };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
