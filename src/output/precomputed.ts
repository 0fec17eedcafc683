/**
 * Prints what the build stored (help, version) when a run needs nothing else. Loaded at every
 * start: it imports nothing at load time.
 */

/**
 * Writes `text` to `stdout`; the run then ends by itself with exit 0. A reader that went away
 * (`mcastctl --help | head -1`) ends it quietly with exit 0, as a shell pipeline expects; any other
 * write error ends it with mcastctl's one-line error and that error's exit code.
 */
export function printPrecomputed(stdout: NodeJS.WriteStream, text: string): void {
  stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    void import('../errors.js').then(({ errorLine, exitCodeOf }) => {
      process.stderr.write(`${errorLine(err)}\n`);
      process.exit(exitCodeOf(err));
    });
  });
  stdout.write(text);
}
