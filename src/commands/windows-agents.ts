import type { AntreaPod } from '../cluster/agent-discovery.js';
import type { RunContext } from '../context.js';

/**
 * The agents that can run multicast: those on Linux Nodes. Agents on Windows Nodes
 * (antrea-agent-windows, same app=antrea,component=antrea-agent labels, build/yamls/antrea-windows.yml)
 * are skipped with one note on stderr: Multicast is unsupported on Windows
 * (pkg/features/antrea_features.go unsupportedFeaturesOnWindows).
 */
export function multicastAgents(ctx: RunContext, agents: AntreaPod[], why = 'Antrea runs no multicast on Windows'): AntreaPod[] {
  noteSkippedWindows(ctx, agents.filter((a) => a.os === 'windows'), why);
  return agents.filter((a) => a.os !== 'windows');
}

/** The one stderr note naming the skipped Windows agents' Nodes and why; nothing when there are none. */
export function noteSkippedWindows(ctx: RunContext, windows: AntreaPod[], why: string): void {
  if (windows.length === 0) return;
  const names = windows.map((a) => a.node).join(', ');
  ctx.stderr.write(`Note: skipping ${windows.length} Windows Node${windows.length === 1 ? '' : 's'} (${names}): ${why}\n`);
}
