/**
 * The multicast dataplane of the simulated Nodes: which Pods joined which groups, the per-Pod
 * counters antrea-agent reports (podmulticaststats), the kernel's multicast routes, VIFs and IGMP
 * memberships of each Node. A Node's state comes from its scenario (`kernel:`) and from the
 * workloads that send and receive; an agent that does not run multicast has no groups.
 */
import type { SimCluster } from './cluster.js';
import type { IgmpDevice, MrouteEntry, Vif } from './render/kernel-output.js';
import type { MulticastResponse } from './render/antctl-output.js';
import type { Json } from './api/status.js';
import { klogLine } from './antrea/agent-startup.js';
import { routeLastPacketAt } from './multicast-delivery.js';

export interface PodCounters {
  /** Exact u64 counters. */
  inbound: bigint;
  outbound: bigint;
  /** Packets per second added while the simulator runs. */
  inboundRate: number;
  outboundRate: number;
}

/** A Pod sending to a group. */
export interface Flow {
  namespace: string;
  name: string;
  group: string;
  packetsPerSecond: number;
  packetBytes: number;
  /** When it started sending (ms since the epoch). */
  since: number;
}

const isLinkLocal = (group: string) => group.startsWith('224.0.0.');

export class Dataplane {
  /** Groups each Pod ("namespace/name") joined, in the order Pods joined. */
  readonly memberships = new Map<string, Set<string>>();
  /** Counters of each Pod at the simulator's start (scenario data). */
  readonly counters = new Map<string, PodCounters>();
  /** Multicast streams Pods send, by "namespace/name". */
  readonly flows = new Map<string, Flow[]>();
  /** Groups whose join failed, per agent process start time and Node (logged once each). */
  private readonly loggedFailures = new Map<string, Set<string>>();

  constructor(private readonly cluster: SimCluster) {}

  /** A Pod joins a group (IGMP report to its Node's agent). */
  join(namespace: string, name: string, group: string): void {
    const key = `${namespace}/${name}`;
    if (!this.memberships.has(key)) {
      this.memberships.set(key, new Set());
      this.membershipKeys++;
    }
    this.memberships.get(key)!.add(group);
    const node = this.cluster.store.get('pods', namespace, name)?.spec.nodeName;
    if (node) this.syncNode(node);
  }

  leave(namespace: string, name: string, group: string): void {
    this.memberships.get(`${namespace}/${name}`)?.delete(group);
  }

  /** A Pod starts sending to a group. */
  startSending(namespace: string, name: string, group: string, packetsPerSecond: number, packetBytes: number, since = Date.now()): void {
    const key = `${namespace}/${name}`;
    this.flows.set(key, [...(this.flows.get(key) ?? []).filter((f) => f.group !== group), { namespace, name, group, packetsPerSecond, packetBytes, since }]);
  }

  stopSending(namespace: string, name: string, group: string): void {
    const key = `${namespace}/${name}`;
    this.flows.set(key, (this.flows.get(key) ?? []).filter((f) => f.group !== group));
  }

  /** Forgets a deleted Pod. */
  forget(namespace: string, name: string): void {
    if (this.memberships.delete(`${namespace}/${name}`)) this.membershipKeys++;
    this.counters.delete(`${namespace}/${name}`);
    this.flows.delete(`${namespace}/${name}`);
  }

  /** Bumped when a Pod's entry in memberships is added or removed (its Set of groups is live). */
  private membershipKeys = 0;
  private membershipIndex: { at: number; keys: number; byNode: Map<string, Array<{ key: string; groups: Set<string>; pod: Json }>> } | undefined;

  /**
   * The membership entries of the Pods on a Node, in memberships' order, with their Pod: indexed once
   * per store generation and membership change, since every exec of every Node reads them.
   */
  private membershipsOn(node: string): Array<{ key: string; groups: Set<string>; pod: Json }> {
    const index = this.membershipIndex;
    if (index?.at !== this.cluster.store.generation || index.keys !== this.membershipKeys) {
      const byNode = new Map<string, Array<{ key: string; groups: Set<string>; pod: Json }>>();
      for (const [key, groups] of this.memberships) {
        const pod = this.pod(key);
        if (!pod) continue;
        const list = byNode.get(pod.spec.nodeName) ?? [];
        list.push({ key, groups, pod });
        byNode.set(pod.spec.nodeName, list);
      }
      this.membershipIndex = { at: this.cluster.store.generation, keys: this.membershipKeys, byNode };
    }
    return this.membershipIndex!.byNode.get(node) ?? [];
  }

