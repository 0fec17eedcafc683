import type { FeatureGate } from './featuregates-parser.js';

export interface NodeGates {
  node: string;
  pod: string;
  featureGates: FeatureGate[];
}

export interface Divergence {
  name: string;
  /** The status most Nodes run. */
  majority: string;
  /** Nodes running the other status, by name. */
  nodes: string[];
  total: number;
}

export interface AgentSummary {
  /** One row per gate: the status most Nodes run. */
  featureGates: FeatureGate[];
  divergences: Divergence[];
}

/**
 * Folds every Node's gates into the majority view. A gate whose status is not the same on every
 * Node that reports it is a divergence (typically an agent not restarted after a ConfigMap edit).
 * Ties are broken towards the status of the first Node in name order, so the result is stable.
 */
export function summariseAgentGates(nodes: NodeGates[]): AgentSummary {
  const byGate = new Map<string, { version: string; statuses: Array<[string, string]> }>();
  for (const n of [...nodes].sort((a, b) => a.node.localeCompare(b.node))) {
    for (const gate of n.featureGates) {
      const entry = byGate.get(gate.name) ?? { version: gate.version, statuses: [] };
      entry.statuses.push([n.node, gate.status]);
      byGate.set(gate.name, entry);
    }
  }
  const featureGates: FeatureGate[] = [];
  const divergences: Divergence[] = [];
  for (const [name, { version, statuses }] of [...byGate].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const counts = new Map<string, number>();
    for (const [, s] of statuses) counts.set(s, (counts.get(s) ?? 0) + 1);
    const top = Math.max(...counts.values());
    // The first Node's status wins a tie; Map keeps first-seen order, which is Node name order.
    const majority = [...counts].find(([, n]) => n === top)![0];
    featureGates.push({ name, status: majority, version });
    const odd = statuses.filter(([, s]) => s !== majority).map(([node]) => node);
    if (odd.length > 0) divergences.push({ name, majority, nodes: odd, total: statuses.length });
  }
  return { featureGates, divergences };
}
