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

export interface PodCounters {
  inbound: number;
  outbound: number;
  /** Packets per second added while the simulator runs. */
  inboundRate: number;
  outboundRate: number;
}

export class Dataplane {
  /** Groups each Pod ("namespace/name") joined, in the order Pods joined. */
  readonly memberships = new Map<string, Set<string>>();
  /** Counters of each Pod at the simulator's start. */
  readonly counters = new Map<string, PodCounters>();

  constructor(private readonly cluster: SimCluster) {}

  join(namespace: string, name: string, group: string): void {
    const key = `${namespace}/${name}`;
    if (!this.memberships.has(key)) this.memberships.set(key, new Set());
    this.memberships.get(key)!.add(group);
  }

  /** Forgets a deleted Pod. */
  forget(namespace: string, name: string): void {
    this.memberships.delete(`${namespace}/${name}`);
    this.counters.delete(`${namespace}/${name}`);
  }

  /** Per-Pod counters of the Pods on a Node, as its agent reports them: from 0 since the agent started, unless it is the Node's first agent. */
  podStats(node: string): MulticastResponse[] {
    const agent = this.cluster.agentProcess(node);
    const state = this.cluster.nodeState(node);
    if (!agent || !state) return [];
    const first = agent.startedAt === state.firstAgentStartedAt;
    const seconds = (Date.now() - (first ? this.cluster.startedAt : agent.startedAt)) / 1000;
    const rows: MulticastResponse[] = [];
    for (const key of this.countersOn(node)) {
      const c = this.counters.get(key)!;
      const [namespace, name] = key.split('/');
      rows.push({
        name,
        podNamespace: namespace,
        inbound: String(Math.floor((first ? c.inbound : 0) + c.inboundRate * seconds)),
        outbound: String(Math.floor((first ? c.outbound : 0) + c.outboundRate * seconds)),
      });
    }
    return rows;
  }

  /** The counters' keys of the Pods on a Node, indexed once per store generation (one exec per Node reads them). */
  private countersOn(node: string): string[] {
    if (this.countersIndex?.at !== this.cluster.store.generation || this.countersIndex.size !== this.counters.size) {
      const byNode = new Map<string, string[]>();
      for (const key of this.counters.keys()) {
        const [namespace, name] = key.split('/');
        const pod = this.cluster.store.get('pods', namespace, name);
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

  /** The Node's multicast routing cache; unresolved entries carry no counters (the kernel keeps none). */
  mroutes(node: string): MrouteEntry[] {
    const spec = this.cluster.nodeState(node)?.spec;
    return (spec?.kernel?.mroutes ?? []).map((r) => {
      const unresolved = r.iif === 'unresolved';
      return {
        source: r.source,
        group: r.group,
        iif: unresolved ? undefined : (r.iif ?? 'antrea-gw0'),
        oifs: unresolved ? [] : (r.oifs ?? []).map((o) => (typeof o === 'string' ? { name: o } : o)),
        packets: unresolved ? 0 : (r.packets ?? 0),
        bytes: unresolved ? 0 : (r.bytes ?? 0),
        wrongIf: unresolved ? 0 : (r.wrongIf ?? 0),
        age: r.age ?? 0.05,
      };
    });
  }

  /** VIF 0 antrea-gw0, VIF 1 the transport interface, with the traffic of the routes through them. */
  vifs(node: string): Vif[] {
    const transport = this.cluster.nodeState(node)?.spec.kernel?.transportInterface ?? 'eth0';
    const routes = this.mroutes(node);
    return ['antrea-gw0', transport].map((name, i) => {
      const sum = (pick: (r: MrouteEntry) => boolean, field: 'packets' | 'bytes') => routes.filter(pick).reduce((s, r) => s + r[field], 0);
      const into = (r: MrouteEntry) => r.iif === name;
      const out = (r: MrouteEntry) => r.oifs.some((o) => o.name === name);
      return { name, ifindex: 4 + i, bytesIn: sum(into, 'bytes'), pktsIn: sum(into, 'packets'), bytesOut: sum(out, 'bytes'), pktsOut: sum(out, 'packets') };
    });
  }

  /** /proc/net/igmp devices: lo, ovs-system, antrea-gw0 and the transport interface with their joined groups. */
  igmpDevices(node: string): IgmpDevice[] {
    const spec = this.cluster.nodeState(node)?.spec;
    const transport = spec?.kernel?.transportInterface ?? 'eth0';
    const joined = spec?.kernel?.joinedGroups ?? {};
    return ['lo', 'ovs-system', 'antrea-gw0', transport].map((name, i) => ({ name, ifindex: i + 1, groups: joined[name] ?? [] }));
  }
}
