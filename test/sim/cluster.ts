/**
 * The simulated cluster: the store, the controllers and kubelets that act on it, the Nodes' state and
 * the dataplane. It is seeded from a scenario (test/sim/scenarios/*.yaml) as an Antrea installation
 * would be: the antrea-config ConfigMap of the release's manifest, the antrea-agent DaemonSet (and
 * antrea-agent-windows for Windows Nodes), the antrea-controller Deployment, and the workloads' Pods.
 */
import { isKnownImage } from './images/index.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { controllerGateRows } from './antrea/featuregates.js';
import { profileFor, type ReleaseProfile } from './antrea/releases.js';
import type { Json } from './api/status.js';
import { DaemonSetController } from './controllers/daemonset.js';
import { DeploymentController } from './controllers/deployment.js';
import { AGENT_CONTAINER, Kubelet, type AgentProcess, type ContainerRuntime, type PodRuntime } from './controllers/kubelet.js';
import { Dataplane } from './dataplane.js';
import { Faults } from './faults.js';
import { runProgram, type ShellResult } from './programs/index.js';
import { FIXTURE_DIR, type Scenario, type ScenarioNode } from './scenario.js';
import { Store, timestamp } from './store.js';
import { compareRelease, parseRelease, releaseTag, type Release } from './version.js';

export type { Json };
export const ANTREA_NAMESPACE = 'kube-system';
const CREATED = timestamp(new Date(Date.now() - 100 * 86_400_000));
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Kubernetes-style random-looking suffix, deterministic so tests can name Pods. */
export function suffix(seed: string, length = 5): string {
  const digest = createHash('sha256').update(seed).digest();
  return Array.from(digest.subarray(0, length), (b) => NAME_ALPHABET[b % NAME_ALPHABET.length]).join('');
}

/** Upstream manifests (build/yamls/antrea.yml) whose antrea-config ConfigMap seeds a release's cluster. */
const MANIFESTS: Array<[string, string]> = [
  ['v1.9.0', 'antrea-config-v1.9.0.yml'],
  ['v1.11.0', 'antrea-config-v1.11.0.yml'],
  ['v1.12.0', 'antrea-config-v1.12.0.yml'],
  ['v2.7.0', 'antrea-config-v2.7.0.yml'],
];

function manifestFor(release: Release): string {
  let chosen = MANIFESTS[0][1];
  for (const [r, file] of MANIFESTS) if (compareRelease(parseRelease(r)!, release) <= 0) chosen = file;
  return chosen;
}

/**
 * Sets `section.key` or `key` values in a commented conf by editing lines, so every comment stays
 * where the upstream manifest has it (the simulator's own set-up, not mcastctl's editor).
 */
