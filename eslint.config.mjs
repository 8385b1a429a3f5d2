import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules', 'cdk.out', '.local', 'coverage', 'reports', '.stryker-tmp'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      // A JS number must never hold money; arithmetic on amounts goes through decimal.js.
      'no-restricted-properties': [
        'error',
        { object: 'Number', property: 'parseFloat', message: 'Use decimal.js for amounts and rates.' },
      ],
      'no-restricted-globals': ['error', { name: 'parseFloat', message: 'Use decimal.js for amounts and rates.' }],
    },
  },
  {
    files: ['lambdas/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['@aws-sdk/*', 'aws-lambda', '@aws-lambda-powertools/*', 'aws-cdk-lib*'], message: 'The domain has no AWS imports.' }] },
      ],
    },
  },
  {
    // What a function bundles (README "Lean bundles"): `import { z } from 'zod'` keeps every locale.
    files: ['lambdas/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='zod'][importKind!='type'] > ImportSpecifier[imported.name='z'][importKind!='type']",
          message: "Use import * as z from 'zod' (or 'zod/mini'): the named z bundles every locale.",
        },
      ],
    },
  },
  {
    // CommonJS config modules for jest and Stryker (jest.shared.cjs, stryker/*.cjs) run in Node.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', process: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
