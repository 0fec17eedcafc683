import type { RunContext } from '../context.js';

/** Diagnostics never go to stdout: stdout holds only the requested output. */
export function reportFailure(ctx: RunContext, who: string, reason: string): void {
  ctx.stderr.write(`error: ${who}: ${reason}\n`);
}

export function warn(ctx: RunContext, message: string): void {
  ctx.stderr.write(`Warning: ${message}\n`);
}

/** A -v note (verbosity 1 and up): something read leniently, e.g. an unknown field kept as an extra. */
export function note(ctx: RunContext, message: string): void {
  if (ctx.globals.verbosity >= 1) ctx.stderr.write(`I ${new Date().toISOString()} ${message}\n`);
}