export function setConfKeys(conf: string, keys: Record<string, unknown>): string {
  const lines = conf.split('\n');
  for (const [dotted, value] of Object.entries(keys)) {
    const [section, key] = dotted.includes('.') ? dotted.split('.', 2) : [undefined, dotted];
    const rendered = typeof value === 'string' || typeof value === 'object' ? JSON.stringify(value) : String(value);
    if (!section) {
      const at = lines.findIndex((l) => l.startsWith(`${key}:`));
      if (at >= 0) lines[at] = `${key}: ${rendered}`;
      else lines.push(`${key}: ${rendered}`);
      continue;
    }
    const head = lines.findIndex((l) => l === `${section}:` || l.startsWith(`${section}: `));
    if (head < 0) {
      lines.push(`${section}:`, `  ${key}: ${rendered}`);
      continue;
    }
    lines[head] = `${section}:`;
    let end = head + 1;
    while (end < lines.length && (lines[end] === '' || /^[\s#]/.test(lines[end]))) end++;
    const existing = lines.slice(head + 1, end).findIndex((l) => new RegExp(`^\\s+${key}:`).test(l));
    if (existing >= 0) {
      const index = head + 1 + existing;
      lines[index] = lines[index].replace(/^(\s+[^:]+:).*$/, `$1 ${rendered}`);
    } else {
      lines.splice(head + 1, 0, `  ${key}: ${rendered}`);
    }
  }
  return lines.join('\n');
}

/** A Node's own state: its scenario, OS, kernel settings and the counters the kubelet keeps. */
export interface NodeState {
  spec: ScenarioNode;
  os: 'linux' | 'windows';
  sysctl: { igmpMaxMemberships: number };
  agentPodsStarted: number;
  firstAgentStartedAt?: number;
  podsCreated: number;
  podIPs: number;
}

/** The agent of one Node, as tests and the agent API see it: always its current agent Pod. */
export class AgentView {
  constructor(
    private readonly cluster: SimCluster,
    readonly node: ScenarioNode,
  ) {}

  private get container(): ContainerRuntime | undefined {
    return this.cluster.agentContainer(this.node.name)?.container;
  }

  get podName(): string {
    return this.cluster.agentPod(this.node.name)?.metadata.name ?? '';
  }

  /** The Node's kernel sysctls (the agent Pod is hostNetwork). */
  get sysctl(): { igmpMaxMemberships: number } {
    return this.cluster.nodeState(this.node.name)!.sysctl;
  }

  get process(): AgentProcess | undefined {
    return this.container?.agent;
  }

  get release(): Release {
    return this.container?.description.release ?? this.cluster.release;
  }

  get ready(): boolean {
    const pod = this.cluster.agentPod(this.node.name);
    return (pod?.status?.conditions ?? []).some((c: Json) => c.type === 'Ready' && c.status === 'True');
  }

  get restarts(): number {
    return this.container?.restartCount ?? 0;
  }

  get startedConf(): string {
    return this.process?.startedConf ?? '';
  }

  get apiPort(): number | undefined {
    return this.process?.apiPort ?? this.cluster.agentApiPorts.get(this.node.name);
  }

  set apiPort(port: number | undefined) {
    if (port === undefined) this.cluster.agentApiPorts.delete(this.node.name);
    else this.cluster.agentApiPorts.set(this.node.name, port);
  }
}

export class SimCluster {
  readonly store = new Store();
  readonly release: Release;
  readonly profile: ReleaseProfile;
  readonly faults: Faults;
  readonly kubelet: Kubelet;
  readonly dataplane: Dataplane;
  readonly daemonSetController: DaemonSetController;
  readonly deploymentController: DeploymentController;
  readonly startedAt = Date.now();
  private readonly nodeStates = new Map<string, NodeState>();
  /** Agent views by Node name (Linux and Windows Nodes). */
  readonly agents = new Map<string, AgentView>();
  /** Agent API ports by Node, when the simulator serves agent APIs. */
  readonly agentApiPorts = new Map<string, number>();
  /** The CA of the agents' API certificates, published as AntreaAgentInfo.apiCABundle. */
  agentApiCaPem?: string;
  /** ServiceAccount tokens issued by TokenRequest: token → "namespace/name". */
  readonly issuedTokens = new Map<string, string>();
  /** Every request the API server answered, for tests that assert what a client did. */
  readonly requestLog: Array<{ method: string; path: string; status: number }> = [];

  constructor(readonly scenario: Scenario) {
    const release = parseRelease(scenario.antreaVersion);
    if (!release) throw new Error(`scenario: antreaVersion "${scenario.antreaVersion}" is not a version`);
    this.release = release;
    this.profile = profileFor(release);
    this.faults = new Faults(scenario.faults);
    this.kubelet = new Kubelet(this);
    this.dataplane = new Dataplane(this);
    this.daemonSetController = new DaemonSetController(this);
    this.deploymentController = new DeploymentController(this);
    this.store.watch((event) => this.react(event.type, event.resource, event.object));
    this.seed();
  }

  /** While the scenario is seeded, objects are as old as the cluster; afterwards, new. */
  private seeding = true;

  /** The creationTimestamp of an object created now. */
  now(): string {
    return this.seeding ? CREATED : timestamp();
  }

  private seed(): void {
    this.seedObjects();
    this.seeding = false;
  }

  private seedObjects(): void {
    const { scenario, store } = this;
    const nodes = [...scenario.nodes];
    if (scenario.generatedNodes) {
      const g = scenario.generatedNodes;
      for (let i = 1; i <= g.count; i++) nodes.push({ ...g.template, name: `${g.prefix}${String(i).padStart(4, '0')}` });
    }
    for (const ns of ['default', 'kube-system', 'kube-public', ...(scenario.namespaces ?? []), ...(scenario.workloads ?? []).map((w) => w.namespace), ...(scenario.tkgs?.antreaConfigs ?? []).map((o) => String(o.metadata?.namespace))]) {
      if (!store.get('namespaces', undefined, ns)) this.createNamespace(ns, CREATED);
    }
    // Nodes first, without controllers acting: the DaemonSets are created after.
    for (const n of nodes) {
      const os = n.os ?? 'linux';
      this.nodeStates.set(n.name, { spec: n, os, sysctl: { igmpMaxMemberships: n.kernel?.igmpMaxMemberships ?? 20 }, agentPodsStarted: 0, podsCreated: 0, podIPs: 0 });
      this.agents.set(n.name, new AgentView(this, n));
      store.create('nodes', nodeObject(n, CREATED));
    }
    const manifest = parse(readFileSync(join(FIXTURE_DIR, scenario.config?.manifest ?? manifestFor(this.release)), 'utf8')) as Json;
    const data = { ...(manifest.data as Record<string, string>) };
    if (scenario.config?.agent) data['antrea-agent.conf'] = setConfKeys(data['antrea-agent.conf'], scenario.config.agent);
    if (scenario.config?.controller) data['antrea-controller.conf'] = setConfKeys(data['antrea-controller.conf'], scenario.config.controller);
    store.create('configmaps', {
      apiVersion: 'v1', kind: 'ConfigMap',
      metadata: { ...manifest.metadata, labels: { ...manifest.metadata.labels, ...scenario.tkgs?.configMapLabels }, uid: suffix('cm', 8), creationTimestamp: CREATED },
      data,
    });
    for (const object of scenario.tkgs?.antreaConfigs ?? []) {
      const o = structuredClone(object) as Json;
      o.metadata = { ...o.metadata, uid: suffix(`ac/${o.metadata.name}`, 8) };
      store.create('antreaconfigs', o);
    }
    const windows = nodes.some((n) => n.os === 'windows');
    if (windows) {
      // build/yamls/antrea-windows.yml: ConfigMap antrea-windows-config with its own antrea-agent.conf.
      store.create('configmaps', {
        apiVersion: 'v1', kind: 'ConfigMap',
        metadata: { name: 'antrea-windows-config', namespace: ANTREA_NAMESPACE, labels: { app: 'antrea' }, creationTimestamp: CREATED },
        data: { 'antrea-agent.conf': setConfKeys('featureGates:\n', scenario.config?.windowsAgent ?? {}) },
      });
    }
    for (const w of scenario.workloads ?? []) {
      const key = `${w.namespace}/${w.name}`;
      this.dataplane.counters.set(key, { inbound: BigInt(w.inbound ?? 0), outbound: BigInt(w.outbound ?? 0), inboundRate: w.inboundRate ?? 0, outboundRate: w.outboundRate ?? 0 });
      for (const g of w.groups ?? []) this.dataplane.join(w.namespace, w.name, g);
      for (const g of w.sends ?? []) this.dataplane.startSending(w.namespace, w.name, g, w.sendRate ?? 100, w.packetBytes ?? 1368, this.startedAt);
    }
    const agentImage = `antrea/antrea-agent-ubuntu:${scenario.antreaVersion}`;
    const labels = (component: string) => ({ app: 'antrea', component });
    const daemonSet = (name: string, os: string, image: string, containers: string[]) => ({
      apiVersion: 'apps/v1', kind: 'DaemonSet',
      metadata: { name, namespace: ANTREA_NAMESPACE, uid: suffix(`ds/${name}`, 8), generation: 1, labels: labels('antrea-agent'), creationTimestamp: CREATED },
      spec: {
        selector: { matchLabels: labels('antrea-agent') },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: labels('antrea-agent'), annotations: { 'kubectl.kubernetes.io/default-container': 'antrea-agent' } },
          spec: { hostNetwork: true, nodeSelector: { 'kubernetes.io/os': os }, serviceAccountName: 'antrea-agent', containers: containers.map((c) => ({ name: c, image })) },
        },
      },
      status: {},
    });
    store.create('daemonsets', daemonSet('antrea-agent', 'linux', agentImage, ['antrea-agent', 'antrea-ovs']));
    if (windows) store.create('daemonsets', daemonSet('antrea-agent-windows', 'windows', `antrea/antrea-windows:${scenario.antreaVersion}`, ['antrea-agent']));
    store.create('deployments', {
      apiVersion: 'apps/v1', kind: 'Deployment',
      metadata: { name: 'antrea-controller', namespace: ANTREA_NAMESPACE, uid: suffix('deploy', 8), generation: 1, labels: labels('antrea-controller'), creationTimestamp: CREATED },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels('antrea-controller') },
        template: {
          metadata: { labels: labels('antrea-controller') },
          spec: { hostNetwork: true, nodeSelector: { 'kubernetes.io/os': 'linux' }, serviceAccountName: 'antrea-controller', containers: [{ name: 'antrea-controller', image: `antrea/antrea-controller-ubuntu:${scenario.antreaVersion}` }] },
        },
      },
      status: {},
    });
    for (const w of scenario.workloads ?? []) {
      const node = this.nodeStates.has(w.node) ? w.node : nodes[0].name;
      const app = w.name.replace(/-\d+$/, '');
      this.createPod({
        apiVersion: 'v1', kind: 'Pod',
        metadata: { name: w.name, namespace: w.namespace, labels: { app }, creationTimestamp: CREATED },
        spec: { nodeName: node, containers: [{ name: app, image: w.image ?? 'busybox:1.36' }] },
        status: { phase: 'Pending', podIP: w.ip ?? '' },
      });
    }
  }

  /** What controllers do when the store changes. */
  private react(type: string, resource: string, object: Json): void {
    if (resource === 'pods') {
      if (type === 'ADDED' && object.spec?.nodeName && !this.kubelet.runtime(object.metadata.namespace, object.metadata.name)) {
        this.kubelet.run(object);
        if (this.dataplane.memberships.has(`${object.metadata.namespace}/${object.metadata.name}`)) this.dataplane.syncNode(object.spec.nodeName);
      }
      if (type === 'DELETED') {
        this.kubelet.stop(object.metadata.namespace, object.metadata.name);
        this.dataplane.forget(object.metadata.namespace, object.metadata.name);
      }
      if (object.metadata.ownerReferences?.some((r: Json) => r.kind === 'DaemonSet')) this.daemonSetController.sync();
      if (object.metadata.ownerReferences?.some((r: Json) => r.kind === 'ReplicaSet')) this.deploymentController.sync();
    } else if (resource === 'daemonsets' || resource === 'nodes') {
      this.daemonSetController.sync();
      if (resource === 'nodes') this.deploymentController.sync();
    } else if (resource === 'deployments') {
      this.deploymentController.sync();
    }
  }

  // ---- objects --------------------------------------------------------------------------------

  get configMaps(): Map<string, Json> {
    return this.store.resource('configmaps');
  }

  get daemonSets(): Map<string, Json> {
    return this.store.resource('daemonsets');
  }

  get deployments(): Map<string, Json> {
    return this.store.resource('deployments');
  }

  /** cni.tanzu.vmware.com/v1alpha1 AntreaConfigs (the TKGs Supervisor's view), by namespace/name. */
  get antreaConfigs(): Map<string, Json> {
    return this.store.resource('antreaconfigs');
  }

  get antreaConfig(): Json {
    return this.store.get('configmaps', ANTREA_NAMESPACE, 'antrea-config')!;
  }

  /** A key of a ConfigMap in kube-system; '' when absent. */
  configMapText(name: string, key: string): string {
    return (this.store.get('configmaps', ANTREA_NAMESPACE, name)?.data?.[key] as string | undefined) ?? '';
  }

  nextRv(): string {
    return this.store.nextRv();
  }

  /** Whether the image can be pulled: one the simulator knows, or one a scenario workload runs. */
  imageExists(image: string): boolean {
    return isKnownImage(image) || (this.scenario.workloads ?? []).some((w) => w.image === image);
  }

  nodeState(node: string): NodeState | undefined {
    return this.nodeStates.get(node);
  }

  nodeNames(): string[] {
    return [...this.nodeStates.keys()];
  }

  /** A Pod name for a controller's Pod on a Node (deterministic: the n-th Pod of that owner there). */
  podNameFor(owner: string, seed: string, deployment = false): string {
    // <deployment>-<pod-template-hash of the template generation>-<5 chars>.
    if (deployment) return `${owner}-${suffix(`rs/${seed.split('/').slice(0, -1).join('/')}`, 10)}-${suffix(seed)}`;
    const state = this.nodeStates.get(seed);
    const n = state ? ++state.podsCreated : 1;
    return `${owner}-${suffix(owner === 'antrea-agent' ? `${seed}/${n}` : `${owner}/${seed}/${n}`)}`;
  }

  /** The Node a Deployment's next Pod is scheduled on: the first Linux Node. */
  nodeForDeployment(): string | undefined {
    return [...this.nodeStates.values()].find((s) => s.os === 'linux')?.spec.name;
  }

  allocatePodIP(node: string): string {
    const state = this.nodeStates.get(node);
    if (!state) return '';
    const cidr = state.spec.podCIDR ?? `10.244.${[...this.nodeStates.keys()].indexOf(node)}.0/24`;
    const base = cidr.split('/')[0].split('.').map(Number);
    return `${base[0]}.${base[1]}.${base[2]}.${10 + ++state.podIPs}`;
  }

  /** A Namespace with the client's labels; the API server adds kubernetes.io/metadata.name. */
  createNamespace(name: string, created = timestamp(), labels: Record<string, string> = {}): Json {
    return this.store.create('namespaces', {
      apiVersion: 'v1', kind: 'Namespace',
      metadata: { name, labels: { ...labels, 'kubernetes.io/metadata.name': name }, creationTimestamp: created },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  }

  /** Stores a Pod (a client's or a controller's); the kubelet of its Node starts it. */
  createPod(pod: Json): Json {
    return this.store.create('pods', pod);
  }

  deletePod(pod: Json): void {
    if (this.store.get('pods', pod.metadata.namespace, pod.metadata.name)) this.store.delete('pods', pod.metadata.namespace, pod.metadata.name);
  }

  /** Deletes a Namespace and everything in it (the namespace controller's cascading deletion). */
  deleteNamespace(name: string): Json {
    const ns = this.store.get('namespaces', undefined, name);
    for (const resource of ['pods', 'configmaps', 'daemonsets', 'deployments', 'antreaconfigs']) {
      for (const o of this.store.list(resource, name)) this.store.delete(resource, name, o.metadata.name);
    }
    const deleted = this.store.delete('namespaces', undefined, name);
    return { ...deleted, status: { phase: 'Terminating' }, metadata: { ...ns?.metadata, ...deleted.metadata, deletionTimestamp: timestamp() } };
  }

  /** Deletes a Node and its Pods (a Node removed mid-run). */
  deleteNode(name: string): void {
    if (!this.store.get('nodes', undefined, name)) return;
    for (const pod of this.store.list('pods').filter((p) => p.spec.nodeName === name)) this.deletePod(pod);
    this.store.delete('nodes', undefined, name);
    this.nodeStates.delete(name);
    this.agents.delete(name);
  }

  // ---- rollouts -------------------------------------------------------------------------------

  /** `kubectl rollout restart`: a new template annotation; the controllers replace the Pods. */
  rolloutRestart(resource: 'daemonsets' | 'deployments', name: string): void {
    this.store.mutate(resource, ANTREA_NAMESPACE, name, (o) => {
      o.spec.template.metadata ??= {};
      o.spec.template.metadata.annotations = { ...o.spec.template.metadata.annotations, 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() };
      o.metadata.generation = (o.metadata.generation ?? 1) + 1;
    });
  }

  /** Restarts every agent (a rollout restart of antrea-agent). */
  restartAgents(): void {
    this.rolloutRestart('daemonsets', 'antrea-agent');
  }

  // ---- agents and the controller --------------------------------------------------------------

  /** The agent Pod of a Node (Linux or Windows), newest first if two exist mid-rollout. */
  agentPod(node: string): Json | undefined {
    // One index per store generation: each exec looks its agent up, at thousands of Nodes.
    if (this.agentPodIndex?.at !== this.store.generation) {
      const byNode = new Map<string, Json>();
      for (const p of this.store.list('pods', ANTREA_NAMESPACE)) {
        if (p.metadata.labels?.component !== 'antrea-agent' || p.metadata.labels?.app !== 'antrea') continue;
        const seen = byNode.get(p.spec.nodeName);
        if (!seen || Number(p.metadata.resourceVersion) > Number(seen.metadata.resourceVersion)) byNode.set(p.spec.nodeName, p);
      }
      this.agentPodIndex = { at: this.store.generation, byNode };
    }
    return this.agentPodIndex.byNode.get(node);
  }

  private agentPodIndex: { at: number; byNode: Map<string, Json> } | undefined;

  agentContainer(node: string): { runtime: PodRuntime; container: ContainerRuntime } | undefined {
    const pod = this.agentPod(node);
    const runtime = pod && this.kubelet.runtime(pod.metadata.namespace, pod.metadata.name);
    const container = runtime?.containers.find((c) => c.name === AGENT_CONTAINER);
    return runtime && container ? { runtime, container } : undefined;
  }

  /** The running agent process of a Node, if its agent container runs. */
  agentProcess(node: string): AgentProcess | undefined {
    return this.agentContainer(node)?.container.agent;
  }

  /** The agent that ran on a Node before the Pod `except` (for a restart that keeps the old config). */
  previousAgentOnNode(node: string, except: string): AgentProcess | undefined {
    for (const runtime of this.kubelet.pods.values()) {
      if (runtime.node !== node || runtime.name === except) continue;
      const agent = runtime.containers.find((c) => c.name === AGENT_CONTAINER)?.agent;
      if (agent) return agent;
    }
    return this.lastAgents.get(node);
  }

  /** Each Node's last agent process, kept when its Pod is deleted. */
  readonly lastAgents = new Map<string, AgentProcess>();

  findAgentByPod(podName: string): AgentView | undefined {
    for (const agent of this.agents.values()) if (agent.podName === podName) return agent;
    return undefined;
  }

  /** The antrea-controller Pod and its container runtime. */
  get controller(): { podName: string; startedConf: string; ready: boolean } {
    const pod = this.store.list('pods', ANTREA_NAMESPACE).find((p) => p.metadata.labels?.component === 'antrea-controller');
    const runtime = pod && this.kubelet.runtime(ANTREA_NAMESPACE, pod.metadata.name);
    return { podName: pod?.metadata.name ?? '', startedConf: runtime?.containers[0]?.controllerConf ?? '', ready: pod !== undefined };
  }

  /** `antctl get featuregates` in the controller: sections computed from the ConfigMaps (see antrea/featuregates.ts). */
  controllerGateSections() {
    // handler.go (v1.14.0 … v2.7.0): the app=antrea ConfigMaps named antrea-windows-config*, newest first.
    const windowsConfigMaps = this.store
      .list('configmaps', ANTREA_NAMESPACE)
      .filter((cm) => cm.metadata.labels?.app === 'antrea' && String(cm.metadata.name).startsWith('antrea-windows-config'))
      .sort((a, b) => String(b.metadata.creationTimestamp ?? '').localeCompare(String(a.metadata.creationTimestamp ?? '')));
    const windowsAgentConf = windowsConfigMaps.length > 0 ? ((windowsConfigMaps[0].data?.['antrea-agent.conf'] as string | undefined) ?? '') : undefined;
    return controllerGateRows(
      this.profile,
      { agentConf: this.configMapText('antrea-config', 'antrea-agent.conf'), controllerConf: this.configMapText('antrea-config', 'antrea-controller.conf'), windowsAgentConf },
      this.controller.startedConf,
    );
  }

  /** AntreaAgentInfo of a Node's agent (crd.antrea.io/v1beta1). */
  agentInfo(view: AgentView): Json {
    return {
      apiVersion: 'crd.antrea.io/v1beta1', kind: 'AntreaAgentInfo',
      metadata: { name: view.node.name, resourceVersion: this.store.currentRv(), uid: suffix(`aai/${view.node.name}`, 12), creationTimestamp: CREATED },
      version: releaseTag(view.release),
      podRef: { kind: 'Pod', name: view.podName, namespace: ANTREA_NAMESPACE },
      nodeRef: { kind: 'Node', name: view.node.name },
      apiPort: view.apiPort ?? 10350,
      ...(this.agentApiCaPem && compareRelease(view.release, { major: 1, minor: 13, patch: 0 }) >= 0 ? { apiCABundle: Buffer.from(this.agentApiCaPem).toString('base64') } : {}),
      localPodNum: this.store.list('pods').filter((p) => p.spec.nodeName === view.node.name && !p.spec.hostNetwork).length,
      networkInfo: { transportInterface: view.node.kernel?.transportInterface ?? 'eth0', transportInterfaceIPs: [view.node.internalIP ?? ''] },
      agentConditions: [{ type: 'AgentHealthy', status: view.ready ? 'True' : 'False', lastHeartbeatTime: timestamp() }],
    };
  }

  /** Runs argv in a container of a Pod (init containers, `sh -c`): the image's programs only. */
  runInContainer(runtime: PodRuntime, container: { name: string; image: string }, argv: string[]): ShellResult | Promise<ShellResult> {
    return runProgram({ cluster: this, runtime, containerName: container.name, image: container.image }, argv);
  }

  stop(): void {
    this.kubelet.stopAll();
  }
}

function nodeObject(n: ScenarioNode, created: string): Json {
  const os = n.os ?? 'linux';
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name: n.name, labels: { 'kubernetes.io/hostname': n.name, 'kubernetes.io/os': os, 'kubernetes.io/arch': 'amd64', ...n.labels }, creationTimestamp: created },
    spec: { podCIDR: n.podCIDR ?? '' },
    status: {
      addresses: [
        ...(n.internalIP ? [{ type: 'InternalIP', address: n.internalIP }] : []),
        ...(n.internalIPv6 ? [{ type: 'InternalIP', address: n.internalIPv6 }] : []),
        { type: 'Hostname', address: n.name },
      ],
      conditions: [{ type: 'Ready', status: 'True' }],
      nodeInfo: {
        kernelVersion: n.kernelVersion ?? (os === 'windows' ? '10.0.20348.2227' : '5.15.0-91-generic'), osImage: n.osImage ?? (os === 'windows' ? 'Windows Server 2022 Datacenter' : 'Ubuntu 22.04.3 LTS'),
        operatingSystem: os, architecture: 'amd64', containerRuntimeVersion: 'containerd://1.7.13', kubeletVersion: 'v1.32.5',
      },
    },
  };
}