  private pod(key: string): Json | undefined {
    const [namespace, name] = key.split('/');
    return this.cluster.store.get('pods', namespace, name);
  }

  /** The multicast interfaces of a Node's agent: multicast.multicastInterfaces and the transport interface, sorted. */
  multicastInterfaces(node: string): string[] {
    const agent = this.cluster.agentProcess(node);
    const transport = this.cluster.nodeState(node)?.spec.kernel?.transportInterface || agent?.settings.transportInterface || 'eth0';
    return [...new Set([...(agent?.settings.multicastInterfaces ?? []).filter(Boolean), transport])].sort();
  }

  /**
   * The groups with local members on a Node and the memberships its agent holds: the agent joins each
   * group on every multicast interface from one socket (pkg/agent/multicast mcast_socket_linux.go
   * MulticastInterfaceJoinMgroup), and the kernel refuses a join beyond igmp_max_memberships per socket
   * (net/ipv4/igmp.c: ENOBUFS). A group whose join failed is not installed.
   */
  localGroups(node: string): { installed: string[]; failed: Array<{ group: string; iface: string }>; joined: Map<string, string[]> } {
    const agent = this.cluster.agentProcess(node);
    const joined = new Map<string, string[]>();
    const installed: string[] = [];
    const failed: Array<{ group: string; iface: string }> = [];
    if (!agent?.settings.multicastRunning) return { installed, failed, joined };
    const limit = this.cluster.nodeState(node)!.sysctl.igmpMaxMemberships;
    const ifaces = this.multicastInterfaces(node);
    const groups: string[] = [];
    for (const { groups: set, pod } of this.membershipsOn(node)) {
      if (pod.spec.hostNetwork) continue;
      for (const g of set) if (!groups.includes(g)) groups.push(g);
    }
    let count = 0;
    for (const group of groups) {
      let ok = true;
      for (const iface of ifaces) {
        if (count >= limit) {
          failed.push({ group, iface });
          ok = false;
          break;
        }
        count++;
        joined.set(iface, [...(joined.get(iface) ?? []), group]);
      }
      if (ok) installed.push(group);
    }
    return { installed, failed, joined };
  }

  /**
   * Writes the agent's log lines for joins that fail (pkg/agent/multicast/mcast_controller.go v2.7.0
   * lines 483 and 439), once per group and agent process.
   */
  syncNode(node: string): void {
    const container = this.cluster.agentContainer(node)?.container;
    const agent = container?.agent;
    if (!container || !agent) return;
    const key = `${node}@${agent.startedAt}`;
    const logged = this.loggedFailures.get(key) ?? new Set<string>();
    this.loggedFailures.set(key, logged);
    const now = new Date();
    for (const { group, iface } of this.localGroups(node).failed) {
      if (logged.has(group)) continue;
      logged.add(group);
      const err = `failed to join multicast group ${group} for ${iface}: no buffer space available`;
      container.instances[container.instances.length - 1].push(
        klogLine({ level: 'E', file: 'mcast_controller.go:483', message: `"Failed to install multicast group identified with local members" err=${JSON.stringify(err)} group=${JSON.stringify(group)}` }, now),
        klogLine({ level: 'E', file: 'mcast_controller.go:439', message: `Error syncing multicast group ${group}, requeuing. Error: ${err}` }, now),
      );
    }
  }

  /** Whether traffic of `flow` reaches a receiver Pod on `node` (see the notes on Antrea's data path). */
  private delivers(flow: Flow, receiverNode: string): boolean {
    const sender = this.cluster.store.get('pods', flow.namespace, flow.name);
    if (!sender) return false;
    const from = sender.spec.nodeName as string;
    const here = this.cluster.agentProcess(receiverNode);
    if (!here?.settings.multicastRunning || !this.cluster.agentProcess(from)?.settings.multicastRunning) return false;
    if (from === receiverNode) return true;
    // Across Nodes the receiver's Node must have installed the group (its join report, or IGMP upstream).
    if (!this.localGroups(receiverNode).installed.includes(flow.group)) return false;
    // Link-local groups are not routed: only the encap tunnel carries them.
    return !isLinkLocal(flow.group) || here.settings.trafficEncapMode === 'encap';
  }

  private seconds(since: number, node: string): number {
    const agent = this.cluster.agentProcess(node);
    return Math.max(0, (Date.now() - Math.max(since, agent?.startedAt ?? since)) / 1000);
  }

