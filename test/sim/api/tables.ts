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
