#!/usr/bin/env node
// kubectl runs this to complete "kubectl antrea-multicast …" (kubectl's plugin completion,
// kubectl_complete-<plugin> on PATH): it passes the words after the plugin name, the last one
// partial, and reads cobra's protocol, which "mcastctl __complete" speaks.
process.argv.splice(2, 0, '__complete');
require('../dist/main.cjs');
