import { runCli } from './cli.js';

// A reader that went away (`mcastctl … | head -1`) is not an error: stop quietly, as a shell
// pipeline expects, instead of dying on an unhandled EPIPE with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env }, process.argv[1]);
process.exitCode = code;
