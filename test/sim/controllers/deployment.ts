/**
 * The Deployment controller, for what the simulated cluster runs: `replicas` Pods named
 * <deployment>-<10 chars>-<5 chars>; a template change replaces them (strategy Recreate, as
 * antrea-controller's, or RollingUpdate: both end with every Pod new).
 */
import type { Json } from '../api/status.js';
import type { SimCluster } from '../cluster.js';

/** The ReplicaSet a Deployment's template generation owns its Pods through (ownerReferences), as the real controller names it: <deployment>-<pod-template-hash>. */
export const replicaSetUid = (deploy: Json, generation: string) => `${deploy.metadata.uid}-rs-${generation}`;
const ownedBy = (deploy: Json) => (p: Json) => (p.metadata.ownerReferences ?? []).some((r: Json) => r.kind === 'ReplicaSet' && String(r.uid).startsWith(`${deploy.metadata.uid}-rs-`));

const podReady = (pod: Json) => (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');

export class DeploymentController {
  constructor(private readonly cluster: SimCluster) {}

  sync(): void {
    for (const deploy of this.cluster.store.list('deployments')) this.reconcile(deploy);
  }

  private reconcile(deploy: Json): void {
    const { store } = this.cluster;
    const generation = String(deploy.metadata.generation ?? 1);
    const owned = store.list('pods', deploy.metadata.namespace).filter(ownedBy(deploy));
    const replicas = deploy.spec.replicas ?? 1;
    const rsUid = replicaSetUid(deploy, generation);
    for (const p of owned) if (!p.metadata.ownerReferences.some((r: Json) => r.uid === rsUid)) this.cluster.deletePod(p);
    const current = store.list('pods', deploy.metadata.namespace).filter(ownedBy(deploy));
    for (let i = current.length; i < replicas; i++) {
      const node = this.cluster.nodeForDeployment();
      if (!node) break;
      const template = deploy.spec.template;
      const name = this.cluster.podNameFor(deploy.metadata.name, `${deploy.metadata.name}/${generation}/${i}`, true);
      const hash = name.split('-').at(-2)!;
      this.cluster.createPod({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: deploy.metadata.namespace,
          labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
          annotations: { ...(template.metadata?.annotations ?? {}) },
          ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `${deploy.metadata.name}-${hash}`, uid: rsUid, controller: true, blockOwnerDeletion: true }],
          creationTimestamp: this.cluster.now(),
        },
        spec: { ...structuredClone(template.spec ?? {}), nodeName: node },
        status: { phase: 'Pending' },
      });
    }
    const pods = store.list('pods', deploy.metadata.namespace).filter(ownedBy(deploy));
    const ready = pods.filter(podReady).length;
    const status = { observedGeneration: deploy.metadata.generation, replicas: pods.length, updatedReplicas: pods.length, readyReplicas: ready, availableReplicas: ready };
    if (JSON.stringify(status) !== JSON.stringify(deploy.status)) store.mutate('deployments', deploy.metadata.namespace, deploy.metadata.name, (o) => (o.status = status));
  }
}
