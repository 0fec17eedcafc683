import type { CommandContext } from '../commands/context.js';

/** Diagnostics never go to stdout: stdout holds only the requested output. */
export function reportFailure(ctx: CommandContext, who: string, reason: string): void {
  ctx.stderr.write(`error: ${who}: ${reason}\n`);
}

export function warn(ctx: CommandContext, message: string): void {
  ctx.stderr.write(`Warning: ${message}\n`);
}
