/**
 * The Kubernetes side of `mcastctl probe`: the test Namespace and its Pods (created, waited for,
 * deleted and waited for again) and programs run in them with their output streamed, through the
 * KubeApi every command uses (timeouts, 429 retries, kubectl-worded errors).
 */
import type { V1Namespace, V1Pod } from '@kubernetes/client-node';
import { CONTAINER, COMPONENT_LABEL, ROLE_LABEL, type ProbePlan, type ProbePod } from '../antrea/probe-plan.js';
import { CliError } from '../errors.js';
import type { ExecResult, KubeApi } from '../context.js';

const POLL_MS = 250;
/** What a container waiting with these reasons will not get over without a change by someone. */
const STUCK_REASONS = new Set(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'ErrImageNeverPull', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);
/** Pod Security Admission: hostNetwork Pods are only admitted under the privileged level. */
export const POD_SECURITY_ENFORCE = 'pod-security.kubernetes.io/enforce';

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
  });

const isNotFound = (err: unknown) => err instanceof CliError && err.httpStatus === 404;

/** Thrown when a wait is given up: the probe's deadline passed or the run was interrupted. */
export class Aborted extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'Aborted';
  }
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new Aborted(String(signal.reason ?? 'aborted'));
}

/** The Namespace of a plan: the probe labels, and the privileged Pod Security level when a Pod uses the host network. */
export function namespaceManifest(plan: ProbePlan): V1Namespace {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: plan.namespace, labels: { ...plan.labels, ...(plan.hostNetwork ? { [POD_SECURITY_ENFORCE]: 'privileged' } : {}) } },
  };
}

/**
 * One probe Pod: the image's mcjoin container kept alive by sleep (as Antrea's e2e createMcJoinPodOnNode
 * does), pinned to its Node with nodeName, tolerating every taint (agents run on every Node), and
 * bounded in time so a probe killed before its teardown leaves Pods that end by themselves.
 */
export function podManifest(plan: ProbePlan, pod: ProbePod, lifetimeSeconds: number): V1Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: pod.name, namespace: plan.namespace, labels: { ...plan.labels, [ROLE_LABEL]: pod.role } },
    spec: {
      nodeName: pod.node,
      hostNetwork: pod.hostNetwork || undefined,
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 1,
      activeDeadlineSeconds: lifetimeSeconds,
      automountServiceAccountToken: false,
      tolerations: [{ operator: 'Exists' }],
      containers: [
        {
          name: CONTAINER,
          image: plan.image,
          command: ['sleep', String(lifetimeSeconds)],
          securityContext: {
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
            runAsNonRoot: true,
            runAsUser: 65534,
            seccompProfile: { type: 'RuntimeDefault' },
          },
        },
      ],
    },
  };
}

export interface RunningPod {
  name: string;
  node: string;
  ip?: string;
}

/** Why a Pod will not become ready, or undefined while it still may. */
export function podStuck(pod: V1Pod): string | undefined {
  const name = pod.metadata?.name ?? '';
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return `Pod ${name} ended (${phase}${pod.status?.reason ? `: ${pod.status.reason}` : ''})`;
  for (const c of pod.status?.containerStatuses ?? []) {
    const waiting = c.state?.waiting;
    if (waiting?.reason && STUCK_REASONS.has(waiting.reason)) {
      return `Pod ${name} on ${pod.spec?.nodeName}: ${waiting.reason}${waiting.message ? ` (${waiting.message.split('\n')[0]})` : ''}`;
    }
  }
  return undefined;
}

const isReady = (pod: V1Pod) => pod.status?.phase === 'Running' && (pod.status?.containerStatuses ?? []).length > 0 && pod.status!.containerStatuses!.every((c) => c.ready);

/** The Kubernetes calls of a probe, over the API every command uses. */
export class ProbeWorkload {
  constructor(private readonly client: KubeApi) {}

  async createNamespace(plan: ProbePlan): Promise<void> {
    await this.client.createNamespace(namespaceManifest(plan));
  }

  async createPods(plan: ProbePlan, lifetimeSeconds: number): Promise<void> {
    await Promise.all(plan.pods.map((pod) => this.client.createPod(plan.namespace, podManifest(plan, pod, lifetimeSeconds))));
  }

  /**
   * Waits until every Pod of the plan runs and is ready; returns them with their IPs. Throws a
   * CliError naming the Pod that cannot start (image pull, config error) and Aborted on signal.
   */
  async waitForPods(plan: ProbePlan, signal: AbortSignal): Promise<Map<string, RunningPod>> {
    for (;;) {
      throwIfAborted(signal);
      const pods = await this.client.listPods(plan.namespace, `${COMPONENT_LABEL}=${plan.labels[COMPONENT_LABEL]}`);
      for (const pod of pods) {
        const stuck = podStuck(pod);
        if (stuck) throw new CliError(stuck);
      }
      const ready = new Map(pods.filter(isReady).map((p) => [p.metadata!.name!, { name: p.metadata!.name!, node: p.spec?.nodeName ?? '', ip: p.status?.podIP }]));
      if (plan.pods.every((p) => ready.has(p.name))) return ready;
      await sleep(POLL_MS, signal);
    }
  }

  /** Deletes a Namespace (and so its Pods); false when it was already gone. */
  async deleteNamespace(name: string): Promise<boolean> {
    try {
      await this.client.deleteNamespace(name);
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  /** Waits until the Namespace is gone (its finalizers done), at most timeoutMs; returns whether it is. */
  async waitForNamespaceGone(name: string, timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      try {
        await this.client.readNamespace(name);
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
      if (Date.now() >= until) return false;
      await sleep(POLL_MS);
    }
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.client.deletePod(namespace, name, 1);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * Runs argv (an argument array, no shell) in a probe Pod's mcjoin container and resolves with its
   * output and exit code. onStdout sees all output so far each time more arrives. Rejects with
   * Aborted when the signal aborts (the session is closed), with Error when the session fails.
   */
  async exec(namespace: string, pod: string, argv: string[], options: { deadlineMs: number; signal: AbortSignal; onStdout?: (soFar: string) => void }): Promise<ExecResult> {
    let soFar = '';
    try {
      return await this.client.exec(namespace, pod, CONTAINER, argv, options.deadlineMs, {
        signal: options.signal,
        onStdout: (chunk) => options.onStdout?.((soFar += chunk)),
      });
    } catch (err) {
      throwIfAborted(options.signal);
      throw err;
    }
  }
}
