import type { RunContext } from '../context.js';

/**
 * One frame of a --watch: on a terminal the screen is redrawn in place; in a pipe frames follow
 * one another, separated by a blank line, so a log keeps every sample.
 */
export function writeFrame(ctx: RunContext, text: string, index: number): void {
  if (ctx.stdout.isTTY === true) ctx.stdout.write(`\x1b[H\x1b[2J${text}`);
  else ctx.stdout.write(index > 0 ? `\n${text}` : text);
}
