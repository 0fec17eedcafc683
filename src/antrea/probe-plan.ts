/**
 * The plan of `mcastctl probe`, as a pure function of the cluster's Nodes and the flags: which
 * test Pods to create on which Node, which paths each sender proves, and which paths are skipped
 * and why. Paths are declared scenarios with conditions, named after the cases of Antrea's own
 * multicast e2e tests (test/e2e/multicast_test.go): testMulticastForLocalPods,
 * testMulticastForInterNodePods, testMulticastTrafficToExternal, testMulticastTrafficFromExternal.
 */
import { deadlineSeconds, receiverArgv, senderArgv } from './mcjoin.js';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'mcastctl';
/** Selects everything a probe created: its Namespaces and their Pods. */
export const PROBE_SELECTOR = `${MANAGED_BY_LABEL}=${MANAGED_BY}`;
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
export const ROLE_LABEL = 'mcastctl.antrea.io/probe-role';
export const NAMESPACE_PREFIX = 'mcastctl-probe-';
export const CONTAINER = 'mcjoin';
export const DEFAULT_IMAGE = 'antrea/mcjoin:v2.9';

/** Receivers have joined, the agents have seen their IGMP reports: time for the agents to install routes. */
export const SETTLE_MS = 2000;
/** How late a receiver may start compared to the first one and still see the whole stream. */
export const START_SLACK_MS = 2000;
/** How long after the sender's last packet the receivers keep listening. */
export const GRACE_MS = 1000;

export type PathName = 'local-pods' | 'inter-node-pods' | 'to-external' | 'from-external';

export interface ProbeNode {
  name: string;
  /** kubernetes.io/os of the Node. */
  os: string;
  /** Whether the Node's antrea-agent Pod is Ready. */
  agentReady: boolean;
}

export interface ProbeOptions {
  group: string;
  port: number;
  /** The sender's Node; default: the first eligible Node. */
  from?: string;
  /** The receivers' Nodes; default: every eligible Node. */
  to?: string[];
  external: boolean;
  fromExternal: boolean;
  count: number;
  intervalMs: number;
  image: string;
  /** The random suffix of the Namespace name. */
  suffix: string;
}

export interface ClusterFacts {
  nodes: ProbeNode[];
  /** trafficEncapMode of antrea-agent.conf (encap when unset). */
  encapMode: string;
}

export interface ProbePod {
  name: string;
  node: string;
  role: 'sender' | 'receiver';
  hostNetwork: boolean;
}

export interface PlannedPath {
  path: PathName;
  from: string;
  to: string;
  sender: string;
  receiver: string;
}

export interface SkippedPath {
  path: PathName;
  from: string;
  to: string;
  reason: string;
}

export interface ProbePhase {
  /** Pod name of the sender. */
  sender: string;
  senderArgv: string[];
  /** Pod names of the receivers, which all run receiverArgv. */
  receivers: string[];
  receiverArgv: string[];
  paths: PlannedPath[];
}

export interface ProbePlan {
  namespace: string;
  labels: Record<string, string>;
  group: string;
  port: number;
  count: number;
  intervalMs: number;
  image: string;
  /** Whether a Pod uses the host network (the Namespace then allows privileged Pods). */
  hostNetwork: boolean;
  pods: ProbePod[];
  phases: ProbePhase[];
  skipped: SkippedPath[];
}

export class PlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlanError';
  }
}

interface Endpoint {
  hostNetwork: boolean;
}

/** A path Antrea's tests prove, with the condition under which it can be proved here. */
interface Scenario {
  path: PathName;
  sender: Endpoint;
  receiver: Endpoint;
  /** Which flags ask for it. */
  wanted(o: ProbeOptions): boolean;
  /** Whether the path applies to a receiver on this Node. */
  appliesTo(senderNode: string, receiverNode: string): boolean;
  /** Said when no target Node fits the path; without it such a path is simply not asked for. */
  unreached?: (senderNode: string) => string;
  /** Why the path cannot be proved on this cluster, or undefined when it can. */
  unsupported(facts: ClusterFacts): string | undefined;
}

