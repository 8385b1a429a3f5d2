// During a mutant run, runs only the test files that hold a test covering the mutant (the
// --testNamePattern Stryker passes), using the names recorded in the dry run. A file with no
// record runs as usual, so a missing record can only cost time, never hide a killing test.
// Files with the most covering tests go first (see bail-runner.cjs).
const Sequencer = require('@jest/test-sequencer').default;
const { load } = require('./test-names.cjs');

let recorded;

class CoveringTestsFirst extends Sequencer {
  #globalConfig;

  constructor(options) {
    super(options);
    this.#globalConfig = options.globalConfig;
  }

  sort(tests) {
    const pattern = this.#globalConfig.testNamePattern;
    if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined || !pattern) return super.sort(tests);
    recorded ??= load(this.#globalConfig.rootDir);
    const matcher = new RegExp(pattern, 'i'); // as jest-circus builds it
    const covering = tests
      .map((test) => {
        const names = recorded.get(test.path);
        return { test, hits: names === undefined ? 0 : names.filter((n) => matcher.test(n)).length };
      })
      .filter(({ test, hits }) => hits > 0 || !recorded.has(test.path));
    // The file with the most covering tests first: usually the subject's own unit tests, which
    // are quick and, with the bail runner, often the only file a killed mutant needs.
    return covering.sort((a, b) => b.hits - a.hits).map(({ test }) => test);
  }
}

module.exports = CoveringTestsFirst;
