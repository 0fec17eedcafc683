import type { Json } from './status.js';

function age(timestamp: string): string {
  const seconds = Math.max(0, Math.floor((Date.now() - Date.parse(timestamp)) / 1000));
  if (seconds < 120) return `${seconds}s`;
  if (seconds < 3600 * 2) return `${Math.floor(seconds / 60)}m`;
  if (seconds < 86400 * 2) return `${Math.floor(seconds / 3600)}h`;
  return `${Math.floor(seconds / 86400)}d`;
}

/** The meta.k8s.io/v1 Table a real API server returns for pods, so kubectl prints its usual columns. */
export function podTable(pods: Json[], next?: string): Json {
  const column = (name: string, type: string, priority = 0) => ({ name, type, format: name === 'Name' ? 'name' : '', description: name, priority });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) },
    columnDefinitions: [
      column('Name', 'string'), column('Ready', 'string'), column('Status', 'string'), column('Restarts', 'string'), column('Age', 'string'),
      column('IP', 'string', 1), column('Node', 'string', 1), column('Nominated Node', 'string', 1), column('Readiness Gates', 'string', 1),
    ],
    rows: pods.map((p) => {
      const statuses: Json[] = p.status.containerStatuses ?? [];
      const ready = statuses.filter((s) => s.ready).length;
      const waiting = statuses.find((s) => s.state?.waiting)?.state?.waiting?.reason;
      const restarts = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
      return {
        cells: [p.metadata.name, `${ready}/${statuses.length}`, waiting ?? p.status.phase, String(restarts), age(p.metadata.creationTimestamp), p.status.podIP || '<none>', p.spec.nodeName, '<none>', '<none>'],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: p.metadata },
      };
    }),
  };
}

/**
 * The Table kube-apiserver returns for Nodes: columns and cells of printNode in kubernetes
 * pkg/printers/internalversion/printers.go (tag v1.32.0): STATUS from the Ready condition ("Ready",
 * "NotReady", "Unknown" without one; ",SchedulingDisabled" when unschedulable), ROLES from
 * node-role.kubernetes.io/<role> and kubernetes.io/role labels (sorted, "<none>"), VERSION the
 * kubelet's; priority-1 (-o wide) columns the first InternalIP/ExternalIP ("<none>"), OS image,
 * kernel and container runtime ("<unknown>" when empty).
 */
export function nodeTable(nodes: Json[], next?: string): Json {
  const column = (name: string, priority = 0) => ({ name, type: 'string', format: name === 'Name' ? 'name' : '', description: name, priority });
  const address = (n: Json, type: string) => (n.status?.addresses ?? []).find((a: Json) => a.type === type)?.address ?? '<none>';
  const known = (value: string | undefined) => value || '<unknown>';
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '1', ...(next ? { continue: next } : {}) },
    columnDefinitions: [
      column('Name'), column('Status'), column('Roles'), column('Age'), column('Version'),
      column('Internal-IP', 1), column('External-IP', 1), column('OS-Image', 1), column('Kernel-Version', 1), column('Container-Runtime', 1),
    ],
    rows: nodes.map((n) => {
      const ready = (n.status?.conditions ?? []).find((c: Json) => c.type === 'Ready');
      const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown', ...(n.spec?.unschedulable ? ['SchedulingDisabled'] : [])];
      const roles = new Set<string>();
      for (const [k, v] of Object.entries<string>(n.metadata.labels ?? {})) {
        if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) roles.add(k.slice('node-role.kubernetes.io/'.length));
        else if (k === 'kubernetes.io/role' && v !== '') roles.add(v);
      }
      const info = n.status?.nodeInfo ?? {};
      return {
        cells: [
          n.metadata.name, status.join(','), [...roles].sort().join(',') || '<none>', age(n.metadata.creationTimestamp), info.kubeletVersion ?? '',
          address(n, 'InternalIP'), address(n, 'ExternalIP'), known(info.osImage), known(info.kernelVersion), known(info.containerRuntimeVersion),
        ],
        object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: n.metadata },
      };
    }),
  };
}

/** kubectl get multicastgroups: GROUP and PODS ("ns/name" joined by "," without a space, at most 3). */
export function multicastGroupTable(groups: Json[]): Json {
  const pods = (refs: Json[]) => {
    if (refs.length === 0) return '<none>';
    const shown = refs.slice(0, 3).map((r) => `${r.namespace}/${r.name}`).join(',');
    return refs.length > 3 ? `${shown} + ${refs.length - 3} more...` : shown;
  };
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: { resourceVersion: '' },
    columnDefinitions: [
      { name: 'Group', type: 'string', format: 'name', description: 'IP of multicast group', priority: 0 },
      { name: 'Pods', type: 'string', format: '', description: 'List of Pods that has joined the multicast group', priority: 0 },
    ],
    rows: groups.map((g) => ({ cells: [g.group, pods(g.pods)], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: g.metadata } })),
  };
}