/**
 * Encap and hybrid modes carry multicast between Nodes in tunnels: a hostNetwork Pod cannot act as
 * the external host there (multicast_test.go runTestMulticastBetweenPods skips these cases when
 * currentEncapMode.SupportsEncap(): "Multicast does not support using hostNetwork Pod to simulate
 * the external host with encap mode").
 */
function externalHostUnsupported(facts: ClusterFacts): string | undefined {
  const mode = facts.encapMode;
  if (mode === 'encap' || mode === 'hybrid') {
    return `a hostNetwork Pod cannot act as the external host in ${mode} mode (Antrea forwards multicast between Nodes in tunnels; only noEncap and networkPolicyOnly route it through the Node's network)`;
  }
  return undefined;
}

const SCENARIOS: Scenario[] = [
  {
    path: 'local-pods',
    sender: { hostNetwork: false },
    receiver: { hostNetwork: false },
    wanted: () => true,
    appliesTo: (s, r) => s === r,
    unsupported: () => undefined,
  },
  {
    path: 'inter-node-pods',
    sender: { hostNetwork: false },
    receiver: { hostNetwork: false },
    wanted: () => true,
    appliesTo: (s, r) => s !== r,
    unreached: (s) => `needs a receiver Node other than the sender's (${s}); pass --to with another Node`,
    unsupported: () => undefined,
  },
  {
    path: 'to-external',
    sender: { hostNetwork: false },
    receiver: { hostNetwork: true },
    wanted: (o) => o.external,
    // The external host is another machine: a hostNetwork receiver on a Node other than the sender's.
    appliesTo: (s, r) => s !== r,
    unreached: (s) => `needs a receiver Node other than the sender's (${s}); pass --to with another Node`,
    unsupported: externalHostUnsupported,
  },
  {
    path: 'from-external',
    sender: { hostNetwork: true },
    receiver: { hostNetwork: false },
    wanted: (o) => o.fromExternal,
    appliesTo: () => true,
    unsupported: externalHostUnsupported,
  },
];

/** A Pod name from a role and a Node name (a DNS subdomain), kept within one DNS label for the hostname. */
function podName(prefix: string, node: string, index: number): string {
  const name = `${prefix}-${node}`;
  return name.length <= 63 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) ? name : `${prefix}-${index + 1}`;
}

/** Linux Nodes whose agent is Ready, in name order: where probe Pods can run and be observed. */
export function eligibleNodes(nodes: ProbeNode[]): ProbeNode[] {
  return nodes.filter((n) => n.os === 'linux' && n.agentReady).sort((a, b) => a.name.localeCompare(b.name));
}

function checkNode(facts: ClusterFacts, name: string, flag: string): void {
  const node = facts.nodes.find((n) => n.name === name);
  if (!node) throw new PlanError(`${flag}: Node "${name}" not found`);
  if (node.os !== 'linux') throw new PlanError(`${flag}: Node "${name}" runs ${node.os}; Antrea multicast runs on Linux Nodes only`);
  if (!node.agentReady) throw new PlanError(`${flag}: the antrea-agent on Node "${name}" is not ready`);
}

/**
 * Builds the plan. Takes the cluster's Nodes and encap mode and the validated flags; returns the
 * Pods to create and the phases to run (one per sender: the Pod sender, then the hostNetwork
 * sender with --from-external). Throws PlanError when --from or --to names a Node that cannot take
 * part, or when no Node can.
 */
