import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { atLeast, catalogueFor, compareRelease, parseRelease, type Catalogue, type ReleaseVersion } from '../../src/antrea/featuregate-catalogue.js';
import { renderFeatureGates, type GateRow, type MulticastResponse } from './antctl-output.js';
import type { IgmpDevice, MrouteEntry, Vif } from './kernel-output.js';
import { FIXTURE_DIR, type Fault, type Scenario, type ScenarioNode, type ScenarioWorkload } from './scenario.js';

export type Json = Record<string, any>;

export const ANTREA_NAMESPACE = 'kube-system';
const CREATED = new Date(Date.now() - 100 * 86_400_000).toISOString().replace(/\.\d+Z$/, 'Z');
const NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Kubernetes-style random-looking suffix, deterministic so test expectations can name Pods. */
function suffix(seed: string, length = 5): string {
  const digest = createHash('sha256').update(seed).digest();
  return Array.from(digest.subarray(0, length), (b) => NAME_ALPHABET[b % NAME_ALPHABET.length]).join('');
}

const MANIFESTS: Array<[string, string]> = [
  ['v1.9.0', 'antrea-config-v1.9.0.yml'],
  ['v1.11.0', 'antrea-config-v1.11.0.yml'],
  ['v1.12.0', 'antrea-config-v1.12.0.yml'],
  ['v2.7.0', 'antrea-config-v2.7.0.yml'],
];

