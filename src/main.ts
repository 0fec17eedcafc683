import { runCli } from './cli.js';
import { errorLine, exitCodeOf } from './errors.js';

// The last line of defence: a promise nobody awaited that failed, or an exception thrown from a
// callback, ends the run with the one-line error and the exit code of its class, never Node's
// stack dump (which would print the bundled source).
const fatal = (err: unknown) => {
  process.stderr.write(`${errorLine(err)}\n`);
  if (process.env.MCASTCTL_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  process.exit(exitCodeOf(err));
};
process.on('unhandledRejection', fatal);
process.on('uncaughtException', fatal);

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
// The answer is printed: once stdout and stderr are flushed the process ends, whatever is still in
// flight (a request abandoned at its Node's deadline, a server that never closes a socket).
let unflushed = 2;
const flushed = () => {
  if (--unflushed === 0) process.exit(code);
};
process.stdout.write('', flushed);
process.stderr.write('', flushed);
