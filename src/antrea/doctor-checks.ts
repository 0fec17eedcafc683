/**
 * The multicast pitfalls `mcastctl doctor` checks, as pure functions of what was read from the
 * cluster. Each rule names its source; the Antrea rules themselves come from the release profile
 * (release.ts). A check that needs what agents report and got it from none of them is UNKNOWN,
 * never PASS: mcastctl says "healthy" only with evidence.
 */
import { isIPv4 } from 'node:net';
import { parseDocument } from 'yaml';
import type { FeatureGate } from './featuregates-parser.js';
import type { ReleaseVersion } from './featuregate-catalogue.js';
import type { MrouteEntry } from './mroute-parser.js';
import { fatalLineOf } from './klog.js';
import { groupDemandByNode, type MulticastGroup } from './multicast-groups.js';
import {
  AGENT_CONF, checkConfigs, CONTROLLER_CONF, membershipsPerGroup, multicastFindings, multicastRuns, multicastSettings, releaseProfile, SOURCES,
  type Finding, type MulticastSettings, type ReleaseProfile,
} from './release.js';

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'UNKNOWN';
export type Fact = 'config' | 'nodes' | 'agentGates' | 'multicastProbe' | 'startedConf' | 'controllerGates' | 'igmp' | 'mroutes' | 'logs' | 'groups';
/** Facts only an agent can give: a check needing one is UNKNOWN when no agent answered. */
export const AGENT_FACTS: Fact[] = ['agentGates', 'multicastProbe', 'startedConf', 'igmp', 'mroutes'];

export interface AgentFacts {
  node: string;
  pod: string;
  ready: boolean;
  restarts: number;
  /** Whether the agent answered the questions asked through it (exec or its API). */
  answered: boolean;
  /** Why it did not: not ready, or the Node's failure. */
  unansweredReason?: string;
  gates?: FeatureGate[];
  multicastRunning?: boolean;
  startedConf?: string;
  igmp?: { limit: number; joined: number };
  mroutes?: MrouteEntry[];
  /** The agent container's log: current and, after a restart, the previous container's (read for not-ready agents too). */
  logs?: string;
}

export interface NodeFacts {
  name: string;
  os: string;
  kernelVersion: string;
  osImage: string;
  addresses: string[];
}

export interface DoctorFacts {
  /** The namespace of the Antrea Pods and antrea-config (kube-system by default): fix commands name it. */
  namespace: string;
  version: ReleaseVersion;
  versionText: string;
  agentConfText: string;
  controllerConfText: string;
  nodes: NodeFacts[];
  /** The Linux agents (Windows agents run no multicast). */
  agents: AgentFacts[];
  /** The agent section the controller computes from the ConfigMap, and its own section. */
  controller?: { agentGates: FeatureGate[]; controllerGates: FeatureGate[] };
  groups?: MulticastGroup[];
  /** Why the cluster looks managed by a vSphere Supervisor (TKGs), when it does: fixes go through its AntreaConfig. */
  tkgs?: string;
}

export interface CheckResult {
  name: string;
  status: CheckStatus;
  nodes: string[];
  message: string;
  fix?: string;
  /** The mcastctl (or kubectl) command that applies the fix, when one exists. */
  command?: string;
  /** Nodes whose agent gave no evidence for this check, and why. */
  unanswered?: Array<{ node: string; reason: string }>;
}

export interface CheckSpec {
  name: string;
  summary: string;
  /** Where the rule comes from. */
  source: string;
  needs: Fact[];
  run(facts: DoctorFacts): CheckResult;
}

type Conf = Record<string, any>;
/** A conf, or why it cannot be read (file and line). */
function readConf(text: string, file: string): { conf: Conf } | { error: string } {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    return { error: `${file} line ${e.linePos?.[0]?.line ?? '?'}: ${e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}` };
  }
  const value = doc.toJS() as unknown;
  return { conf: value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Conf) : {} };
}
const gateOf = (gates: FeatureGate[] | undefined, name: string) => gates?.find((g) => g.name === name)?.status;
const sorted = (names: string[]) => [...new Set(names)].sort();
const pass = (name: string, message: string): CheckResult => ({ name, status: 'PASS', nodes: [], message });
const unknown = (name: string, message: string, unanswered?: CheckResult['unanswered']): CheckResult => ({ name, status: 'UNKNOWN', nodes: [], message, ...(unanswered ? { unanswered } : {}) });

