import type { RunContext } from '../context.js';

/**
 * One frame of a --watch. On a terminal the screen is redrawn in place (each frame whole, header
 * included). In a pipe frames continue one stream, as kubectl -w writes it: the caller formats
 * later frames without a table header and with "---" before each further YAML document.
 */
export function writeFrame(ctx: RunContext, text: string, watching: boolean): void {
  if (watching && ctx.stdout.isTTY === true) ctx.stdout.write(`\x1b[H\x1b[2J${text}`);
  else ctx.stdout.write(text);
}

/** The frame number formatList should get: every terminal frame is redrawn whole. */
export function streamFrame(ctx: RunContext, index: number): number {
  return ctx.stdout.isTTY === true ? 0 : index;
}
