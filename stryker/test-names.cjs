// Which tests each test file holds, recorded during Stryker's initial (dry) run.
//
// For a mutant, Stryker's jest-runner runs every test file that imports the mutated file
// (--findRelatedTests) with a name filter for the tests that cover the mutant. Jest still loads
// and evaluates each of those files, and a domain module such as money.ts is imported by dozens
// of handler suites that load the AWS SDK: several seconds per mutant spent on files whose
// tests are all filtered out. The dry run records each file's test names here so the sequencer
// can leave those files out.
const fs = require('node:fs');
const path = require('node:path');
const crypto = require('node:crypto');

const directory = (rootDir) => path.join(rootDir, '.stryker-test-names');

/** The name jest matches --testNamePattern against: describe titles and the test title. */
function fullName(test) {
  const names = [];
  for (let block = test; block?.parent; block = block.parent) names.unshift(block.name);
  return names.join(' ');
}

function record(rootDir, testPath, names) {
  fs.mkdirSync(directory(rootDir), { recursive: true });
  const file = crypto.createHash('sha1').update(testPath).digest('hex');
  fs.writeFileSync(path.join(directory(rootDir), `${file}.json`), JSON.stringify({ testPath, names }));
}

/** testPath → its test names; empty when nothing was recorded. */
function load(rootDir) {
  const byFile = new Map();
  if (!fs.existsSync(directory(rootDir))) return byFile;
  for (const file of fs.readdirSync(directory(rootDir))) {
    const { testPath, names } = JSON.parse(fs.readFileSync(path.join(directory(rootDir), file), 'utf8'));
    byFile.set(testPath, names);
  }
  return byFile;
}

module.exports = { fullName, record, load };