  /** Per-Pod counters of the Pods on a Node, as its agent reports them: from 0 since the agent started, unless it is the Node's first agent. */
  podStats(node: string): MulticastResponse[] {
    const agent = this.cluster.agentProcess(node);
    const state = this.cluster.nodeState(node);
    if (!agent || !state) return [];
    const first = agent.startedAt === state.firstAgentStartedAt;
    const seconds = (Date.now() - (first ? this.cluster.startedAt : agent.startedAt)) / 1000;
    const rows = new Map<string, { inbound: bigint; outbound: bigint }>();
    const since = (count: bigint, rate: number) => (first ? count : 0n) + packetsIn(rate, seconds);
    for (const key of this.countersOn(node)) {
      const c = this.counters.get(key)!;
      rows.set(key, { inbound: since(c.inbound, c.inboundRate), outbound: since(c.outbound, c.outboundRate) });
    }
    const row = (key: string) => rows.get(key) ?? rows.set(key, { inbound: 0n, outbound: 0n }).get(key)!;
    const allFlows = [...this.flows.values()].flat();
    for (const flow of allFlows) {
      const key = `${flow.namespace}/${flow.name}`;
      const pod = this.pod(key);
      if (pod?.spec.nodeName === node && agent.settings.multicastRunning) row(key).outbound += packetsIn(flow.packetsPerSecond, this.seconds(flow.since, node));
    }
    for (const { key, groups } of this.membershipsOn(node)) {
      for (const flow of allFlows) {
        if (groups.has(flow.group) && `${flow.namespace}/${flow.name}` !== key && this.delivers(flow, node)) row(key).inbound += packetsIn(flow.packetsPerSecond, this.seconds(flow.since, node));
      }
    }
    return [...rows].map(([key, r]) => {
      const [podNamespace, name] = key.split('/');
      return { name, podNamespace, inbound: String(r.inbound), outbound: String(r.outbound) };
    });
  }

  /** The counters' keys of the Pods on a Node, indexed once per store generation (one exec per Node reads them). */
  private countersOn(node: string): string[] {
    if (this.countersIndex?.at !== this.cluster.store.generation || this.countersIndex.size !== this.counters.size) {
      const byNode = new Map<string, string[]>();
      for (const key of this.counters.keys()) {
        const pod = this.pod(key);
        if (!pod) continue;
        const list = byNode.get(pod.spec.nodeName) ?? [];
        list.push(key);
        byNode.set(pod.spec.nodeName, list);
      }
      this.countersIndex = { at: this.cluster.store.generation, size: this.counters.size, byNode };
    }
    return this.countersIndex.byNode.get(node) ?? [];
  }

  private countersIndex: { at: number; size: number; byNode: Map<string, string[]> } | undefined;

  /** stats.antrea.io MulticastGroups: the groups Pods joined on Nodes whose agent runs multicast. */
  multicastGroups(): Json[] {
    const groups = new Map<string, Array<{ name: string; namespace: string }>>();
    for (const [key, joined] of this.memberships) {
      const [namespace, name] = key.split('/');
      const pod = this.cluster.store.get('pods', namespace, name);
      if (!pod || !this.cluster.agentProcess(pod.spec.nodeName)?.settings.multicastRunning) continue;
      for (const g of joined) groups.set(g, [...(groups.get(g) ?? []), { name, namespace }]);
    }
    return [...groups].map(([group, pods]) => ({
      kind: 'MulticastGroup', apiVersion: 'stats.antrea.io/v1alpha1', metadata: { name: group, creationTimestamp: null }, group, pods,
    }));
  }

