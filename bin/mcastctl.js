#!/usr/bin/env node
// CommonJS (bin/package.json): a start on an ES module costs more, and --help should cost little.
require('../dist/main.cjs');
