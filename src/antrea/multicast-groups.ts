/** stats.antrea.io/v1alpha1 MulticastGroup: {group, pods: [{name, namespace}]} (pkg/apis/stats/v1alpha1/types.go). */

export interface MulticastGroupObject {
  metadata?: { name?: string };
  group?: string;
  pods?: Array<{ name?: string; namespace?: string }> | null;
}

export interface GroupMember {
  namespace: string;
  name: string;
  /** Filled in when the Pod could be found; null when it is gone or was not looked up. */
  node: string | null;
}

export interface MulticastGroup {
  group: string;
  pods: GroupMember[];
}

export function toMulticastGroup(object: MulticastGroupObject): MulticastGroup {
  return {
    group: object.group ?? object.metadata?.name ?? '',
    pods: (object.pods ?? []).map((p) => ({ namespace: p.namespace ?? '', name: p.name ?? '', node: null })),
  };
}

/** kubectl's PODS column for multicastgroups: "ns/name" joined by "," (no space), at most 3, then " + N more...". */
export function formatPodList(pods: GroupMember[], max = 3): string {
  if (pods.length === 0) return '<none>';
  const shown = pods.slice(0, max).map((p) => `${p.namespace}/${p.name}`).join(',');
  return pods.length > max ? `${shown} + ${pods.length - max} more...` : shown;
}

/** Per Node: the distinct groups its local receiver Pods joined, and the most groups one Pod joined. */
export function groupDemandByNode(groups: MulticastGroup[]): Map<string, { groups: Set<string>; maxPerPod: number }> {
  const perPod = new Map<string, { node: string; groups: Set<string> }>();
  for (const g of groups) {
    for (const p of g.pods) {
      if (!p.node) continue;
      const key = `${p.namespace}/${p.name}`;
      const entry = perPod.get(key) ?? { node: p.node, groups: new Set<string>() };
      entry.groups.add(g.group);
      perPod.set(key, entry);
    }
  }
  const byNode = new Map<string, { groups: Set<string>; maxPerPod: number }>();
  for (const { node, groups: podGroups } of perPod.values()) {
    const entry = byNode.get(node) ?? { groups: new Set<string>(), maxPerPod: 0 };
    for (const g of podGroups) entry.groups.add(g);
    entry.maxPerPod = Math.max(entry.maxPerPod, podGroups.size);
    byNode.set(node, entry);
  }
  return byNode;
}
