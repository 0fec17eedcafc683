/**
 * Prints what the build stored (help, version) when a run needs nothing else. Loaded at every
 * start: it imports nothing at load time but node:fs and the rule for a failed write.
 */
import { writeSync } from 'node:fs';
import { endOnStdoutError } from './stdout-errors.js';

/**
 * Writes `text` to file descriptor `fd` (1: stdout) with write(2) directly: process.stdout would
 * first build a stream for the descriptor (a socket for a pipe), which costs this run more than
 * the rest of its work. A descriptor that is not ready (EAGAIN: a full non-blocking pipe) is
 * written again until all is out. The run then ends by itself with exit 0; a failed write ends it
 * as endOnStdoutError says (EPIPE quietly with exit 0, any other error with one line and exit 1).
 */
export function printPrecomputed(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) {
    try {
      written += writeSync(fd, bytes, written);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      endOnStdoutError(err as NodeJS.ErrnoException);
      return;
    }
  }
}
