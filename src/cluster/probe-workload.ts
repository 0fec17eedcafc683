/**
 * The Kubernetes side of `mcastctl probe`: the test Namespace and its Pods (created, waited for,
 * deleted and waited for again), programs run in them with their output streamed, and the
 * removal of leftovers by label. Requests go through KubeClient.call (timeouts, 429 retries and
 * kubectl-worded errors); exec goes through the same Exec client as every other exec.
 */
import { Writable } from 'node:stream';
import { CoreV1Api, Exec, type V1Namespace, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { CONTAINER, COMPONENT_LABEL, ROLE_LABEL, type ProbePlan, type ProbePod } from '../antrea/probe-plan.js';
import { CliError } from '../errors.js';
import type { ExecResult, KubeClient } from './kube-client.js';

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

/** The Kubernetes calls of a probe. */
export class ProbeWorkload {
  private readonly core: CoreV1Api;

  constructor(private readonly client: KubeClient) {
    this.core = client.kc.makeApiClient(CoreV1Api);
  }

  async createNamespace(plan: ProbePlan): Promise<void> {
    await this.client.call((options) => this.core.createNamespace({ body: namespaceManifest(plan) }, options));
  }

  async createPods(plan: ProbePlan, lifetimeSeconds: number): Promise<void> {
    await Promise.all(plan.pods.map((pod) => this.client.call((options) => this.core.createNamespacedPod({ namespace: plan.namespace, body: podManifest(plan, pod, lifetimeSeconds) }, options))));
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
      await this.client.call((options) => this.core.deleteNamespace({ name, propagationPolicy: 'Background' }, options));
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
        await this.client.call((options) => this.core.readNamespace({ name }, options));
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
      if (Date.now() >= until) return false;
      await sleep(POLL_MS);
    }
  }

  /** Names of the Namespaces carrying the label selector. */
  async listNamespaces(labelSelector: string): Promise<string[]> {
    const list = await this.client.call((options) => this.core.listNamespace({ labelSelector }, options));
    return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean).sort();
  }

  async deletePod(namespace: string, name: string): Promise<void> {
    try {
      await this.client.call((options) => this.core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 1 }, options));
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /**
   * Runs argv (an argument array, no shell) in a probe Pod's container and resolves with its output
   * and exit code when it exits. onStdout sees the output as it comes (to know a receiver joined).
   * Rejects with Error when the session fails without an exit status, after deadlineMs, or when
   * the signal aborts (the session is closed).
   */
  exec(namespace: string, pod: string, argv: string[], options: { deadlineMs: number; signal: AbortSignal; onStdout?: (text: string) => void }): Promise<ExecResult> {
    let stdout = '';
    let stderr = '';
    const sink = (write: (text: string) => void) =>
      new Writable({
        write(chunk: Buffer, _enc, done) {
          write(chunk.toString('utf8'));
          done();
        },
      });
    return new Promise<ExecResult>((resolve, reject) => {
      let status: V1Status | undefined;
      let socket: { close(): void } | undefined;
      let settled = false;
      const finish = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        options.signal.removeEventListener('abort', onAbort);
        if (error) {
          socket?.close();
          return reject(error);
        }
        if (!status) return reject(new Error('the exec session closed without an exit status'));
        if (status.status === 'Success') return resolve({ stdout, stderr, exitCode: 0 });
        const cause = status.reason === 'NonZeroExitCode' ? status.details?.causes?.find((c) => c.reason === 'ExitCode') : undefined;
        if (cause) return resolve({ stdout, stderr, exitCode: Number(cause.message) });
        reject(new Error(status.message ?? 'the command failed without an exit code'));
      };
      const onAbort = () => finish(new Aborted(String(options.signal.reason ?? 'aborted')));
      const timer = setTimeout(() => finish(new Error(`no answer within ${options.deadlineMs / 1000}s`)), options.deadlineMs);
      if (options.signal.aborted) return onAbort();
      options.signal.addEventListener('abort', onAbort, { once: true });
      new Exec(this.client.kc)
        .exec(
          namespace, pod, CONTAINER, argv,
          sink((t) => {
            stdout += t;
            options.onStdout?.(stdout);
          }),
          sink((t) => (stderr += t)),
          null, false,
          (s) => {
            status = s;
          },
        )
        .then((ws) => {
          socket = ws as unknown as { close(): void };
          if (settled) socket.close();
          ws.on('close', () => finish());
          ws.on('error', (e: Error) => finish(e));
        }, (e: Error) => finish(new Error(e?.message ?? String(e))));
    });
  }
}