/** The agents that answered, and the others with their reasons. */
function evidence(f: DoctorFacts): { answered: AgentFacts[]; unanswered: Array<{ node: string; reason: string }> } {
  return {
    answered: f.agents.filter((a) => a.answered),
    unanswered: f.agents.filter((a) => !a.answered).map((a) => ({ node: a.node, reason: a.unansweredReason ?? 'no answer' })),
  };
}

const noAgent = (name: string, f: DoctorFacts, what: string) =>
  unknown(name, `no agent answered (${f.agents.length === 0 ? 'no Linux agent' : `${f.agents.length} not answering`}): ${what} cannot be known`, evidence(f).unanswered);

/**
 * Adds the Nodes that gave no evidence to a result computed from the others. A FAIL or WARN seen on
 * the answering Nodes stands; a PASS does not, since a silent Node could fail the check: it becomes
 * UNKNOWN, its message saying what was seen and which Nodes did not answer.
 */
function withUnanswered(result: CheckResult, f: DoctorFacts, unanswered = evidence(f).unanswered): CheckResult {
  if (unanswered.length === 0) return result;
  const silent = unanswered.map((u) => u.node).join(', ');
  if (result.status === 'PASS') return { ...result, status: 'UNKNOWN', message: `${result.message}; no answer from ${silent}`, unanswered };
  return { ...result, message: `${result.message} (no answer from ${silent})`, unanswered };
}

/** The agents that gave no `what` (a subset of the answering ones may lack it too), with the reason. */
function unmeasured(f: DoctorFacts, measured: AgentFacts[], what: string): Array<{ node: string; reason: string }> {
  return f.agents.filter((a) => !measured.includes(a)).map((a) => ({ node: a.node, reason: a.unansweredReason ?? (a.answered ? `no ${what} read` : 'no answer') }));
}

/** The Nodes a PASS speaks for: "every Node" when all Linux agents gave evidence, else their names (or how many). */
function seenOn(seen: AgentFacts[], f: DoctorFacts): { nodes: string; plural: boolean } {
  if (seen.length === f.agents.length) return { nodes: 'every Node', plural: false };
  const names = sorted(seen.map((a) => a.node));
  return names.length <= 3 ? { nodes: names.join(', '), plural: names.length > 1 } : { nodes: `${names.length} of ${f.agents.length} Nodes`, plural: true };
}

/** What the profile and the agent conf say, or why the conf cannot be read. */
interface ConfView {
  profile: ReleaseProfile;
  agent: Conf;
  controller: Conf;
  settings: MulticastSettings;
}
function confView(f: DoctorFacts): ConfView | { error: string } {
  const agent = readConf(f.agentConfText, AGENT_CONF);
  if ('error' in agent) return agent;
  const controller = readConf(f.controllerConfText, CONTROLLER_CONF);
  if ('error' in controller) return controller;
  const profile = releaseProfile(f.version);
  return { profile, agent: agent.conf, controller: controller.conf, settings: multicastSettings(profile, agent.conf) };
}
const confUnknown = (name: string, error: string): CheckResult => unknown(name, `the config cannot be read (${error}): see config-valid`);

/** The fix of a rule finding: a change of antrea-config, or of the AntreaConfig on TKGs. */
function findingFix(f: DoctorFacts, finding: Finding): string {
  return f.tkgs ? `${finding.fix} (on TKGs in the cluster's AntreaConfig, spec.antrea.config, against the Supervisor)` : finding.fix;
}

/** Rules of release.ts with their own doctor check; config-valid reports the others. */
const MULTICAST_RULES: Record<string, string> = {
  'multicast-encryption': 'encryption', 'multicast-network-policy-only': 'traffic-mode', 'multicast-interfaces-encap': 'traffic-mode', 'multicast-flexible-ipam': 'flexible-ipam',
};

/** The findings of one doctor check, with multicast judged as switched on (what the cluster is being checked for). */
function ruleFindings(view: ConfView, check: string): Finding[] {
  const on: MulticastSettings = { ...view.settings, gate: true, enable: view.profile.multicastSwitch === 'enable' ? true : undefined };
  return multicastFindings(view.profile, on).filter((x) => MULTICAST_RULES[x.rule] === check);
}

/**
 * A rule check: FAIL when the config switches multicast on and breaks the rule (agents refuse to
 * start, or multicast does not work); WARN, in the words of what switching it on would do, when the
 * config keeps multicast off (nothing is broken, but it cannot be switched on so).
 */