function manifestFor(release: ReleaseVersion): string {
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

interface ParsedConf {
  featureGates: Record<string, boolean>;
  multicastEnable: boolean;
}

const parsedConfs = new Map<string, ParsedConf>();

/** Confs are 30 KB of commented YAML and every exec asks: parse each distinct text once. */
function readConf(conf: string): ParsedConf {
  let known = parsedConfs.get(conf);
  if (!known) {
    const parsed = (parse(conf) ?? {}) as Json;
    known = { featureGates: (parsed.featureGates ?? {}) as Record<string, boolean>, multicastEnable: parsed.multicast?.enable === true };
    parsedConfs.set(conf, known);
  }
  return known;
}

export interface AgentRuntime {
  node: ScenarioNode;
  podName: string;
  generation: number;
  /** The antrea-agent.conf this agent process started with (subPath mounts never refresh). */
  startedConf: string;
  gateOverrides: Record<string, boolean>;
  ready: boolean;
  restarts: number;
  release: ReleaseVersion;
  sysctl: { igmpMaxMemberships: number };
  /** When the agent last restarted: OVS flows, and so the Pods' counters, start again from 0. */
  countersResetAt?: number;
  /** The port its API listens on, when the simulator serves agent APIs. */
  apiPort?: number;
}

export class SimCluster {
  readonly release: ReleaseVersion;
  readonly catalogue: Catalogue;
  private rv = 1000;
  readonly configMaps = new Map<string, Json>();
  readonly daemonSets = new Map<string, Json>();
  readonly deployments = new Map<string, Json>();
  /** cni.tanzu.vmware.com/v1alpha1 AntreaConfigs (the TKGs Supervisor's view), by namespace/name. */
  readonly antreaConfigs = new Map<string, Json>();
  readonly agents = new Map<string, AgentRuntime>();
  readonly nodes: ScenarioNode[];
  readonly workloads: ScenarioWorkload[];
  readonly faults: Array<Fault & { used: number }>;
  readonly namespaces: Set<string>;
  controller: { podName: string; generation: number; startedConf: string; ready: boolean };
  readonly startedAt = Date.now();
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
    this.catalogue = catalogueFor(release);
    this.nodes = [...scenario.nodes];
    const generated = scenario.generatedNodes;
    if (generated) {
      for (let i = 1; i <= generated.count; i++) {
        this.nodes.push({ ...generated.template, name: `${generated.prefix}${String(i).padStart(4, '0')}` });
      }
    }
    this.workloads = scenario.workloads ?? [];
    this.faults = (scenario.faults ?? []).map((f) => ({ ...f, used: 0 }));
    this.namespaces = new Set(['default', 'kube-system', 'kube-public', ...this.workloads.map((w) => w.namespace)]);

    const manifest = parse(readFileSync(join(FIXTURE_DIR, scenario.config?.manifest ?? manifestFor(release)), 'utf8')) as Json;
    const data = { ...(manifest.data as Record<string, string>) };
    if (scenario.config?.agent) data['antrea-agent.conf'] = setConfKeys(data['antrea-agent.conf'], scenario.config.agent);
    if (scenario.config?.controller) data['antrea-controller.conf'] = setConfKeys(data['antrea-controller.conf'], scenario.config.controller);
    const labels = { ...manifest.metadata.labels, ...scenario.tkgs?.configMapLabels };
    this.configMaps.set(`${ANTREA_NAMESPACE}/antrea-config`, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { ...manifest.metadata, labels, uid: suffix('cm', 8), creationTimestamp: CREATED, resourceVersion: this.nextRv() },
      data,
    });
    for (const object of scenario.tkgs?.antreaConfigs ?? []) {
      const o = structuredClone(object) as Json;
      o.metadata = { ...o.metadata, resourceVersion: this.nextRv(), uid: suffix(`ac/${o.metadata.name}`, 8) };
      this.antreaConfigs.set(`${o.metadata.namespace}/${o.metadata.name}`, o);
    }
    const image = (component: string) => `antrea/${component}-ubuntu:${scenario.antreaVersion}`;
    this.daemonSets.set(`${ANTREA_NAMESPACE}/antrea-agent`, {
      apiVersion: 'apps/v1',
      kind: 'DaemonSet',
      metadata: { name: 'antrea-agent', namespace: ANTREA_NAMESPACE, uid: suffix('ds', 8), generation: 1, labels: { app: 'antrea', component: 'antrea-agent' }, creationTimestamp: CREATED, resourceVersion: this.nextRv() },
      spec: {
        selector: { matchLabels: { app: 'antrea', component: 'antrea-agent' } },
        updateStrategy: { type: 'RollingUpdate' },
        template: {
          metadata: { labels: { app: 'antrea', component: 'antrea-agent' }, annotations: { 'kubectl.kubernetes.io/default-container': 'antrea-agent' } },
          spec: { hostNetwork: true, containers: [{ name: 'antrea-agent', image: image('antrea-agent') }, { name: 'antrea-ovs', image: image('antrea-agent') }] },
        },
      },
      status: {},
    });
    this.deployments.set(`${ANTREA_NAMESPACE}/antrea-controller`, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'antrea-controller', namespace: ANTREA_NAMESPACE, uid: suffix('deploy', 8), generation: 1, labels: { app: 'antrea', component: 'antrea-controller' }, creationTimestamp: CREATED, resourceVersion: this.nextRv() },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: { app: 'antrea', component: 'antrea-controller' } },
        template: {
          metadata: { labels: { app: 'antrea', component: 'antrea-controller' } },
          spec: { hostNetwork: true, containers: [{ name: 'antrea-controller', image: image('antrea-controller') }] },
        },
      },
      status: {},
    });
    for (const node of this.nodes.filter((n) => (n.os ?? 'linux') === 'linux')) {
      this.agents.set(node.name, {
        node,
        podName: `antrea-agent-${suffix(`${node.name}/1`)}`,
        generation: 1,
        startedConf: data['antrea-agent.conf'],
        gateOverrides: node.agent?.featureGates ?? {},
        ready: node.agent?.ready ?? true,
        restarts: node.agent?.restarts ?? 0,
        release: parseRelease(node.agent?.version ?? scenario.antreaVersion) ?? release,
        sysctl: { igmpMaxMemberships: node.kernel?.igmpMaxMemberships ?? 20 },
      });
    }
    this.controller = { podName: `antrea-controller-${suffix('rs', 10)}-${suffix('controller/1')}`, generation: 1, startedConf: data['antrea-controller.conf'], ready: true };
    this.refreshWorkloadStatus();
  }

  nextRv(): string {
    return String(++this.rv);
  }

  nextRvPeek(): number {
    return this.rv;
  }

  get antreaConfig(): Json {
    return this.configMaps.get(`${ANTREA_NAMESPACE}/antrea-config`)!;
  }

  // ---- faults -------------------------------------------------------------------------------

  /** The first fault of this kind that applies, counted as used. */
  takeFault(kinds: Fault['kind'][], where: { node?: string; path?: string; method?: string }): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        kinds.includes(f.kind) &&
        (f.times === undefined || f.used < f.times) &&
        (f.node === undefined || f.node === where.node) &&
        (f.path === undefined || (where.path !== undefined && new RegExp(f.path).test(where.path))) &&
        (f.method === undefined || f.method === where.method),
    );
    if (fault) (fault as Fault & { used: number }).used++;
    return fault;
  }

  agentReady(agent: AgentRuntime): boolean {
    return agent.ready && !this.faults.some((f) => f.kind === 'agent-not-ready' && f.node === agent.node.name);
  }

  // ---- Pods -------------------------------------------------------------------------------------

  private podObject(args: {
    name: string; namespace: string; node: ScenarioNode; labels: Record<string, string>; containers: string[]; image: string;
    ready: boolean; restarts: number; ip: string; hostNetwork: boolean; annotations?: Record<string, string>; created?: string;
  }): Json {
    const started = args.created ?? CREATED;
    return {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: args.name, namespace: args.namespace, uid: suffix(`uid/${args.namespace}/${args.name}`, 12), labels: args.labels,
        annotations: args.annotations ?? {}, creationTimestamp: started, resourceVersion: String(this.rv),
      },
      spec: { nodeName: args.node.name, hostNetwork: args.hostNetwork, containers: args.containers.map((c) => ({ name: c, image: args.image })) },
      status: {
        phase: 'Running',
        hostIP: args.node.internalIP ?? '',
        podIP: args.ip,
        startTime: started,
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: args.ready ? 'True' : 'False' },
          { type: 'ContainersReady', status: args.ready ? 'True' : 'False' },
          { type: 'PodScheduled', status: 'True' },
        ],
        containerStatuses: args.containers.map((c) => ({
          name: c, ready: args.ready, restartCount: args.restarts, image: args.image,
          state: args.ready ? { running: { startedAt: started } } : { waiting: { reason: 'CrashLoopBackOff' } },
        })),
      },
    };
  }

  private agentRestartedAt = new Map<string, string>();

  pods(): Json[] {
    const list: Json[] = [];
    for (const agent of this.agents.values()) list.push(this.agentPod(agent));
    list.push(this.controllerPod());
    for (const w of this.workloads) list.push(this.workloadPod(w));
    return list.sort((a, b) => `${a.metadata.namespace}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace}/${b.metadata.name}`));
  }

  /** One Pod by name, without building every Pod of a large cluster. */
  findPod(namespace: string, name: string): Json | undefined {
    const agent = this.findAgentByPod(name);
    if (agent) return namespace === ANTREA_NAMESPACE ? this.agentPod(agent) : undefined;
    if (namespace === ANTREA_NAMESPACE && name === this.controller.podName) return this.controllerPod();
    const workload = this.workloads.find((w) => w.namespace === namespace && w.name === name);
    return workload ? this.workloadPod(workload) : undefined;
  }

  private agentPod(agent: AgentRuntime): Json {
    return this.podObject({
          name: agent.podName, namespace: ANTREA_NAMESPACE, node: agent.node,
          labels: { app: 'antrea', component: 'antrea-agent', 'pod-template-generation': String(agent.generation) },
          containers: ['antrea-agent', 'antrea-ovs'], image: `antrea/antrea-agent-ubuntu:v${agent.release.major}.${agent.release.minor}.${agent.release.patch}`,
          ready: this.agentReady(agent), restarts: agent.restarts, ip: agent.node.internalIP ?? '', hostNetwork: true,
          annotations: { 'kubectl.kubernetes.io/default-container': 'antrea-agent' }, created: this.agentRestartedAt.get(agent.node.name),
        });
  }

  private controllerPod(): Json {
    const controllerNode = this.nodes[0];
    return this.podObject({
      name: this.controller.podName, namespace: ANTREA_NAMESPACE, node: controllerNode,
      labels: { app: 'antrea', component: 'antrea-controller' }, containers: ['antrea-controller'],
      image: `antrea/antrea-controller-ubuntu:${this.scenario.antreaVersion}`, ready: this.controller.ready, restarts: 0,
      ip: controllerNode.internalIP ?? '', hostNetwork: true,
    });
  }

  private workloadPod(w: ScenarioWorkload): Json {
    const node = this.agents.get(w.node)?.node ?? this.nodes.find((n) => n.name === w.node) ?? this.nodes[0];
    const app = w.name.replace(/-\d+$/, '');
    return this.podObject({ name: w.name, namespace: w.namespace, node, labels: { app }, containers: [app], image: 'busybox', ready: true, restarts: 0, ip: w.ip ?? '', hostNetwork: false });
  }

  findAgentByPod(podName: string): AgentRuntime | undefined {
    for (const agent of this.agents.values()) if (agent.podName === podName) return agent;
    return undefined;
  }


  // ---- restarts -------------------------------------------------------------------------------

  /** A rollout restart of the DaemonSet: every agent gets a new Pod that reads the current ConfigMap. */
  restartAgents(): void {
    const conf = this.antreaConfig.data['antrea-agent.conf'] as string;
    const startMs = this.scenario.agentStartMs ?? 0;
    for (const agent of this.agents.values()) {
      agent.generation++;
      agent.podName = `antrea-agent-${suffix(`${agent.node.name}/${agent.generation}`)}`;
      if (!this.takeFault(['stale-config'], { node: agent.node.name })) {
        agent.startedConf = conf;
        agent.gateOverrides = {};
      }
      agent.restarts = 0;
      agent.ready = startMs === 0;
      agent.countersResetAt = Date.now();
      this.agentRestartedAt.set(agent.node.name, new Date().toISOString().replace(/\.\d+Z$/, 'Z'));
      if (startMs > 0) setTimeout(() => { agent.ready = true; this.refreshWorkloadStatus(); }, startMs).unref();
    }
    this.refreshWorkloadStatus();
  }

  restartController(): void {
    this.controller.generation++;
    this.controller.podName = `antrea-controller-${suffix('rs', 10)}-${suffix(`controller/${this.controller.generation}`)}`;
    this.controller.startedConf = this.antreaConfig.data['antrea-controller.conf'] as string;
  }

  refreshWorkloadStatus(): void {
    const ds = this.daemonSets.get(`${ANTREA_NAMESPACE}/antrea-agent`)!;
    const agents = [...this.agents.values()];
    const ready = agents.filter((a) => this.agentReady(a)).length;
    ds.status = {
      currentNumberScheduled: agents.length, desiredNumberScheduled: agents.length, numberAvailable: ready, numberReady: ready,
      numberMisscheduled: 0, observedGeneration: ds.metadata.generation, updatedNumberScheduled: agents.length,
      ...(ready < agents.length ? { numberUnavailable: agents.length - ready } : {}),
    };
    const deploy = this.deployments.get(`${ANTREA_NAMESPACE}/antrea-controller`)!;
    deploy.status = { observedGeneration: deploy.metadata.generation, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 };
  }

  // ---- what agents and the controller know ----------------------------------------------------

  /** The gates an agent process runs: compiled defaults, then its start-up conf, then scenario overrides. */
  agentLiveGates(agent: AgentRuntime): Map<string, boolean> {
    const catalogue = catalogueFor(agent.release);
    const conf = readConf(agent.startedConf);
    const gates = new Map<string, boolean>();
    for (const spec of catalogue.gates) gates.set(spec.name, conf.featureGates[spec.name] ?? spec.default);
    for (const [name, value] of Object.entries(agent.gateOverrides)) gates.set(name, value);
    return gates;
  }

  multicastRunning(agent: AgentRuntime): boolean {
    const gateOn = this.agentLiveGates(agent).get('Multicast') === true;
    if (!atLeast(agent.release, 1, 12)) return gateOn;
    return gateOn && readConf(agent.startedConf).multicastEnable;
  }

  private gateRows(catalogue: Catalogue, names: string[], status: (name: string) => boolean, release: ReleaseVersion): GateRow[] {
    const rows = names
      .map((name) => catalogue.gates.find((g) => g.name === name))
      .filter((g) => g !== undefined)
      .map((g) => ({
        name: g.name,
        status: (status(g.name) ? 'Enabled' : 'Disabled') as GateRow['status'],
        // Before v1.14 the version was the raw pre-release string, empty for GA.
        version: g.stage === 'GA' && !atLeast(release, 1, 14) ? '' : g.stage,
      }));
    return atLeast(release, 1, 14) ? rows.sort((a, b) => (a.name < b.name ? -1 : 1)) : rows;
  }

  /** The agent's own /featuregates answer: its live gates. */
  agentFeatureGates(agent: AgentRuntime): GateRow[] {
    const catalogue = catalogueFor(agent.release);
    const live = this.agentLiveGates(agent);
    const names = catalogue.gates.map((g) => g.name).filter((n) => catalogue.agentReported.includes(n));
    return this.gateRows(catalogue, names, (n) => live.get(n) === true, agent.release);
  }

  /** `antctl get featuregates` inside an agent container (agent mode: its live gates only). */
  agentFeatureGatesOutput(agent: AgentRuntime): string {
    return renderFeatureGates(agent.release, { agent: this.agentFeatureGates(agent) });
  }

  /** `antctl get featuregates` inside the controller container: agent gates from the ConfigMap, then its own. */
  controllerFeatureGatesOutput(): string {
    const catalogue = this.catalogue;
    const controllerConf = readConf(this.controller.startedConf);
    const liveController = (name: string) => controllerConf.featureGates[name] ?? catalogue.gates.find((g) => g.name === name)!.default;
    const cmAgent = readConf(this.antreaConfig.data['antrea-agent.conf']);
    const cmController = readConf(this.antreaConfig.data['antrea-controller.conf']);
    const inOrder = (set: string[]) => catalogue.gates.map((g) => g.name).filter((n) => set.includes(n));
    const modern = atLeast(this.release, 1, 14);
    return renderFeatureGates(this.release, {
      agent: this.gateRows(catalogue, inOrder(catalogue.agentGates), (n) => cmAgent.featureGates[n] ?? liveController(n), this.release),
      controller: this.gateRows(catalogue, inOrder(catalogue.controllerGates), (n) => (modern ? (cmController.featureGates[n] ?? liveController(n)) : liveController(n)), this.release),
    });
  }

  /** Per-Pod counters of the Pods on this Node, grown by their rates since the simulator started. */
  podStats(agent: AgentRuntime): MulticastResponse[] {
    const reset = agent.countersResetAt;
    const seconds = (Date.now() - (reset ?? this.startedAt)) / 1000;
    const base = (n: number | undefined) => (reset === undefined ? (n ?? 0) : 0);
    return this.workloads
      .filter((w) => w.node === agent.node.name)
      .map((w) => ({
        name: w.name,
        podNamespace: w.namespace,
        inbound: String(Math.floor(base(w.inbound) + (w.inboundRate ?? 0) * seconds)),
        outbound: String(Math.floor(base(w.outbound) + (w.outboundRate ?? 0) * seconds)),
      }));
  }

  multicastGroups(): Json[] {
    const groups = new Map<string, Array<{ name: string; namespace: string }>>();
    for (const w of this.workloads) {
      const agent = this.agents.get(w.node);
      if (!agent || !this.multicastRunning(agent)) continue;
      for (const g of w.groups ?? []) groups.set(g, [...(groups.get(g) ?? []), { name: w.name, namespace: w.namespace }]);
    }
    return [...groups].map(([group, pods]) => ({
      kind: 'MulticastGroup', apiVersion: 'stats.antrea.io/v1alpha1', metadata: { name: group, creationTimestamp: null }, group, pods,
    }));
  }

  agentInfo(agent: AgentRuntime): Json {
    const v = agent.release;
    return {
      apiVersion: 'crd.antrea.io/v1beta1', kind: 'AntreaAgentInfo',
      metadata: { name: agent.node.name, resourceVersion: String(this.rv), uid: suffix(`aai/${agent.node.name}`, 12), creationTimestamp: CREATED },
      version: `v${v.major}.${v.minor}.${v.patch}`,
      podRef: { kind: 'Pod', name: agent.podName, namespace: ANTREA_NAMESPACE },
      nodeRef: { kind: 'Node', name: agent.node.name },
      apiPort: agent.apiPort ?? 10350,
      ...(this.agentApiCaPem && atLeast(agent.release, 1, 13) ? { apiCABundle: Buffer.from(this.agentApiCaPem).toString('base64') } : {}),
      localPodNum: this.workloads.filter((w) => w.node === agent.node.name).length,
      networkInfo: { transportInterface: agent.node.kernel?.transportInterface ?? 'eth0', transportInterfaceIPs: [agent.node.internalIP ?? ''] },
      agentConditions: [{ type: 'AgentHealthy', status: this.agentReady(agent) ? 'True' : 'False', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }],
    };
  }

  // ---- the Node's kernel ----------------------------------------------------------------------

  vifs(agent: AgentRuntime): Vif[] {
    const transport = agent.node.kernel?.transportInterface ?? 'eth0';
    return ['antrea-gw0', transport].map((name, i) => {
      const routes = this.mroutes(agent);
      const inPkts = routes.filter((r) => r.iif === name).reduce((s, r) => s + r.packets, 0);
      const inBytes = routes.filter((r) => r.iif === name).reduce((s, r) => s + r.bytes, 0);
      const outPkts = routes.filter((r) => r.oifs.some((o) => o.name === name)).reduce((s, r) => s + r.packets, 0);
      const outBytes = routes.filter((r) => r.oifs.some((o) => o.name === name)).reduce((s, r) => s + r.bytes, 0);
      return { name, ifindex: 4 + i, bytesIn: inBytes, pktsIn: inPkts, bytesOut: outBytes, pktsOut: outPkts };
    });
  }

  mroutes(agent: AgentRuntime): MrouteEntry[] {
    return (agent.node.kernel?.mroutes ?? []).map((r) => ({
      source: r.source,
      group: r.group,
      iif: r.iif === 'unresolved' ? undefined : (r.iif ?? 'antrea-gw0'),
      oifs: (r.oifs ?? []).map((o) => (typeof o === 'string' ? { name: o } : o)),
      packets: r.packets ?? 0,
      bytes: r.bytes ?? 0,
      wrongIf: r.wrongIf ?? 0,
      age: r.age ?? 0.05,
    }));
  }

  igmpDevices(agent: AgentRuntime): IgmpDevice[] {
    const transport = agent.node.kernel?.transportInterface ?? 'eth0';
    const joined = agent.node.kernel?.joinedGroups ?? {};
    return ['lo', 'ovs-system', 'antrea-gw0', transport].map((name, i) => ({ name, ifindex: i + 1, groups: joined[name] ?? [] }));
  }
}