  /**
   * The Node's multicast routing cache: the scenario's `kernel.mroutes` when given, else derived from
   * senders: an outbound entry (PodIP, G) Iif antrea-gw0 → every multicast interface on the sender's
   * Node; in noEncap/hybrid mode an inbound entry Iif <transport> → antrea-gw0 on Nodes with installed
   * local members. Unresolved entries carry no counters (the kernel keeps none).
   */
  mroutes(node: string): MrouteEntry[] {
    const spec = this.cluster.nodeState(node)?.spec;
    if (spec?.kernel?.mroutes) {
      this.deleteStaleRoutes(spec.kernel.mroutes);
      return spec.kernel.mroutes.map((r) => {
        const unresolved = r.iif === 'unresolved';
        return {
          source: r.source,
          group: r.group,
          iif: unresolved ? undefined : (r.iif ?? 'antrea-gw0'),
          oifs: unresolved ? [] : (r.oifs ?? []).map((o) => (typeof o === 'string' ? { name: o } : o)),
          packets: unresolved ? 0n : BigInt(r.packets ?? 0),
          bytes: unresolved ? 0n : BigInt(r.bytes ?? 0),
          wrongIf: unresolved ? 0n : BigInt(r.wrongIf ?? 0),
          age: r.age ?? 0.05,
        };
      });
    }
    const agent = this.cluster.agentProcess(node);
    if (!agent?.settings.multicastRunning) return [];
    const ifaces = this.multicastInterfaces(node);
    const transport = this.cluster.nodeState(node)?.spec.kernel?.transportInterface || agent.settings.transportInterface || 'eth0';
    const installed = this.localGroups(node).installed;
    const routes: MrouteEntry[] = [];
    for (const flow of [...this.flows.values()].flat()) {
      const sender = this.cluster.store.get('pods', flow.namespace, flow.name);
      if (!sender || sender.spec.hostNetwork || isLinkLocal(flow.group)) continue;
      const packets = packetsIn(flow.packetsPerSecond, this.seconds(flow.since, node));
      const entry = (iif: string, oifs: string[]) => ({ source: sender.status?.podIP ?? '', group: flow.group, iif, oifs: oifs.map((name) => ({ name })), packets, bytes: packets * BigInt(flow.packetBytes), wrongIf: 0n, age: 0.01 });
      if (sender.spec.nodeName === node) routes.push(entry('antrea-gw0', ifaces));
      else if (agent.settings.trafficEncapMode !== 'encap' && installed.includes(flow.group) && this.cluster.agentProcess(sender.spec.nodeName)?.settings.multicastRunning) routes.push(entry(transport, ['antrea-gw0']));
    }
    return routes;
  }

  /**
   * The agent deletes the (S,G) routes it added that routed no packet for mRouteTimeout (antrea
   * pkg/agent/multicast/mcast_route_linux.go v2.7.0 updateMrouteStats, 10 minutes; scenario
   * mrouteTimeoutMs). Upstream checks once a minute; the simulator checks when the routes are read.
   * Routes a scenario file lists are the kernel's as captured, and stay.
   */
  private deleteStaleRoutes(routes: object[]): void {
    const timeout = this.cluster.scenario.mrouteTimeoutMs ?? 10 * 60 * 1000;
    const now = Date.now();
    for (let i = routes.length - 1; i >= 0; i--) {
      const last = routeLastPacketAt.get(routes[i]);
      if (last !== undefined && now - last > timeout) routes.splice(i, 1);
    }
  }

  /** VIF 0 antrea-gw0, then the multicast interfaces, with the traffic of the routes through them. */
  vifs(node: string): Vif[] {
    const spec = this.cluster.nodeState(node)?.spec;
    const names = spec?.kernel?.mroutes ? ['antrea-gw0', spec.kernel.transportInterface ?? 'eth0'] : ['antrea-gw0', ...this.multicastInterfaces(node)];
    const routes = this.mroutes(node);
    return names.map((name, i) => {
      const sum = (pick: (r: MrouteEntry) => boolean, field: 'packets' | 'bytes') => routes.filter(pick).reduce((s, r) => s + r[field], 0n);
      const into = (r: MrouteEntry) => r.iif === name;
      const out = (r: MrouteEntry) => r.oifs.some((o) => o.name === name);
      return { name, ifindex: 4 + i, bytesIn: sum(into, 'bytes'), pktsIn: sum(into, 'packets'), bytesOut: sum(out, 'bytes'), pktsOut: sum(out, 'packets') };
    });
  }

  /** /proc/net/igmp devices: lo, ovs-system, antrea-gw0 and the multicast interfaces with their joined groups. */
  igmpDevices(node: string): IgmpDevice[] {
    const spec = this.cluster.nodeState(node)?.spec;
    if (spec?.kernel?.joinedGroups) {
      const transport = spec.kernel.transportInterface ?? 'eth0';
      const joined = spec.kernel.joinedGroups;
      return ['lo', 'ovs-system', 'antrea-gw0', transport].map((name, i) => ({ name, ifindex: i + 1, groups: joined[name] ?? [] }));
    }
    const joined = this.localGroups(node).joined;
    return ['lo', 'ovs-system', 'antrea-gw0', ...this.multicastInterfaces(node)].map((name, i) => ({ name, ifindex: i + 1, groups: joined.get(name) ?? [] }));
  }
}

/** Whole packets sent in `seconds` at `perSecond` packets per second. */
function packetsIn(perSecond: number, seconds: number): bigint {
  return BigInt(Math.floor(perSecond * seconds));
}
