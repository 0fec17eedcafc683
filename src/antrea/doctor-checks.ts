/**
 * The multicast pitfalls `mcastctl doctor` checks, as pure functions of what was read from the
 * cluster. Each rule names its source (Antrea's docs and code, read at v2.7.0 unless noted).
 */
import { isIPv4 } from 'node:net';
import { parse } from 'yaml';
import type { FeatureGate } from './featuregates-parser.js';
import { atLeast, type ReleaseVersion } from './featuregate-catalogue.js';
import type { MrouteEntry } from './mroute-parser.js';
import { groupDemandByNode, type MulticastGroup } from './multicast-groups.js';

export type CheckStatus = 'PASS' | 'WARN' | 'FAIL' | 'SKIP';
export type Fact = 'config' | 'nodes' | 'agentGates' | 'multicastProbe' | 'startedConf' | 'controllerGates' | 'igmp' | 'mroutes' | 'logs' | 'groups';

export interface AgentFacts {
  node: string;
  pod: string;
  ready: boolean;
  restarts: number;
  gates?: FeatureGate[];
  multicastRunning?: boolean;
  startedConf?: string;
  igmp?: { limit: number; joined: number };
  mroutes?: MrouteEntry[];
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
  version: ReleaseVersion;
  versionText: string;
  agentConfText: string;
  controllerConfText: string;
  nodes: NodeFacts[];
  agents: AgentFacts[];
  /** The agent section the controller computes from the ConfigMap, and its own section. */
  controller?: { agentGates: FeatureGate[]; controllerGates: FeatureGate[] };
  groups?: MulticastGroup[];
}

