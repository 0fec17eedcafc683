import type { RunContext } from '../context.js';

/** Diagnostics never go to stdout: stdout holds only the requested output. */
export function reportFailure(ctx: RunContext, who: string, reason: string): void {
  ctx.stderr.write(`error: ${who}: ${reason}\n`);
}

export function warn(ctx: RunContext, message: string): void {
  ctx.stderr.write(`Warning: ${message}\n`);
}
