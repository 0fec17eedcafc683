/**
 * The kubelets of every Node: they run the containers of the Pods bound to their Node and write the
 * Pods' status. An antrea-agent container starts the agent of its image's release with the
 * antrea-agent.conf of the moment (a subPath mount: the file never changes in a running container);
 * an agent that rejects its conf exits (klog.Fatalf: exit code 255), and the kubelet restarts it with
 * back-off: restartCount grows, the container waits in CrashLoopBackOff, and its logs (current and
 * previous instance) hold the fatal line.
 */
import { klogLine, startAgent, type AgentSettings } from '../antrea/agent-startup.js';
import { profileFor, type ReleaseProfile } from '../antrea/releases.js';
import type { Json } from '../api/status.js';
import { describeImage, type ImageDescription } from '../images/index.js';
import { timestamp } from '../store.js';
import type { SimCluster } from '../cluster.js';

/** A running antrea-agent process. */
export interface AgentProcess {
  profile: ReleaseProfile;
  settings: AgentSettings;
  /** The antrea-agent.conf it started with. */
  startedConf: string;
  /** When it started (OVS flows, and so Pod counters, start from 0 then). */
  startedAt: number;
  /** Its API port (AntreaAgentInfo.apiPort), when the simulator serves agent APIs. */
  apiPort?: number;
}

export interface ContainerRuntime {
  name: string;
  image: string;
  description: ImageDescription;
  restartCount: number;
  running: boolean;
  ready: boolean;
  startedAt: string;
  /** Log lines of each instance of the container, oldest first (the last is the current one). */
  instances: string[][];
  lastTerminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string };
  agent?: AgentProcess;
  /** The antrea-controller's antrea-controller.conf at start. */
  controllerConf?: string;
  /** An image no registry has: the container waits, first ErrImagePull, then ImagePullBackOff. */
  pullFailure?: 'ErrImagePull' | 'ImagePullBackOff';
}

export interface PodRuntime {
  namespace: string;
  name: string;
  uid: string;
  node: string;
  hostNetwork: boolean;
  containers: ContainerRuntime[];
  /** The Pod's network namespace sysctls when not hostNetwork (its own netns). */
  sysctl: { igmpMaxMemberships: number };
  timers: NodeJS.Timeout[];
}

export const AGENT_CONTAINER = 'antrea-agent';

/** How long the first failed pull shows ErrImagePull before the kubelet's back-off (shortened from its 10 s). */
const PULL_BACKOFF_MS = 2000;

/**
 * The waiting message of a container whose image cannot be pulled: containerd 1.7's resolve error for a
 * repository that does not exist, then the kubelet's "Back-off pulling image %q" (image_manager.go).
 */
function pullMessage(c: ContainerRuntime): string {
  if (c.pullFailure === 'ImagePullBackOff') return `Back-off pulling image "${c.image}"`;
  const ref = c.image.split('/')[0].includes('.') ? c.image : `docker.io/${c.image.includes('/') ? c.image : `library/${c.image}`}`;
  return `failed to pull and unpack image "${ref}": failed to resolve reference "${ref}": pull access denied, repository does not exist or may require authorization: server message: insufficient_scope: authorization failed`;
}

export class Kubelet {
  readonly pods = new Map<string, PodRuntime>();

  constructor(private readonly cluster: SimCluster) {}

  runtime(namespace: string, name: string): PodRuntime | undefined {
    return this.pods.get(`${namespace}/${name}`);
  }

