/**
 * The Deployment controller, for what the simulated cluster runs: `replicas` Pods named
 * <deployment>-<10 chars>-<5 chars>; a template change replaces them (strategy Recreate, as
 * antrea-controller's, or RollingUpdate: both end with every Pod new).
 */
import type { Json } from '../api/status.js';
import type { SimCluster } from '../cluster.js';

const podReady = (pod: Json) => (pod.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');

export class DeploymentController {
  constructor(private readonly cluster: SimCluster) {}

  sync(): void {
    for (const deploy of this.cluster.store.list('deployments')) this.reconcile(deploy);
  }

  private reconcile(deploy: Json): void {
    const { store } = this.cluster;
    const generation = String(deploy.metadata.generation ?? 1);
    const owned = store.list('pods', deploy.metadata.namespace).filter((p) => p.metadata.annotations?.['simulator/owner-uid'] === deploy.metadata.uid);
    const replicas = deploy.spec.replicas ?? 1;
    for (const p of owned) if (p.metadata.annotations['simulator/template-generation'] !== generation) this.cluster.deletePod(p);
    const current = store.list('pods', deploy.metadata.namespace).filter((p) => p.metadata.annotations?.['simulator/owner-uid'] === deploy.metadata.uid);
    for (let i = current.length; i < replicas; i++) {
      const node = this.cluster.nodeForDeployment();
      if (!node) break;
      const template = deploy.spec.template;
      const name = this.cluster.podNameFor(deploy.metadata.name, `${deploy.metadata.name}/${generation}/${i}`, true);
      this.cluster.createPod({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: {
          name,
          namespace: deploy.metadata.namespace,
          labels: { ...(template.metadata?.labels ?? {}) },
          annotations: { ...(template.metadata?.annotations ?? {}), 'simulator/owner-uid': deploy.metadata.uid, 'simulator/template-generation': generation },
          creationTimestamp: this.cluster.now(),
        },
        spec: { ...structuredClone(template.spec ?? {}), nodeName: node },
        status: { phase: 'Pending' },
      });
    }
    const pods = store.list('pods', deploy.metadata.namespace).filter((p) => p.metadata.annotations?.['simulator/owner-uid'] === deploy.metadata.uid);
    const ready = pods.filter(podReady).length;
    const status = { observedGeneration: deploy.metadata.generation, replicas: pods.length, updatedReplicas: pods.length, readyReplicas: ready, availableReplicas: ready };
    if (JSON.stringify(status) !== JSON.stringify(deploy.status)) store.mutate('deployments', deploy.metadata.namespace, deploy.metadata.name, (o) => (o.status = status));
  }
}
