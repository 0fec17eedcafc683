/**
 * What a failed write to stdout does to the run, one rule for the stored-help path and the full
 * CLI. Loaded at every start: it imports nothing at load time.
 */

let ending = false;

/**
 * Ends the run for a failed write to stdout. A reader that went away (EPIPE: `mcastctl … | head
 * -1`) ends it quietly with exit 0, as a shell pipeline expects. Any other error (ENOSPC on a full
 * disk, EIO) means the output is lost: one line on stderr in Go's words, which kubectl prints for
 * the same failure ("error: write /dev/stdout: no space left on device"), and exit 1
 * (ExitCode.ERROR), so that a script never takes lost output for success. Called again while
 * ending (a flush callback and the stream's 'error' event both report the failure), it does nothing.
 */
export function endOnStdoutError(err: NodeJS.ErrnoException): void {
  if (ending) return;
  ending = true;
  if (err.code === 'EPIPE') process.exit(0);
  void import('../errors.js').then(({ errorLine, ExitCode }) => {
    // errorLine words an error with a path as Go does; Node's own text is "ENOSPC: no space left on device, write".
    const named = typeof err.errno === 'number' ? Object.assign(err, { path: '/dev/stdout', syscall: err.syscall ?? 'write' }) : err;
    process.stderr.write(`${errorLine(named)}\n`, () => process.exit(ExitCode.ERROR));
  });
}

/** Whether the run is ending for a failed write to stdout: nothing else may end it first. */
export function endingOnStdoutError(): boolean {
  return ending;
}
