// Bundled in place of `node:http` (BUILTINS_BY_REQUIRE in lib/constructs/fx-function.ts).
module.exports = require('http');
