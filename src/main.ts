// The entry. scripts/build.mjs bundles it alone as CommonJS (dist/main.cjs): starting node on an ES
// module costs several milliseconds more, and a run that only asks for help should cost little
// more than starting node. Hence no top-level await here, and the CLI is imported only when needed.
import { join } from 'node:path';
import { printPrecomputed } from './output/precomputed.js';
import { endOnStdoutError, endingOnStdoutError } from './output/stdout-errors.js';
import { PRECOMPUTED_ARTIFACT, precomputedOutput } from './precomputed-help.js';

/** The digest of the bundle, set by scripts/build.mjs; absent when running from source. */
declare const MCASTCTL_BUILD_ID: string | undefined;

/**
 * The whole CLI: commander, the command table and everything they load. Only imported when the
 * build's stored output cannot answer, so that `--help` costs little more than starting node.
 */
async function runFullCli(args: string[]): Promise<void> {
  const [{ runCli }, { errorLine, exitCodeOf }] = await Promise.all([import('./cli.js'), import('./errors.js')]);
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

  process.stdout.on('error', endOnStdoutError);
  // A reader of stderr that went away is not an error either; nothing could be said of another.
  process.stderr.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });

  const code = await runCli(args, { stdout: process.stdout, stderr: process.stderr, env: process.env }, process.argv[1]);
  process.exitCode = code;
  // The answer is printed: once stdout and stderr are flushed the process ends, whatever is still in
  // flight (a request abandoned at its Node's deadline, a server that never closes a socket).
  // A failed write of the output is seen here at the latest, and decides the exit code then.
  let unflushed = 2;
  const flushed = () => {
    if (--unflushed === 0 && !endingOnStdoutError()) process.exit(code);
  };
  process.stdout.write('', (err) => {
    if (err) endOnStdoutError((process.stdout.errored ?? err) as NodeJS.ErrnoException);
    else flushed();
  });
  process.stderr.write('', flushed);
}

const args = process.argv.slice(2);
const build = typeof MCASTCTL_BUILD_ID === 'string' ? MCASTCTL_BUILD_ID : undefined;
// Only the bundle has a build, and it is CommonJS: __dirname is dist/, where help.json lies.
const stored = build === undefined ? undefined : precomputedOutput(args, process.argv[1], join(__dirname, PRECOMPUTED_ARTIFACT), build);
if (stored === undefined) void runFullCli(args);
else printPrecomputed(1, stored);
