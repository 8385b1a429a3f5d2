#!/usr/bin/env node
import { runQueryCli } from '../lib/analytics/query-cli';

runQueryCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then((code) => {
  process.exitCode = code;
});
