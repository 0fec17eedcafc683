import type { CommandContext } from './context.js';
import { runProbe } from './probe.js';
import { runProbeCleanup } from './probe-cleanup.js';
import { parseProbeFlags, type ProbeFlags } from './probe-options.js';

export async function runProbeCommand(ctx: CommandContext, _args: string[], options: Record<string, unknown>): Promise<number> {
  return runProbe(ctx, parseProbeFlags(options as unknown as ProbeFlags));
}

export async function runProbeCleanupCommand(ctx: CommandContext): Promise<number> {
  return runProbeCleanup(ctx);
}
