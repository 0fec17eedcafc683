/**
 * Delivery of multicast packets between the sockets of simulated Pods and hosts (mcjoin), decided
 * by the state of the Nodes, with the side effects a real cluster shows afterwards: per-Pod
 * counters (antctl get podmulticaststats), (S,G) routes in the Nodes' kernels (ip mroute), the
 * groups the agents joined on the transport interface (/proc/net/igmp) and the members of each
 * group (multicastgroups).
 *
 * The rules, from Antrea v2.7.0 unless noted:
 * - An agent that runs no multicast installs no multicast flows or routes: its Pods neither send
 *   nor receive multicast (pkg/agent/multicast is only started when multicastEnabled,
 *   cmd/antrea-agent/agent.go), and its podmulticaststats answer "Multicast is not enabled".
 * - Pods on one Node get each other's traffic through the OVS group of the receivers the agent
 *   learnt from their IGMP reports (pkg/agent/multicast/mcast_controller.go).
 * - For other Nodes the agent of a receiver's Node joins the group on the transport interface
 *   from one socket (pkg/agent/multicast/mcast_socket_linux.go); past
 *   net.ipv4.igmp_max_memberships that join fails with ENOBUFS (net/ipv4/igmp.c) and the Node
 *   gets nothing of that group from outside (docs/multicast-guide.md, "Limitations").
 * - A Pod's traffic leaves its Node through the (S,G) route the agent installs from antrea-gw0 to
 *   the transport interface (pkg/agent/multicast/mcast_route_linux.go); the kernel forwards only
 *   packets whose TTL exceeds the VIF threshold 1 (net/ipv4/ipmr.c ipmr_queue_xmit), so mcjoin's
 *   default TTL 1 never leaves the Node. In noEncap mode the receiver's Node routes it from the
 *   transport interface to antrea-gw0 with an (S,G) route of its own.
 * - 224.0.0.0/24 gets no multicast route: across Nodes it works in encap mode only
 *   (docs/multicast-guide.md).
 * - A hostNetwork Pod stands for an external host only in noEncap (and networkPolicyOnly) mode:
 *   in encap and hybrid mode Pod traffic to the outside is SNATed and hostNetwork senders are not
 *   forwarded to Pods (test/e2e/multicast_test.go skips those cases when SupportsEncap()).
 */
import type { SimCluster } from './cluster.js';
import type { PodRuntime } from './controllers/kubelet.js';

/** IP and UDP headers: what ip mroute counts besides mcjoin's payload. */
const IP_UDP_HEADERS = 28;

export interface Endpoint {
  runtime: PodRuntime;
  /** Pod IP, or the Node's InternalIP for a hostNetwork Pod. */
  ip: string;
}

export interface Listener extends Endpoint {
  group: string;
  port: number;
  onPacket(bytes: number): void;
}

const deliveries = new WeakMap<SimCluster, MulticastDelivery>();

/** When each (S,G) route the agent added last routed a packet (ms since the epoch). */
export const routeLastPacketAt = new WeakMap<object, number>();

/** The one delivery model of a simulated cluster. */
export function deliveryOf(cluster: SimCluster): MulticastDelivery {
  let d = deliveries.get(cluster);
  if (!d) deliveries.set(cluster, (d = new MulticastDelivery(cluster)));
  return d;
}

const isLocalControl = (group: string) => group.startsWith('224.0.0.');
const supportsEncap = (mode: string) => mode === 'encap' || mode === 'hybrid';

export class MulticastDelivery {
  private readonly listeners = new Set<Listener>();
  /** Per Node and group: the local receiver Pods the agent joined the group for on the transport interface. */
  private readonly agentJoins = new Map<string, Map<string, Set<Listener>>>();
  /** Per Node: groups whose join on the transport interface failed (the Node is at its limit). */
  readonly failedJoins = new Map<string, Set<string>>();

  constructor(private readonly cluster: SimCluster) {}

  private multicastRunning(node: string): boolean {
    return this.cluster.agentProcess(node)?.settings.multicastRunning === true;
  }

  private encapMode(node: string): string {
    return this.cluster.agentProcess(node)?.settings.trafficEncapMode ?? 'encap';
  }

  private transport(node: string): string {
    return this.cluster.nodeState(node)?.spec.kernel?.transportInterface ?? 'eth0';
  }

  private kernel(node: string) {
    const spec = this.cluster.nodeState(node)!.spec;
    spec.kernel ??= {};
    return spec.kernel;
  }

  /** Memberships the Node holds on its interfaces (224.0.0.1 aside), as /proc/net/igmp shows them. */
  private membershipsHeld(node: string): number {
    return Object.values(this.kernel(node).joinedGroups ?? {}).reduce((n, groups) => n + groups.filter((g) => g !== '224.0.0.1').length, 0);
  }

