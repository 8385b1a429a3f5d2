import { registerHooks } from 'node:module';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * middy 7 publishes ES modules only: its `exports` have no `require` condition, so the
 * CommonJS `require` that tsx compiles the handlers to cannot resolve `@middy/*` (nor can
 * middy's own files once tsx has compiled them). This resolve hook points those names at their
 * files, which Node 24 then loads (in Lambda, esbuild has bundled them). jest does the same with
 * `moduleNameMapper` (jest.config.ts). Import it first in a process or worker that loads a handler.
 */
const NODE_MODULES = path.join(__dirname, '..', '..', 'node_modules');

registerHooks({
  resolve(specifier, context, nextResolve) {
    if (/^@middy\/[\w-]+$/.test(specifier)) {
      return { url: pathToFileURL(path.join(NODE_MODULES, specifier, 'index.js')).href, shortCircuit: true };
    }
    return nextResolve(specifier, context);
  },
});