export interface CheckResult {
  name: string;
  status: CheckStatus;
  nodes: string[];
  message: string;
  fix?: string;
  /** The mcastctl (or kubectl) command that applies the fix, when one exists. */
  command?: string;
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
const conf = (text: string): Conf => (parse(text) ?? {}) as Conf;
const gateOf = (gates: FeatureGate[] | undefined, name: string) => gates?.find((g) => g.name === name)?.status;
const sorted = (names: string[]) => [...new Set(names)].sort();
const pass = (name: string, message: string): CheckResult => ({ name, status: 'PASS', nodes: [], message });

function encapMode(agent: Conf): string {
  return String(agent.trafficEncapMode ?? 'encap');
}

function multicastInterfaces(agent: Conf): string[] {
  const list = agent.multicast?.multicastInterfaces ?? agent.multicastInterfaces ?? [];
  return Array.isArray(list) ? list.map(String) : [];
}

/** Parses "5.15.0-91-generic" or "4.19.94-300.el7.x86_64" into [major, minor]. */
function kernelOf(version: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export const CHECKS: CheckSpec[] = [
  {
    name: 'multicast-enabled',
    summary: 'Multicast is switched on the way this Antrea version needs, and every agent runs it',
    source: 'docs/multicast-guide.md ("Prior to v1.12.0, a feature gate, Multicast must be enabled in the antrea-controller and antrea-agent configuration … Starting from v1.12.0 … set the multicast.enable flag to true"); pkg/agent/apiserver/handlers/multicast/handler.go (503 "Multicast is not enabled")',
    needs: ['config', 'multicastProbe', 'agentGates'],
    run(f) {
      const name = 'multicast-enabled';
      const agentConf = conf(f.agentConfText);
      const controllerConf = conf(f.controllerConfText);
      const modern = atLeast(f.version, 1, 12);
      const fix = 'switch multicast on the way this version needs, restart the agents and verify';
      const command = 'mcastctl multicast enable --wait';
      if (modern && agentConf.multicast?.enable !== true) {
        return { name, status: 'FAIL', nodes: [], message: `multicast.enable is not true in antrea-agent.conf (Antrea ${f.versionText}: the Multicast gate reads Enabled but proves nothing)`, fix, command };
      }
      if (!modern && agentConf.featureGates?.Multicast !== true) {
        return { name, status: 'FAIL', nodes: [], message: `the alpha Multicast gate is not set in antrea-agent.conf (Antrea ${f.versionText})`, fix, command };
      }
      if (!modern && atLeast(f.version, 1, 7) && controllerConf.featureGates?.Multicast !== true) {
        return { name, status: 'FAIL', nodes: [], message: `the Multicast gate is set for the agents but not in antrea-controller.conf (needed from v1.7)`, fix, command };
      }
      if (modern && agentConf.featureGates?.Multicast === false) {
        return { name, status: 'FAIL', nodes: [], message: 'multicast.enable is true but the Multicast gate is explicitly false in antrea-agent.conf', fix, command };
      }
      const off = f.agents.filter((a) => (modern ? a.multicastRunning === false : gateOf(a.gates, 'Multicast') === 'Disabled')).map((a) => a.node);
      if (off.length > 0) {
        return {
          name, status: 'FAIL', nodes: sorted(off), message: `the config switches multicast on, but ${off.length} of ${f.agents.length} agents do not run it`,
          fix: 'restart the agents so they read the config', command: 'kubectl -n kube-system rollout restart daemonset/antrea-agent',
        };
      }
      return pass(name, modern ? 'multicast.enable is true and every agent runs multicast' : 'the Multicast gate is on in the config and on every agent');
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
      const stale = f.agents
        .filter((a) => {
          const gatesDiffer = expected !== undefined && a.gates !== undefined && expected.some((g) => { const mine = gateOf(a.gates, g.name); return mine !== undefined && mine !== g.status; });
          const confDiffers = a.startedConf !== undefined && a.startedConf !== f.agentConfText;
          return gatesDiffer || confDiffers;
        })
        .map((a) => a.node);
      if (stale.length === 0) return pass(name, 'every agent runs the config in antrea-config');
      return {
        name, status: 'WARN', nodes: sorted(stale), message: `${stale.length} agent${stale.length === 1 ? '' : 's'} still run an older antrea-agent.conf than the ConfigMap`,
        fix: 'restart the agents so they read the ConfigMap', command: 'kubectl -n kube-system rollout restart daemonset/antrea-agent',
      };
    },
  },
  {
    name: 'networkpolicystats',
    summary: 'NetworkPolicyStats is on (without it multicastgroups stays empty)',
    source: 'cmd/antrea-agent/agent.go and cmd/antrea-controller/controller.go create the stats collector and aggregator only with NetworkPolicyStats; issue #5329',
    needs: ['agentGates', 'controllerGates'],
    run(f) {
      const name = 'networkpolicystats';
      const agentsOff = f.agents.filter((a) => gateOf(a.gates, 'NetworkPolicyStats') === 'Disabled').map((a) => a.node);
      const controllerOff = gateOf(f.controller?.controllerGates, 'NetworkPolicyStats') === 'Disabled';
      if (agentsOff.length === 0 && !controllerOff) return pass(name, 'NetworkPolicyStats is on for the controller and every agent');
      return {
        name, status: 'FAIL', nodes: sorted(agentsOff),
        message: `NetworkPolicyStats is off${controllerOff ? ' on the controller' : ''}${agentsOff.length ? `${controllerOff ? ' and' : ''} on ${agentsOff.length} agent${agentsOff.length === 1 ? '' : 's'}` : ''}: multicastgroups stays empty`,
        fix: 'switch NetworkPolicyStats on', command: 'mcastctl featuregate set NetworkPolicyStats=true --wait',
      };
    },
  },
  {
    name: 'traffic-mode',
    summary: 'The traffic mode supports multicast as configured',
    source: 'cmd/antrea-agent/options.go validateMulticastConfig ("Multicast feature doesn\'t work with the networkPolicyOnly mode", v2.5+); docs/multicast-guide.md ("multicastInterfaces is not supported with encap mode. Multicast packets in encap mode are SNATed and forwarded to the transport interface only")',
    needs: ['config'],
    run(f) {
      const name = 'traffic-mode';
      const agent = conf(f.agentConfText);
      const mode = encapMode(agent);
      if (mode === 'networkPolicyOnly') return { name, status: 'FAIL', nodes: [], message: 'trafficEncapMode networkPolicyOnly does not support multicast', fix: 'use encap, noEncap or hybrid mode for multicast' };
      const interfaces = multicastInterfaces(agent);
      if (mode === 'encap' && interfaces.length > 0) {
        return {
          name, status: 'FAIL', nodes: [], message: `multicastInterfaces (${interfaces.join(', ')}) is set in encap mode, where it is not supported: traffic is SNATed to the transport interface only`,
          fix: 'remove multicast.multicastInterfaces, or use noEncap or hybrid mode',
        };
      }
      return pass(name, `trafficEncapMode ${mode}${interfaces.length ? ` with multicastInterfaces ${interfaces.join(', ')}` : ''}`);
    },
  },
  {
    name: 'encryption',
    summary: 'No traffic encryption (IPsec or WireGuard) with multicast',
    source: 'cmd/antrea-agent/options.go validateMulticastConfig ("Multicast feature doesn\'t work with the current encryption mode", v2.0+, #5920)',
    needs: ['config'],
    run(f) {
      const name = 'encryption';
      const agent = conf(f.agentConfText);
      const mode = String(agent.trafficEncryptionMode ?? (agent.enableIPSecTunnel === true ? 'ipsec' : 'none'));
      if (mode.toLowerCase() === 'none') return pass(name, 'trafficEncryptionMode none');
      return { name, status: 'FAIL', nodes: [], message: `trafficEncryptionMode ${mode} does not work with multicast${atLeast(f.version, 2, 0) ? ' (agents refuse to start)' : ''}`, fix: 'set trafficEncryptionMode: none for multicast' };
    },
  },
  {
    name: 'flexible-ipam',
    summary: 'FlexibleIPAM (AntreaIPAM with bridging) is off',
    source: 'pkg/agent/multicast: with bridging mode NOCACHE upcalls are dropped, no multicast routes are installed; test/e2e/multicast_test.go skips route checks with AntreaIPAM',
    needs: ['config', 'agentGates'],
    run(f) {
      const name = 'flexible-ipam';
      const agent = conf(f.agentConfText);
      const ipam = f.agents.filter((a) => gateOf(a.gates, 'AntreaIPAM') === 'Enabled').map((a) => a.node);
      if (agent.enableBridgingMode === true && (ipam.length > 0 || agent.featureGates?.AntreaIPAM === true)) {
        return { name, status: 'FAIL', nodes: sorted(ipam), message: 'FlexibleIPAM (AntreaIPAM with enableBridgingMode) is on: the agents install no multicast routes', fix: 'multicast across Nodes needs FlexibleIPAM off' };
      }
      return pass(name, 'FlexibleIPAM is off');
    },
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
      return pass(name, 'no agent reports a multicast socket failure');
    },
  },
  {
    name: 'agents-ready',
    summary: 'Every antrea-agent Pod is ready and not restarting',
    source: 'antrea-agent DaemonSet status; a crash-looping agent runs no multicast on its Node',
    needs: [],
    run(f) {
      const name = 'agents-ready';
      const notReady = f.agents.filter((a) => !a.ready).map((a) => a.node);
      const restarting = f.agents.filter((a) => a.ready && a.restarts > 0).map((a) => a.node);
      if (notReady.length > 0) return { name, status: 'FAIL', nodes: sorted(notReady), message: `${notReady.length} agent Pod${notReady.length === 1 ? ' is' : 's are'} not ready`, fix: 'look at the agent logs: kubectl -n kube-system logs POD -c antrea-agent' };
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
      const mode = encapMode(conf(f.agentConfText));
      const local = (f.groups ?? []).filter((g) => g.group.startsWith('224.0.0.'));
      if (local.length === 0 || mode === 'encap') return pass(name, local.length ? 'local control groups in encap mode' : 'no group in 224.0.0.0/24');
      return {
        name, status: 'WARN', nodes: sorted(local.flatMap((g) => g.pods.map((p) => p.node ?? '')).filter(Boolean)),
        message: `groups ${local.map((g) => g.group).join(', ')} are in 224.0.0.0/24, which only works in encap mode (this cluster: ${mode})`, fix: 'use groups outside 224.0.0.0/24 (e.g. 239.0.0.0/8)',
      };
    },
  },
  {
    name: 'igmp-limits',
    summary: 'Receivers stay within igmp_max_memberships on their Node (one agent socket)',
    source: 'docs/multicast-guide.md ("A Linux host limits the maximum number of multicast groups it can subscribe to; the default number is 20"); net/ipv4/igmp.c (ENOBUFS past net.ipv4.igmp_max_memberships, per socket)',
    needs: ['config', 'igmp', 'groups'],
    run(f) {
      const name = 'igmp-limits';
      const interfaces = Math.max(1, new Set(multicastInterfaces(conf(f.agentConfText))).size);
      const receiversByNode = groupDemandByNode(f.groups ?? []);
      const over: string[] = [];
      const near: string[] = [];
      let needed = 0;
      for (const a of f.agents) {
        if (!a.igmp) continue;
        // The agent's one socket holds (group, interface) pairs: groups × multicast interfaces.
        const wanted = (receiversByNode.get(a.node)?.groups.size ?? 0) * interfaces;
        const demand = Math.max(wanted, a.igmp.joined);
        if (wanted > a.igmp.limit) over.push(a.node);
        else if (demand >= a.igmp.limit * 0.8) near.push(a.node);
        needed = Math.max(needed, demand);
      }
      if (over.length === 0 && near.length === 0) return pass(name, 'every Node has headroom under net.ipv4.igmp_max_memberships');
      const target = Math.max(64, 2 ** Math.ceil(Math.log2(Math.max(needed, 1) * 2)));
      const nodes = sorted([...over, ...near]);
      return {
        name, status: over.length > 0 ? 'FAIL' : 'WARN', nodes,
        message: over.length > 0 ? `receivers want more groups than igmp_max_memberships allows on ${over.join(', ')}: the extra groups get no traffic from outside the Node` : `receivers are near igmp_max_memberships on ${near.join(', ')}`,
        fix: `raise net.ipv4.igmp_max_memberships to ${target} there (and keep it across reboots)`,
        command: `mcastctl igmp set-max ${target} ${nodes.map((n) => `--node ${n}`).join(' ')} --persist`,
      };
    },
  },
  {
    name: 'groups-without-receivers',
    summary: 'Multicast traffic has receivers',
    source: 'stats.antrea.io MulticastGroup (members per group) against the Nodes\' multicast routes',
    needs: ['mroutes', 'groups'],
    run(f) {
      const name = 'groups-without-receivers';
      const known = new Set((f.groups ?? []).map((g) => g.group));
      const lonely = f.agents.filter((a) => (a.mroutes ?? []).some((r) => r.state === 'resolved' && !known.has(r.group))).map((a) => a.node);
      if (lonely.length === 0) return pass(name, 'every routed group has receivers');
      const groups = sorted(f.agents.flatMap((a) => (a.mroutes ?? []).filter((r) => r.state === 'resolved' && !known.has(r.group)).map((r) => r.group)));
      return { name, status: 'WARN', nodes: sorted(lonely), message: `traffic to ${groups.join(', ')} is routed but no Pod joined (not in multicastgroups)`, fix: 'check the receivers joined the group, or stop the sender' };
    },
  },
  {
    name: 'unresolved-routes',
    summary: 'Senders\' traffic has a route (no unresolved mroute entries)',
    source: 'the kernel keeps unresolved (S,G) entries when the multicast router (the agent) does not answer its upcall',
    needs: ['mroutes'],
    run(f) {
      const name = 'unresolved-routes';
      const bad = f.agents.filter((a) => (a.mroutes ?? []).some((r) => r.state === 'unresolved'));
      if (bad.length === 0) return pass(name, 'no unresolved multicast route');
      const entries = bad.flatMap((a) => (a.mroutes ?? []).filter((r) => r.state === 'unresolved').map((r) => `(${r.source},${r.group})`));
      return { name, status: 'WARN', nodes: sorted(bad.map((a) => a.node)), message: `unresolved entries ${sorted(entries).join(', ')}: the agent installed no route for these senders`, fix: 'check the agent logs on these Nodes and that multicast runs there' };
    },
  },
];
