/**
 * The DaemonSet controller (pkg/controller/daemon): one Pod per eligible Node (nodeSelector and
 * required node affinity), named <ds>-<5 chars>, labelled pod-template-generation; a RollingUpdate
 * replaces old Pods: unhealthy old Pods at once, healthy ones while fewer than maxUnavailable Nodes
 * are unavailable (default 1), so a template whose Pods never become Ready stalls the rollout.
 */
import type { Json } from '../api/status.js';
import type { SimCluster } from '../cluster.js';

function nodeEligible(template: Json, node: Json): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries((template.spec?.nodeSelector ?? {}) as Record<string, string>)) if (labels[k] !== v) return false;
  const terms = template.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms as Json[] | undefined;
  if (!terms || terms.length === 0) return true;
  return terms.some((t) =>
    ((t.matchExpressions ?? []) as Json[]).every((e) => {
      const has = e.key in labels;
      switch (e.operator) {
        case 'In': return has && e.values.includes(labels[e.key]);
        case 'NotIn': return !has || !e.values.includes(labels[e.key]);
        case 'Exists': return has;
        case 'DoesNotExist': return !has;
        default: return false;
      }
    }),
  );
}

const podReady = (pod: Json) => (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');

export class DaemonSetController {
  private running = false;
  private dirty = false;

  constructor(private readonly cluster: SimCluster) {}

  /** Reconciles every DaemonSet until nothing changes (re-entrant calls only mark it dirty). */
  sync(): void {
    this.dirty = true;
    if (this.running) return;
    this.running = true;
    try {
      for (let rounds = 0; this.dirty && rounds < 100_000; rounds++) {
        this.dirty = false;
        for (const ds of this.cluster.store.list('daemonsets')) this.reconcile(ds);
      }
    } finally {
      this.running = false;
    }
  }

  private reconcile(ds: Json): void {
    const { store } = this.cluster;
    const namespace = ds.metadata.namespace;
    const generation = String(ds.metadata.generation ?? 1);
    const nodes = store.list('nodes').filter((n) => nodeEligible(ds.spec.template, n));
    const owned = store.list('pods', namespace).filter((p) => (p.metadata.ownerReferences ?? []).some((r: Json) => r.uid === ds.metadata.uid));
    const byNode = new Map<string, Json[]>();
    for (const p of owned) byNode.set(p.spec.nodeName, [...(byNode.get(p.spec.nodeName) ?? []), p]);
    for (const [node, pods] of byNode) {
      if (!nodes.some((n) => n.metadata.name === node)) for (const p of pods) this.cluster.deletePod(p);
    }
    const isNew = (p: Json) => p.metadata.labels?.['pod-template-generation'] === generation;
    const maxUnavailable = this.maxUnavailable(ds, nodes.length);
    let unavailable = nodes.filter((n) => !(byNode.get(n.metadata.name) ?? []).some(podReady)).length;
    for (const node of nodes) {
      const pods = byNode.get(node.metadata.name) ?? [];
      if (pods.length === 0) {
        this.createPod(ds, node, generation);
        continue;
      }
      const old = pods.filter((p) => !isNew(p));
      if (old.length === 0) continue;
      if (pods.some(isNew)) {
        for (const p of old) this.cluster.deletePod(p);
        continue;
      }
      if (ds.spec.updateStrategy?.type === 'OnDelete') continue;
      const healthy = old.some(podReady);
      if (!healthy) {
        for (const p of old) this.cluster.deletePod(p);
        this.createPod(ds, node, generation);
      } else if (unavailable < maxUnavailable) {
        unavailable++;
        for (const p of old) this.cluster.deletePod(p);
        this.createPod(ds, node, generation);
      }
    }
    this.writeStatus(ds, nodes.map((n) => n.metadata.name), generation);
  }

  private maxUnavailable(ds: Json, nodes: number): number {
    const value = ds.spec.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
    if (typeof value === 'string' && value.endsWith('%')) return Math.max(1, Math.floor((nodes * Number(value.slice(0, -1))) / 100));
    return Math.max(1, Number(value));
  }

  private createPod(ds: Json, node: Json, generation: string): void {
    const template = ds.spec.template;
    const name = this.cluster.podNameFor(ds.metadata.name, node.metadata.name);
    const pod: Json = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name,
        generateName: `${ds.metadata.name}-`,
        namespace: ds.metadata.namespace,
        labels: { ...(template.metadata?.labels ?? {}), 'controller-revision-hash': `${ds.metadata.generation ?? 1}`, 'pod-template-generation': generation },
        annotations: { ...(template.metadata?.annotations ?? {}) },
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: ds.metadata.name, uid: ds.metadata.uid, controller: true, blockOwnerDeletion: true }],
        creationTimestamp: this.cluster.now(),
      },
      spec: { ...structuredClone(template.spec ?? {}), nodeName: node.metadata.name },
      status: { phase: 'Pending' },
    };
    this.cluster.createPod(pod);
  }

  private writeStatus(ds: Json, nodes: string[], generation: string): void {
    const pods = this.cluster.store
      .list('pods', ds.metadata.namespace)
      .filter((p) => (p.metadata.ownerReferences ?? []).some((r: Json) => r.uid === ds.metadata.uid));
    const ready = nodes.filter((n) => pods.some((p) => p.spec.nodeName === n && podReady(p))).length;
    const updated = pods.filter((p) => p.metadata.labels?.['pod-template-generation'] === generation).length;
    const status = {
      currentNumberScheduled: nodes.length, desiredNumberScheduled: nodes.length, numberAvailable: ready, numberReady: ready,
      numberMisscheduled: 0, observedGeneration: ds.metadata.generation, updatedNumberScheduled: updated,
      ...(ready < nodes.length ? { numberUnavailable: nodes.length - ready } : {}),
    };
    if (JSON.stringify(status) === JSON.stringify(ds.status)) return;
    this.cluster.store.mutate('daemonsets', ds.metadata.namespace, ds.metadata.name, (o) => (o.status = status));
  }
}