  /**
   * A socket joined `group` and listens on `port`. For a Pod the agent of its Node learns it from
   * the IGMP report: it records the member and joins the group on the transport interface.
   */
  listen(listener: Listener): void {
    this.listeners.add(listener);
    const { runtime, group } = listener;
    if (runtime.hostNetwork || !this.multicastRunning(runtime.node)) return;
    this.cluster.dataplane.join(runtime.namespace, runtime.name, group);
    const joins = this.agentJoins.get(runtime.node) ?? new Map<string, Set<Listener>>();
    this.agentJoins.set(runtime.node, joins);
    const members = joins.get(group) ?? new Set<Listener>();
    joins.set(group, members);
    members.add(listener);
    if (members.size > 1) return;
    const transport = this.transport(runtime.node);
    const kernel = this.kernel(runtime.node);
    kernel.joinedGroups ??= {};
    const joined = (kernel.joinedGroups[transport] ??= []);
    if (joined.includes(group)) return;
    if (this.membershipsHeld(runtime.node) >= this.cluster.nodeState(runtime.node)!.sysctl.igmpMaxMemberships) {
      const failed = this.failedJoins.get(runtime.node) ?? new Set<string>();
      failed.add(group);
      this.failedJoins.set(runtime.node, failed);
      return;
    }
    joined.push(group);
  }

  /** The socket closed: the Pod left the group; the agent leaves it when no local receiver is left. */
  unlisten(listener: Listener): void {
    if (!this.listeners.delete(listener)) return;
    const { runtime, group } = listener;
    this.cluster.dataplane.memberships.get(`${runtime.namespace}/${runtime.name}`)?.delete(group);
    const members = this.agentJoins.get(runtime.node)?.get(group);
    if (!members?.delete(listener) || members.size > 0) return;
    this.agentJoins.get(runtime.node)!.delete(group);
    this.failedJoins.get(runtime.node)?.delete(group);
    const joined = this.kernel(runtime.node).joinedGroups?.[this.transport(runtime.node)];
    if (joined?.includes(group)) joined.splice(joined.indexOf(group), 1);
  }

  /** Whether the agent of `node` has `group` joined on its transport interface. */
  private nodeJoined(node: string, group: string): boolean {
    return (this.kernel(node).joinedGroups?.[this.transport(node)] ?? []).includes(group);
  }

  private route(node: string, source: string, group: string, iif: string, oif: string, bytes: number): void {
    const kernel = this.kernel(node);
    kernel.mroutes ??= [];
    let entry = kernel.mroutes.find((r) => r.source === source && r.group === group && r.iif === iif);
    if (!entry) {
      entry = { source, group, iif, oifs: [oif], packets: 0n, bytes: 0n, age: 0.01 };
      kernel.mroutes.push(entry);
    }
    entry.packets = BigInt(entry.packets ?? 0) + 1n;
    routeLastPacketAt.set(entry, Date.now());
    entry.bytes = BigInt(entry.bytes ?? 0) + BigInt(bytes + IP_UDP_HEADERS);
  }

  private count(runtime: PodRuntime, key: 'inbound' | 'outbound'): void {
    const id = `${runtime.namespace}/${runtime.name}`;
    const counters = this.cluster.dataplane.counters.get(id) ?? { inbound: 0n, outbound: 0n, inboundRate: 0, outboundRate: 0 };
    counters[key]++;
    this.cluster.dataplane.counters.set(id, counters);
  }

  /** One packet from `sender` to group:port with this TTL; returns how many sockets got it. */
  send(sender: Endpoint, group: string, port: number, ttl: number, bytes: number): number {
    const from = sender.runtime.node;
    const podSender = !sender.runtime.hostNetwork;
    if (podSender && !this.multicastRunning(from)) return 0;
    if (podSender) this.count(sender.runtime, 'outbound');
    const leavesNode = ttl > 1 && !(isLocalControl(group) && !supportsEncap(this.encapMode(from)));
    if (podSender && leavesNode) this.route(from, sender.ip, group, 'antrea-gw0', this.transport(from), bytes);
    let delivered = 0;
    for (const l of [...this.listeners]) {
      if (l.group !== group || l.port !== port || l.runtime === sender.runtime) continue;
      if (!this.reaches(sender, l, ttl)) continue;
      const to = l.runtime.node;
      if (!l.runtime.hostNetwork) this.count(l.runtime, 'inbound');
      if (to !== from && !l.runtime.hostNetwork && this.encapMode(to) === 'noEncap') this.route(to, sender.ip, group, this.transport(to), 'antrea-gw0', bytes);
      l.onPacket(bytes);
      delivered++;
    }
    return delivered;
  }

  private reaches(sender: Endpoint, l: Listener, ttl: number): boolean {
    const from = sender.runtime.node;
    const to = l.runtime.node;
    const podSender = !sender.runtime.hostNetwork;
    const podReceiver = !l.runtime.hostNetwork;
    const mode = this.encapMode(podSender ? from : to);
    // Pods on the sender's own Node: the agent's OVS group of local receivers.
    if (podSender && podReceiver && from === to) return this.multicastRunning(from);
    // A host sender and a Pod on the same Node: the host's packet enters the Node's own stack.
    if (!podSender && podReceiver && from === to) return !supportsEncap(mode) && this.multicastRunning(to) && this.nodeJoined(to, l.group);
    if (ttl <= 1) return false;
    if (isLocalControl(l.group) && !supportsEncap(mode)) return false;
    if (podSender && podReceiver) return this.multicastRunning(to) && this.nodeJoined(to, l.group);
    if (podSender && !podReceiver) return !supportsEncap(mode);
    if (!podSender && podReceiver) return !supportsEncap(mode) && this.multicastRunning(to) && this.nodeJoined(to, l.group);
    return true;
  }
}
