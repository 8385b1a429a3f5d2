// The node test environment, recording each file's test names during Stryker's dry run
// (see test-names.cjs). Outside Stryker, or during a mutant run, it records nothing.
const { TestEnvironment } = require('jest-environment-node');
const { fullName, record } = require('./test-names.cjs');

const isDryRun = () =>
  process.env.STRYKER_MUTATOR_WORKER !== undefined &&
  process.env.__STRYKER_ACTIVE_MUTANT__ === undefined;

class RecordingEnvironment extends TestEnvironment {
  #rootDir;
  #testPath;
  #names = new Set();

  constructor(config, context) {
    super(config, context);
    this.#rootDir = config.projectConfig.rootDir;
    this.#testPath = context.testPath;
  }

  async handleTestEvent(event) {
    if (event.name === 'test_start' && isDryRun()) this.#names.add(fullName(event.test));
  }

  async teardown() {
    if (isDryRun()) record(this.#rootDir, this.#testPath, [...this.#names]);
    await super.teardown();
  }
}

module.exports = RecordingEnvironment;