  /** Starts a Pod bound to a Node: runs its init containers, then its containers; writes its status. */
  run(pod: Json): void {
    const { namespace, name, uid } = pod.metadata;
    const node = pod.spec.nodeName as string;
    const state = this.cluster.nodeState(node);
    if (!state) return;
    const runtime: PodRuntime = {
      namespace, name, uid, node, hostNetwork: pod.spec.hostNetwork === true, containers: [], timers: [], sysctl: { igmpMaxMemberships: 20 },
    };
    this.pods.set(`${namespace}/${name}`, runtime);
    for (const init of (pod.spec.initContainers ?? []) as Json[]) {
      if (Array.isArray(init.command)) this.cluster.runInContainer(runtime, { name: init.name, image: init.image }, [...init.command, ...(init.args ?? [])]);
    }
    const now = pod.metadata.creationTimestamp ?? timestamp();
    for (const c of (pod.spec.containers ?? []) as Json[]) {
      const description = describeImage(c.image ?? '', state.spec.agent?.tools ?? {});
      const container: ContainerRuntime = { name: c.name, image: c.image, description, restartCount: 0, running: true, ready: true, startedAt: now, instances: [[]] };
      runtime.containers.push(container);
      if (!this.cluster.imageExists(c.image ?? '')) {
        // kubelet pkg/kubelet/images/image_manager.go: the failed pull is ErrImagePull, the retries
        // that follow are in back-off (ImagePullBackOff); the container never starts.
        Object.assign(container, { running: false, ready: false, pullFailure: 'ErrImagePull' });
        runtime.timers.push(setTimeout(() => {
          container.pullFailure = 'ImagePullBackOff';
          this.syncStatus(runtime);
        }, PULL_BACKOFF_MS));
        continue;
      }
      if (c.name === AGENT_CONTAINER && (description.kind === 'antrea-agent' || description.kind === 'antrea-agent-windows')) this.startAgentContainer(runtime, container, pod);
      if (description.kind === 'antrea-controller') container.controllerConf = this.cluster.configMapText('antrea-config', 'antrea-controller.conf');
    }
    this.syncStatus(runtime);
    if (runtime.containers.some((c) => c.agent)) this.cluster.dataplane.syncNode(node);
  }

  private startAgentContainer(runtime: PodRuntime, container: ContainerRuntime, pod: Json): void {
    const state = this.cluster.nodeState(runtime.node)!;
    const os = state.os;
    const profile = profileFor(container.description.release ?? this.cluster.release);
    const previous = this.cluster.previousAgentOnNode(runtime.node, runtime.name);
    const stale = previous && this.cluster.faults.take(['stale-config'], { node: runtime.node });
    const conf = stale ? previous.startedConf : os === 'windows' ? this.cluster.configMapText('antrea-windows-config', 'antrea-agent.conf') : this.cluster.configMapText('antrea-config', 'antrea-agent.conf');
    const first = state.agentPodsStarted++ === 0;
    // A scenario's `agent.ready: false`: the first agent of the Node exits at every start (crash-loops).
    const crashes = first && state.spec.agent?.ready === false;
    if (first && state.spec.agent?.restarts) container.restartCount = state.spec.agent.restarts;
    const attempt = () => {
      const result = crashes ? ({ ok: false, logs: [], fatal: '' } as const) : startAgent(profile, conf, os);
      const at = new Date();
      const scenarioLogs = first && (crashes || result.ok) ? (state.spec.agent?.logs ?? []) : [];
      container.instances[container.instances.length - 1].push(...scenarioLogs, ...result.logs.map((r) => klogLine(r, at)));
      if (result.ok) {
        const settings = result.settings;
        // A scenario's agent that runs gates other than its conf says (started from an older config).
        const configured = state.spec.agent?.featureGates;
        const overrides: Iterable<[string, boolean]> | undefined = stale ? previous.settings.gates : first && configured ? Object.entries(configured) : undefined;
        if (overrides) {
          settings.gates = new Map(settings.gates);
          for (const [gate, value] of overrides) settings.gates.set(gate, value);
          settings.multicastRunning = os === 'linux' && settings.gates.get('Multicast') === true && (!profile.multicastNeedsEnable || settings.multicastEnable);
        }
        container.agent = { profile, settings, startedConf: conf, startedAt: Date.now() };
        state.firstAgentStartedAt ??= container.agent.startedAt;
        return true;
      }
      container.running = false;
      container.ready = false;
      container.agent = undefined;
      container.lastTerminated = { exitCode: 255, reason: 'Error', startedAt: container.startedAt, finishedAt: timestamp(at) };
      return false;
    };
    if (!attempt()) {
      if (crashes && container.restartCount > 0) container.instances.unshift([...(state.spec.agent?.logs ?? [])]);
      const restart = () => {
        if (!this.pods.has(`${runtime.namespace}/${runtime.name}`)) return;
        container.restartCount++;
        container.startedAt = timestamp();
        container.instances.push([]);
        if (container.instances.length > 2) container.instances.shift();
        attempt();
        this.syncStatus(runtime);
        const timer = setTimeout(restart, this.cluster.scenario.crashLoopRestartMs ?? 300);
        timer.unref();
        runtime.timers = [timer];
      };
      const timer = setTimeout(restart, this.cluster.scenario.crashLoopRestartMs ?? 300);
      timer.unref();
      runtime.timers.push(timer);
      return;
    }
    const startMs = first ? 0 : (this.cluster.scenario.agentStartMs ?? 0);
    if (startMs > 0) {
      container.ready = false;
      const timer = setTimeout(() => {
        container.ready = true;
        this.syncStatus(runtime);
      }, startMs);
      timer.unref();
      runtime.timers.push(timer);
    }
    void pod;
  }