function ruleCheck(name: string, f: DoctorFacts, passMessage: (v: ConfView) => string): CheckResult {
  const view = confView(f);
  if ('error' in view) return confUnknown(name, view.error);
  const [first, ...more] = ruleFindings(view, name);
  if (!first) return pass(name, passMessage(view));
  if (multicastRuns(view.profile, view.settings)) {
    return { name, status: 'FAIL', nodes: [], message: [first, ...more].map((x) => x.message).join('; '), fix: findingFix(f, first) };
  }
  return { name, status: 'WARN', nodes: [], message: [first, ...more].map((x) => x.whenOff ?? x.message).join('; '), fix: findingFix(f, first) };
}

/** Join failures the agent logged (pkg/agent/multicast/mcast_socket_linux.go, v1.7.0–v2.7.0): "failed to join multicast group G for IFACE: ERR". */
export interface JoinFailure {
  node: string;
  group: string;
  iface: string;
  error: string;
}

const JOIN_FAILURE = /failed to join multicast group (\S+) for ([^:\s]+): ([^"\\\n]+)/g;

/** Every distinct (Node, group, interface) join failure in the agents' logs, sorted. */
export function joinFailures(agents: AgentFacts[]): JoinFailure[] {
  const seen = new Map<string, JoinFailure>();
  for (const a of agents) {
    for (const m of (a.logs ?? '').matchAll(JOIN_FAILURE)) {
      const failure = { node: a.node, group: m[1], iface: m[2], error: m[3].trim() };
      seen.set(`${a.node} ${m[1]} ${m[2]}`, failure);
    }
  }
  return [...seen.values()].sort((x, y) => x.node.localeCompare(y.node) || x.group.localeCompare(y.group, undefined, { numeric: true }));
}

/** The NetworkPolicyStats gate is off somewhere: multicastgroups is then empty or stale, and receivers cannot be known. */
function statsOff(f: DoctorFacts): boolean {
  return gateOf(f.controller?.controllerGates, 'NetworkPolicyStats') === 'Disabled' || f.agents.some((a) => gateOf(a.gates, 'NetworkPolicyStats') === 'Disabled');
}

export const CHECKS: CheckSpec[] = [
  {
    name: 'config-valid',
    summary: 'antrea-config parses and passes the start-up validation of the running Antrea release',
    source: `${SOURCES.strictDecoding}; ${SOURCES.lenientDecoding}; ${SOURCES.featureGates}; cmd/antrea-agent/options.go validateMulticastConfig`,
    needs: ['config'],
    run(f) {
      const name = 'config-valid';
      const profile = releaseProfile(f.version);
      const found = checkConfigs(profile, { [AGENT_CONF]: f.agentConfText, [CONTROLLER_CONF]: f.controllerConfText }).filter((x) => !(x.rule in MULTICAST_RULES));
      const where = (x: Finding) => `${x.file}${x.line ? ` line ${x.line}` : ''}: ${x.message}`;
      const fatal = found.filter((x) => x.severity === 'fatal');
      if (fatal.length > 0) {
        return {
          name, status: 'FAIL', nodes: [], message: `Antrea ${f.versionText} ${fatal.some((x) => x.file === AGENT_CONF) ? 'agents' : 'controller'} would not start with it: ${fatal.map(where).join('; ')}`,
          fix: findingFix(f, fatal[0]),
        };
      }
      if (found.length > 0) return { name, status: 'WARN', nodes: [], message: found.map(where).join('; '), fix: findingFix(f, found[0]) };
      return pass(name, `antrea-agent.conf and antrea-controller.conf are valid for Antrea ${f.versionText}`);
    },
  },
  {
    name: 'multicast-enabled',
    summary: 'Multicast is switched on the way this Antrea version needs, and every agent runs it',
    source: `${SOURCES.multicastSwitch}; pkg/agent/apiserver/handlers/multicast/handler.go (503 "Multicast is not enabled")`,
    needs: ['config', 'multicastProbe', 'agentGates'],
    run(f) {
      const name = 'multicast-enabled';
      const view = confView(f);
      if ('error' in view) return confUnknown(name, view.error);
      const { profile, agent, controller, settings } = view;
      const modern = profile.multicastSwitch === 'enable';
      // Advice that works here: on TKGs through the AntreaConfig; first what the enable pre-flight would refuse.
      const blockers = ruleFindings(view, 'encryption').concat(ruleFindings(view, 'traffic-mode').filter((x) => x.rule === 'multicast-network-policy-only'));
      const fix = blockers.length > 0 ? `${findingFix(f, blockers[0])}; then switch multicast on` : 'switch multicast on the way this version needs, restart the agents and verify';
      const command = blockers.length > 0 ? undefined : f.tkgs ? 'mcastctl --context SUPERVISOR multicast enable --tkgs --tkgs-cluster CLUSTER --namespace VSPHERE_NAMESPACE' : 'mcastctl multicast enable --wait';
      const fail = (message: string): CheckResult => ({ name, status: 'FAIL', nodes: [], message, fix, ...(command ? { command } : {}) });
      if (modern && agent.multicast?.enable !== true) return fail(`multicast.enable is not true in antrea-agent.conf (Antrea ${f.versionText}: the Multicast gate reads Enabled but proves nothing)`);
      if (!modern && !settings.gate) return fail(`the alpha Multicast gate is not set in antrea-agent.conf (Antrea ${f.versionText})`);
      if (profile.controllerGateNeeded && controller.featureGates?.Multicast !== true) return fail('the Multicast gate is set for the agents but not in antrea-controller.conf (needed from v1.7)');
      if (modern && !settings.gate) return fail('multicast.enable is true but the Multicast gate is explicitly false in antrea-agent.conf');
      if (!multicastRuns(profile, settings)) return fail(`the config does not switch multicast on for Antrea ${f.versionText}`);
      const { answered } = evidence(f);
      const reported = answered.filter((a) => (modern ? a.multicastRunning !== undefined : gateOf(a.gates, 'Multicast') !== undefined));
      if (reported.length === 0) return noAgent(name, f, 'whether the agents run multicast');
      const off = reported.filter((a) => (modern ? a.multicastRunning === false : gateOf(a.gates, 'Multicast') === 'Disabled')).map((a) => a.node);
      if (off.length > 0) {
        return withUnanswered({
          name, status: 'FAIL', nodes: sorted(off), message: `the config switches multicast on, but ${off.length} of ${f.agents.length} agents do not run it`,
          fix: 'restart the agents so they read the config', command: `kubectl -n ${f.namespace} rollout restart daemonset/antrea-agent`,
        }, f);
      }
      return withUnanswered(pass(name, modern ? `multicast.enable is true and ${reported.length === f.agents.length ? 'every agent runs' : `${reported.length} of ${f.agents.length} agents run`} multicast` : `the Multicast gate is on in the config and on ${reported.length === f.agents.length ? 'every agent' : `${reported.length} of ${f.agents.length} agents`}`), f);
    },
  },
  {
    name: 'config-applied',
    summary: 'Every agent runs the current antrea-config (restarted since the last change)',
    source: 'docs/secondary-network.md ("After editing the Antrea ConfigMap directly, restart the antrea-agent DaemonSet"); the conf is a subPath mount read once at start (build/yamls/antrea.yml)',
    needs: ['agentGates', 'controllerGates', 'startedConf'],
    run(f) {
      const name = 'config-applied';
      const expected = f.controller?.agentGates;
      const reported = evidence(f).answered.filter((a) => a.startedConf !== undefined || (a.gates !== undefined && expected !== undefined));
      if (reported.length === 0) return noAgent(name, f, 'the config the agents run');
      const stale = reported
        .filter((a) => {
          const gatesDiffer = expected !== undefined && a.gates !== undefined && expected.some((g) => { const mine = gateOf(a.gates, g.name); return mine !== undefined && mine !== g.status; });
          const confDiffers = a.startedConf !== undefined && a.startedConf !== f.agentConfText;
          return gatesDiffer || confDiffers;
        })
        .map((a) => a.node);
      if (stale.length === 0) return withUnanswered(pass(name, `${reported.length === f.agents.length ? 'every agent runs' : `${reported.length} of ${f.agents.length} agents run`} the config in antrea-config`), f);
      return withUnanswered({
        name, status: 'WARN', nodes: sorted(stale), message: `${stale.length} agent${stale.length === 1 ? ' still runs' : 's still run'} an older antrea-agent.conf than the ConfigMap`,
        fix: 'restart the agents so they read the ConfigMap', command: `kubectl -n ${f.namespace} rollout restart daemonset/antrea-agent`,
      }, f);
    },
  },
  {
    name: 'networkpolicystats',
    summary: 'NetworkPolicyStats is on (without it multicastgroups stays empty)',
    source: 'cmd/antrea-agent/agent.go and cmd/antrea-controller/controller.go create the stats collector and aggregator only with NetworkPolicyStats; issue #5329',
    needs: ['agentGates', 'controllerGates'],
    run(f) {
      const name = 'networkpolicystats';
      const reported = evidence(f).answered.filter((a) => gateOf(a.gates, 'NetworkPolicyStats') !== undefined);
      const controllerGate = gateOf(f.controller?.controllerGates, 'NetworkPolicyStats');
      const agentsOff = reported.filter((a) => gateOf(a.gates, 'NetworkPolicyStats') === 'Disabled').map((a) => a.node);
      const controllerOff = controllerGate === 'Disabled';
      if (reported.length === 0 && !controllerOff) return noAgent(name, f, 'whether the agents run NetworkPolicyStats');
      if (agentsOff.length === 0 && !controllerOff) {
        return withUnanswered(pass(name, `NetworkPolicyStats is on for ${controllerGate ? 'the controller and ' : ''}${reported.length === f.agents.length ? 'every agent' : `${reported.length} of ${f.agents.length} agents`}`), f);
      }
      return withUnanswered({
        name, status: 'FAIL', nodes: sorted(agentsOff),
        message: `NetworkPolicyStats is off${controllerOff ? ' on the controller' : ''}${agentsOff.length ? `${controllerOff ? ' and' : ''} on ${agentsOff.length} agent${agentsOff.length === 1 ? '' : 's'}` : ''}: multicastgroups stays empty`,
        ...(f.tkgs
          ? { fix: 'set featureGates.NetworkPolicyStats: true in the cluster\'s AntreaConfig (spec.antrea.config), against the Supervisor: the Supervisor reverts direct edits of antrea-config' }
          : { fix: 'switch NetworkPolicyStats on', command: 'mcastctl featuregate set NetworkPolicyStats=true --wait' }),
      }, f);
    },
  },
  {
    name: 'traffic-mode',
    summary: 'The traffic mode supports multicast as configured',
    source: `${SOURCES.networkPolicyOnly}; ${SOURCES.encapInterfaces}`,
    needs: ['config'],
    run: (f) => ruleCheck('traffic-mode', f, (v) => `trafficEncapMode ${v.settings.encapMode}${v.settings.interfaces.length ? ` with multicastInterfaces ${v.settings.interfaces.join(', ')}` : ''}`),
  },
  {
    name: 'encryption',
    summary: 'No traffic encryption (IPsec or WireGuard) with multicast',
    source: SOURCES.encryption,
    needs: ['config'],
    run: (f) => ruleCheck('encryption', f, (v) => `trafficEncryptionMode ${v.settings.encryptionMode.toLowerCase()}`),
  },
  {
    name: 'flexible-ipam',
    summary: 'Multicast works with FlexibleIPAM (AntreaIPAM with bridging) as configured',
    source: SOURCES.flexibleIpam,
    needs: ['config'],
    run: (f) => ruleCheck('flexible-ipam', f, (v) => (v.settings.flexibleIpam ? `FlexibleIPAM is on: supported with multicast from v1.15 (this cluster: ${f.versionText})` : 'FlexibleIPAM is off')),
  },
  {
    name: 'kernel-version',
    summary: 'Node kernels are 5.4 or later',
    source: 'docs/multicast-guide.md prerequisites (Nodes with kernel older than 5.4 may misroute multicast)',
    needs: ['nodes'],
    run(f) {
      const name = 'kernel-version';
      const old = f.nodes.filter((n) => n.os === 'linux' && (() => { const k = kernelOf(n.kernelVersion); return k !== undefined && (k[0] < 5 || (k[0] === 5 && k[1] < 4)); })());
      if (old.length === 0) return pass(name, 'every Linux Node runs kernel 5.4 or later');
      return { name, status: 'WARN', nodes: sorted(old.map((n) => n.name)), message: `kernel older than 5.4: ${old.map((n) => `${n.name} ${n.kernelVersion}`).join(', ')}`, fix: 'upgrade these Nodes\' kernels' };
    },
  },
  {
    name: 'windows-nodes',
    summary: 'No Windows Nodes are expected to carry multicast',
    source: 'pkg/features/antrea_features.go (Multicast is in unsupportedFeaturesOnWindows)',
    needs: ['nodes'],
    run(f) {
      const name = 'windows-nodes';
      const windows = f.nodes.filter((n) => n.os === 'windows').map((n) => n.name);
      if (windows.length === 0) return pass(name, 'no Windows Nodes');
      return { name, status: 'WARN', nodes: sorted(windows), message: `multicast is not supported on Windows Nodes: Pods there neither send nor receive multicast through Antrea`, fix: 'schedule multicast senders and receivers on Linux Nodes' };
    },
  },
  {
    name: 'ip-family',
    summary: 'Nodes have IPv4 (multicast is IPv4 only)',
    source: 'pkg/agent/multicast Controller.Initialize ("Multicast is not supported on an IPv6-only cluster"; dual-stack: "Multicast only works with IPv4 traffic")',
    needs: ['nodes'],
    run(f) {
      const name = 'ip-family';
      const linux = f.nodes.filter((n) => n.os === 'linux' && n.addresses.length > 0);
      const v6only = linux.filter((n) => !n.addresses.some((a) => isIPv4(a))).map((n) => n.name);
      const dual = linux.filter((n) => n.addresses.some((a) => isIPv4(a)) && n.addresses.some((a) => !isIPv4(a))).map((n) => n.name);
      if (v6only.length > 0) return { name, status: 'FAIL', nodes: sorted(v6only), message: 'IPv6-only Nodes: Antrea multicast supports IPv4 only (agents fail to start multicast)', fix: 'multicast needs IPv4' };
      if (dual.length > 0) return { name, status: 'WARN', nodes: sorted(dual), message: 'dual-stack Nodes: only IPv4 multicast works' };
      return pass(name, 'every Node has IPv4');
    },
  },
  {
    name: 'os-image',
    summary: 'Agents could open their multicast socket (Photon OS reports)',
    source: 'cmd/antrea-agent/agent.go ("failed to create multicast socket"); vSphere with Tanzu field report of agents crash-looping with it on Photon OS Nodes',
    needs: ['nodes', 'logs'],
    run(f) {
      const name = 'os-image';
      const failed = f.agents.filter((a) => a.logs?.includes('failed to create multicast socket')).map((a) => a.node);
      if (failed.length > 0) {
        const images = [...new Set(f.nodes.filter((n) => failed.includes(n.name)).map((n) => n.osImage))].join(', ');
        return { name, status: 'FAIL', nodes: sorted(failed), message: `agent logs say "failed to create multicast socket" (OS image ${images}): the kernel refused the multicast routing socket`, fix: 'use an OS image whose kernel has IP multicast routing (CONFIG_IP_MROUTE), such as Ubuntu' };
      }
      const photon = f.nodes.filter((n) => /photon/i.test(n.osImage)).map((n) => n.name);
      if (photon.length > 0) return { name, status: 'WARN', nodes: sorted(photon), message: 'Photon OS Nodes: agents there have been seen failing to create their multicast socket' };
      const read = f.agents.filter((a) => a.logs !== undefined);
      if (read.length === 0) return unknown(name, 'no agent log could be read', f.agents.map((a) => ({ node: a.node, reason: 'log unreadable' })));
      const unread = f.agents.filter((a) => a.logs === undefined).map((a) => ({ node: a.node, reason: 'log unreadable' }));
      const result = pass(name, `no agent log reports a multicast socket failure (${read.length === f.agents.length ? 'all' : `${read.length} of ${f.agents.length}`} logs read)`);
      return withUnanswered(result, f, unread);
    },
  },
  {
    name: 'agents-ready',
    summary: 'Every antrea-agent Pod is ready and not restarting',
    source: 'antrea-agent DaemonSet status; a crash-looping agent runs no multicast on its Node',
    needs: ['logs'],
    run(f) {
      const name = 'agents-ready';
      if (f.agents.length === 0) return { name, status: 'FAIL', nodes: [], message: 'no Linux antrea-agent Pod found' };
      const notReady = f.agents.filter((a) => !a.ready).map((a) => a.node);
      const restarting = f.agents.filter((a) => a.ready && a.restarts > 0).map((a) => a.node);
      if (notReady.length > 0) {
        const down = f.agents.filter((a) => !a.ready).sort((a, b) => a.node.localeCompare(b.node));
        const fatal = down.filter((a) => a.logs).map((a) => [a.node, fatalLineOf(a.logs!)] as const).filter(([, line]) => line !== undefined);
        // One paste-able command per Pod (kubectl logs takes one Pod); --previous only where a container exited before.
        const logsOf = (a: AgentFacts) => `kubectl -n ${f.namespace} logs ${a.pod} -c antrea-agent${a.restarts > 0 ? ' --previous' : ''}`;
        return {
          name, status: 'FAIL', nodes: sorted(notReady),
          message: `${notReady.length} agent Pod${notReady.length === 1 ? ' is' : 's are'} not ready${fatal.length > 0 ? `: ${fatal.map(([node, line]) => `${node}: ${line}`).join('; ')}` : ''}`,
          fix: `read the log of each agent Pod that is not ready (${down.map((a) => a.pod).join(', ')})`,
          command: down.map(logsOf).join('; '),
        };
      }
      if (restarting.length > 0) return { name, status: 'WARN', nodes: sorted(restarting), message: 'agents restarted (multicast counters start again from 0; look for crashes)' };
      return pass(name, `all ${f.agents.length} agent Pods are ready`);
    },
  },
  {
    name: 'local-control-groups',
    summary: 'Groups in 224.0.0.0/24 are used only in encap mode',
    source: 'docs/multicast-guide.md (224.0.0.0/24 is the local network control block: no multicast route is configured for such groups, which can only work in encap mode)',
    needs: ['config', 'groups'],
    run(f) {
      const name = 'local-control-groups';
      const view = confView(f);
      if ('error' in view) return confUnknown(name, view.error);
      if (f.groups === undefined) return unknown(name, 'multicastgroups could not be read');
      const mode = view.settings.encapMode;
      const local = f.groups.filter((g) => g.group.startsWith('224.0.0.'));
      if (local.length === 0 || mode === 'encap') return pass(name, local.length ? 'local control groups in encap mode' : 'no group in 224.0.0.0/24');
      return {
        name, status: 'WARN', nodes: sorted(local.flatMap((g) => g.pods.map((p) => p.node ?? '')).filter(Boolean)),
        message: `groups ${local.map((g) => g.group).join(', ')} are in 224.0.0.0/24, which only works in encap mode (this cluster: ${mode})`, fix: 'use groups outside 224.0.0.0/24 (e.g. 239.0.0.0/8)',
      };
    },
  },
  {
    name: 'igmp-limits',
    summary: 'Receivers stay within igmp_max_memberships on their Node (one agent socket, one membership per group and multicast interface)',
    source: 'docs/multicast-guide.md ("A Linux host limits the maximum number of multicast groups it can subscribe to; the default number is 20"); net/ipv4/igmp.c (ENOBUFS past net.ipv4.igmp_max_memberships, per socket); pkg/agent/multicast/mcast_route.go multicastInterfacesJoinMgroup and mcast_socket_linux.go ("failed to join multicast group %s for %s: %s", v1.7.0–v2.7.0)',
    needs: ['config', 'igmp', 'groups', 'logs'],
    run(f) {
      const name = 'igmp-limits';
      const view = confView(f);
      const perGroup = 'error' in view ? 1 : membershipsPerGroup(view.settings);
      const receiversByNode = groupDemandByNode(f.groups ?? []);
      const failures = joinFailures(f.agents);
      const over: string[] = [];
      const near: string[] = [];
      let needed = 0;
      const measured = f.agents.filter((a) => a.igmp);
      const gaps = unmeasured(f, measured, 'IGMP memberships');
      for (const a of measured) {
        // The agent's one socket holds (group, interface) pairs: groups × multicast interfaces.
        const wanted = (receiversByNode.get(a.node)?.groups.size ?? 0) * perGroup;
        const demand = Math.max(wanted, a.igmp!.joined);
        if (wanted > a.igmp!.limit) over.push(a.node);
        else if (demand >= a.igmp!.limit * 0.8) near.push(a.node);
        needed = Math.max(needed, demand);
      }
      const failed = failures.map((x) => x.node);
      const nodes = sorted([...over, ...near, ...failed]);
      const target = Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(needed, 1) * 2)));
      const advice = { fix: `raise net.ipv4.igmp_max_memberships to ${target} there (and keep it across reboots)`, command: `mcastctl igmp set-max ${target} ${nodes.map((n) => `--node ${n}`).join(' ')} --persist` };
      if (failures.length > 0) {
        const byNode = new Map<string, JoinFailure[]>();
        for (const x of failures) byNode.set(x.node, [...(byNode.get(x.node) ?? []), x]);
        const said = [...byNode].map(([node, list]) => `${node}: ${list.map((x) => `${x.group} on ${x.iface}`).join(', ')} (${list[0].error})`).join('; ');
        return withUnanswered({ name, status: 'FAIL', nodes, message: `agents logged failed joins: ${said}`, ...advice }, f, gaps);
      }
      if (measured.length === 0) return noAgent(name, f, 'the IGMP memberships');
      if (f.groups === undefined) return withUnanswered(unknown(name, 'multicastgroups could not be read: the receivers\' demand is unknown'), f, gaps);
      const per = perGroup === 1 ? '' : ` (${perGroup} memberships per group: one per multicast interface)`;
      const seen = seenOn(measured, f);
      if (over.length === 0 && near.length === 0) return withUnanswered(pass(name, `${seen.nodes} ${seen.plural ? 'have' : 'has'} headroom under net.ipv4.igmp_max_memberships${per}`), f, gaps);
      return withUnanswered({
        name, status: over.length > 0 ? 'FAIL' : 'WARN', nodes,
        message: over.length > 0 ? `receivers want more memberships than igmp_max_memberships allows on ${over.join(', ')}${per}: the extra groups get no traffic from outside the Node` : `receivers are near igmp_max_memberships on ${near.join(', ')}${per}`,
        ...advice,
      }, f, gaps);
    },
  },
  {
    name: 'groups-without-receivers',
    summary: 'Multicast traffic has receivers',
    source: 'stats.antrea.io MulticastGroup (members per group) against the Nodes\' multicast routes; the group members are reported only with NetworkPolicyStats (issue #5329)',
    needs: ['mroutes', 'groups', 'agentGates', 'controllerGates'],
    run(f) {
      const name = 'groups-without-receivers';
      if (f.groups === undefined) return unknown(name, 'multicastgroups could not be read: receivers cannot be known');
      if (statsOff(f)) return unknown(name, 'NetworkPolicyStats is off: multicastgroups does not list the receivers, so they cannot be known (see networkpolicystats)');
      const measured = f.agents.filter((a) => a.mroutes);
      const gaps = unmeasured(f, measured, 'multicast routes');
      if (measured.length === 0) return noAgent(name, f, 'the multicast routes');
      const known = new Set(f.groups.map((g) => g.group));
      const lonely = measured.filter((a) => (a.mroutes ?? []).some((r) => r.state === 'resolved' && !known.has(r.group))).map((a) => a.node);
      const seen = seenOn(measured, f);
      if (lonely.length === 0) return withUnanswered(pass(name, seen.nodes === 'every Node' ? 'every routed group has receivers' : `every group routed on ${seen.nodes} has receivers`), f, gaps);
      const groups = sorted(measured.flatMap((a) => (a.mroutes ?? []).filter((r) => r.state === 'resolved' && !known.has(r.group)).map((r) => r.group)));
      return withUnanswered({ name, status: 'WARN', nodes: sorted(lonely), message: `traffic to ${groups.join(', ')} is routed but no Pod joined (not in multicastgroups)`, fix: 'check the receivers joined the group, or stop the sender' }, f, gaps);
    },
  },
  {
    name: 'unresolved-routes',
    summary: 'Senders\' traffic has a route (no unresolved mroute entries)',
    source: 'the kernel keeps unresolved (S,G) entries when the multicast router (the agent) does not answer its upcall',
    needs: ['mroutes'],
    run(f) {
      const name = 'unresolved-routes';
      const measured = f.agents.filter((a) => a.mroutes);
      const gaps = unmeasured(f, measured, 'multicast routes');
      if (measured.length === 0) return noAgent(name, f, 'the multicast routes');
      const bad = measured.filter((a) => (a.mroutes ?? []).some((r) => r.state === 'unresolved'));
      const seen = seenOn(measured, f);
      if (bad.length === 0) return withUnanswered(pass(name, seen.nodes === 'every Node' ? 'no unresolved multicast route' : `no unresolved multicast route on ${seen.nodes}`), f, gaps);
      const entries = bad.flatMap((a) => (a.mroutes ?? []).filter((r) => r.state === 'unresolved').map((r) => `(${r.source},${r.group})`));
      return withUnanswered({ name, status: 'WARN', nodes: sorted(bad.map((a) => a.node)), message: `unresolved entries ${sorted(entries).join(', ')}: the agent installed no route for these senders`, fix: 'check the agent logs on these Nodes and that multicast runs there' }, f, gaps);
    },
  },
];

/** Parses "5.15.0-91-generic" or "4.19.94-300.el7.x86_64" into [major, minor]. */
function kernelOf(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
