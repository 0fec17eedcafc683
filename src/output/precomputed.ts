/**
 * Prints what the build stored (help, version) when a run needs nothing else. Loaded at every
 * start: it imports nothing at load time but the rule for a failed write.
 */
import { endOnStdoutError } from './stdout-errors.js';

/**
 * Writes `text` to `stdout`; the run then ends by itself with exit 0. A failed write ends it as
 * endOnStdoutError says (EPIPE quietly with exit 0, any other error with one line and exit 1).
 */
export function printPrecomputed(stdout: NodeJS.WriteStream, text: string): void {
  stdout.on('error', endOnStdoutError);
  stdout.write(text);
}
