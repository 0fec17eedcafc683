import { boundedLine } from '../bounded-text.js';
import type { RunContext } from '../context.js';

/**
 * One failed Node (or Pod) as one line on stderr: the reason quotes untrusted text, so it is cut to
 * one line of bounded length. Diagnostics never go to stdout: stdout holds only the requested output.
 */
export function reportFailure(ctx: RunContext, who: string, reason: string): void {
  ctx.stderr.write(`error: ${boundedLine(who, 253)}: ${boundedLine(reason)}\n`);
}

/** A warning as one bounded line on stderr. */
export function warn(ctx: RunContext, message: string): void {
  ctx.stderr.write(`Warning: ${boundedLine(message, 1000)}\n`);
}

/** A -v note (verbosity 1 and up): something read leniently, e.g. an unknown field kept as an extra. */
export function note(ctx: RunContext, message: string): void {
  if (ctx.globals.verbosity >= 1) ctx.stderr.write(`I ${new Date().toISOString()} ${message}\n`);
}