export function buildProbePlan(facts: ClusterFacts, options: ProbeOptions): ProbePlan {
  const eligible = eligibleNodes(facts.nodes);
  if (eligible.length === 0) throw new PlanError('no Linux Node has a ready antrea-agent: nothing can be probed');
  if (options.from !== undefined) checkNode(facts, options.from, '--from');
  for (const name of options.to ?? []) checkNode(facts, name, '--to');
  const from = options.from ?? eligible[0].name;
  const targets = options.to ? [...new Set(options.to)].sort((a, b) => a.localeCompare(b)) : eligible.map((n) => n.name);
  const index = new Map(facts.nodes.map((n, i) => [n.name, i]));

  const pods = new Map<string, ProbePod>();
  const addPod = (prefix: string, node: string, role: ProbePod['role'], hostNetwork: boolean): string => {
    const name = podName(prefix, node, index.get(node) ?? 0);
    if (!pods.has(name)) pods.set(name, { name, node, role, hostNetwork });
    return name;
  };

  const phases: ProbePhase[] = [];
  const skipped: SkippedPath[] = [];
  const sendMs = options.count * options.intervalMs;
  const receiverDeadline = deadlineSeconds(START_SLACK_MS + SETTLE_MS + sendMs + GRACE_MS);
  const senderDeadline = deadlineSeconds(sendMs + GRACE_MS);
  for (const senderHost of [false, true]) {
    const scenarios = SCENARIOS.filter((s) => s.sender.hostNetwork === senderHost && s.wanted(options));
    const paths: PlannedPath[] = [];
    let sender: string | undefined;
    for (const scenario of scenarios) {
      const reached = targets.filter((t) => scenario.appliesTo(from, t));
      if (reached.length === 0) {
        if (scenario.unreached) skipped.push({ path: scenario.path, from, to: '', reason: scenario.unreached(from) });
        continue;
      }
      const reason = scenario.unsupported(facts);
      for (const to of reached) {
        if (reason) {
          skipped.push({ path: scenario.path, from, to, reason });
          continue;
        }
        sender ??= addPod(senderHost ? 'host-sender' : 'sender', from, 'sender', senderHost);
        const receiver = addPod(scenario.receiver.hostNetwork ? 'host-receiver' : 'receiver', to, 'receiver', scenario.receiver.hostNetwork);
        paths.push({ path: scenario.path, from, to, sender, receiver });
      }
    }
    if (!sender || paths.length === 0) continue;
    phases.push({
      sender,
      senderArgv: senderArgv(options.group, options.port, options.count, options.intervalMs, senderDeadline),
      receivers: [...new Set(paths.map((p) => p.receiver))],
      receiverArgv: receiverArgv(options.group, options.port, receiverDeadline),
      paths,
    });
  }
  const allPods = [...pods.values()];
  return {
    namespace: `${NAMESPACE_PREFIX}${options.suffix}`,
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY, [COMPONENT_LABEL]: 'multicast-probe' },
    group: options.group,
    port: options.port,
    count: options.count,
    intervalMs: options.intervalMs,
    image: options.image,
    hostNetwork: allPods.some((p) => p.hostNetwork),
    pods: allPods,
    phases,
    skipped,
  };
}

const ENCAP_MODES = ['encap', 'noEncap', 'hybrid', 'networkPolicyOnly'];

/** trafficEncapMode as the agent reads it: case-insensitive (pkg/agent/config/traffic_encap_mode.go, strings.EqualFold). */
export function canonicalEncapMode(text: string): string {
  return ENCAP_MODES.find((m) => m.toLowerCase() === text.toLowerCase()) ?? text;
}

/** Whether an IPv4 address is in 224.0.0.0/24, the local network control block Antrea never routes. */
export function isLocalControlGroup(group: string): boolean {
  return group.startsWith('224.0.0.');
}

/** Whether a dotted IPv4 address is a multicast group (224.0.0.0/4). */
export function isMulticastGroup(group: string): boolean {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(group);
  if (!m || m.slice(1).some((o) => Number(o) > 255 || (o.length > 1 && o.startsWith('0')))) return false;
  const first = Number(m[1]);
  return first >= 224 && first <= 239;
}

/** A group in 239.255.0.0/16 (organization-local scope) from two random bytes, avoiding .0 and .255. */
export function randomGroup(random: () => number = Math.random): string {
  const byte = () => 1 + Math.floor(random() * 254);
  return `239.255.${byte()}.${byte()}`;
}

/** Five characters of [a-z0-9] after the prefix, as generateName would add them. */
export function randomSuffix(random: () => number = Math.random): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  return Array.from({ length: 5 }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
}
