// The unit project alone, for Stryker: its jest-runner ignores `selectProjects`, and a
// TypeScript config that imports jest.config.ts does not load under Node 24's type stripping.
const path = require('node:path');
const { unitProject } = require('../jest.shared.cjs');

module.exports = {
  ...unitProject,
  rootDir: path.join(__dirname, '..'),
  testEnvironment: path.join(__dirname, 'test-environment.cjs'),
  testSequencer: path.join(__dirname, 'test-sequencer.cjs'),
  runner: path.join(__dirname, 'bail-runner.cjs'),
};
