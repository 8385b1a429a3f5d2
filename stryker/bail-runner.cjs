// Jest's in-band runner, stopping at the first failing test file during a mutant run: one
// failure kills the mutant, so the files after it would only cost time. Jest's own `bail` is
// overridden by Stryker; this does the same through the test watcher, as jest's bail does.
const TestRunner = require('jest-runner').default;

class BailOnFirstFailure extends TestRunner {
  async runTests(tests, watcher, options) {
    if (process.env.__STRYKER_ACTIVE_MUTANT__ === undefined) {
      return super.runTests(tests, watcher, options);
    }
    const stop = () => watcher.setState({ interrupted: true });
    const unsubscribe = [
      this.on('test-file-success', ([, result]) => {
        if (result.numFailingTests > 0 || result.testExecError) stop();
      }),
      this.on('test-file-failure', stop),
    ];
    try {
      return await super.runTests(tests, watcher, options);
    } finally {
      for (const off of unsubscribe) off();
    }
  }
}

module.exports = BailOnFirstFailure;