  /** Whether a container is Ready now (scenario faults can hold an agent not Ready). */
  containerReady(runtime: PodRuntime, container: ContainerRuntime): boolean {
    if (!container.ready || !container.running) return false;
    if (container.agent && this.cluster.faults.active('agent-not-ready', { node: runtime.node })) return false;
    return true;
  }

  /** Sets a container's readiness from outside (e.g. a fault that makes an agent not Ready mid-run). */
  setReady(namespace: string, name: string, container: string, ready: boolean): void {
    const runtime = this.runtime(namespace, name);
    const c = runtime?.containers.find((x) => x.name === container);
    if (!runtime || !c) return;
    c.ready = ready;
    this.syncStatus(runtime);
  }

  /** Stops a Pod's containers (its Pod was deleted). */
  stop(namespace: string, name: string): void {
    const runtime = this.pods.get(`${namespace}/${name}`);
    if (!runtime) return;
    for (const t of runtime.timers) clearTimeout(t);
    const agent = runtime.containers.find((c) => c.name === AGENT_CONTAINER)?.agent;
    if (agent) this.cluster.lastAgents.set(runtime.node, agent);
    this.pods.delete(`${namespace}/${name}`);
  }

  stopAll(): void {
    for (const runtime of this.pods.values()) for (const t of runtime.timers) clearTimeout(t);
  }

  /** The Pod's status from its containers, written to the store. */
  syncStatus(runtime: PodRuntime): void {
    const pod = this.cluster.store.get('pods', runtime.namespace, runtime.name);
    if (!pod || pod.metadata.uid !== runtime.uid) return;
    const node = this.cluster.nodeState(runtime.node)!;
    const statuses = runtime.containers.map((c) => {
      const ready = this.containerReady(runtime, c);
      const held = c.agent !== undefined && this.cluster.faults.active('agent-not-ready', { node: runtime.node });
      const state = c.pullFailure
        ? { waiting: { reason: c.pullFailure, message: pullMessage(c) } }
        : held
        ? { waiting: { reason: 'CrashLoopBackOff', message: `back-off 10s restarting failed container=${c.name} pod=${runtime.name}_${runtime.namespace}(${runtime.uid})` } }
        : c.running
        ? { running: { startedAt: c.startedAt } }
        : c.restartCount === 0
          ? { terminated: { exitCode: 255, reason: 'Error', startedAt: c.lastTerminated!.startedAt, finishedAt: c.lastTerminated!.finishedAt, containerID: `containerd://${runtime.uid.replace(/-/g, '')}` } }
          : { waiting: { reason: 'CrashLoopBackOff', message: `back-off ${Math.min(10 * 2 ** Math.min(c.restartCount - 1, 5), 300)}s restarting failed container=${c.name} pod=${runtime.name}_${runtime.namespace}(${runtime.uid})` } };
      return {
        name: c.name, ready, restartCount: c.restartCount, image: c.image, imageID: '', started: c.running, state,
        ...(c.lastTerminated && c.restartCount > 0 ? { lastState: { terminated: { exitCode: c.lastTerminated.exitCode, reason: c.lastTerminated.reason, startedAt: c.lastTerminated.startedAt, finishedAt: c.lastTerminated.finishedAt } } } : { lastState: {} }),
      };
    });
    const allReady = statuses.every((s) => s.ready);
    const condition = (type: string, status: boolean) => ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: pod.metadata.creationTimestamp });
    const status = {
      phase: runtime.containers.some((c) => c.pullFailure) ? 'Pending' : 'Running',
      conditions: [condition('Initialized', true), condition('Ready', allReady), condition('ContainersReady', allReady), condition('PodScheduled', true)],
      hostIP: node.spec.internalIP ?? '',
      podIP: runtime.hostNetwork ? (node.spec.internalIP ?? '') : (pod.status?.podIP ?? this.cluster.allocatePodIP(runtime.node)),
      startTime: pod.metadata.creationTimestamp,
      containerStatuses: statuses,
      qosClass: 'BestEffort',
    };
    status.podIP ||= '';
    this.cluster.store.mutate('pods', runtime.namespace, runtime.name, (o) => {
      o.status = { ...status, podIPs: status.podIP ? [{ ip: status.podIP }] : [] };
    });
  }
}
