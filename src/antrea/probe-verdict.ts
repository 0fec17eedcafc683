/**
 * The verdict of each probe path and the evidence that explains a failure, as pure functions of
 * what mcjoin printed and what mcastctl reads from the agents anyway (podmulticaststats, ip mroute,
 * /proc/net/igmp and igmp_max_memberships). Rules and their sources:
 * - the sender's Node has an (S,G) route from antrea-gw0 for a Pod sender (multicast_test.go
 *   runTestMulticastBetweenPods: "Sender pods should add an outbound multicast route except when
 *   running as HostNetwork");
 * - the agent joins the groups of its local receivers on the transport interface, so a Node at
 *   net.ipv4.igmp_max_memberships cannot add one (docs/multicast-guide.md; net/ipv4/igmp.c ENOBUFS);
 * - an agent without multicast answers podmulticaststats with "Multicast is not enabled"
 *   (pkg/agent/apiserver/handlers/multicast/handler.go);
 * - 224.0.0.0/24 gets no multicast route and works in encap mode only (docs/multicast-guide.md).
 */
import type { McjoinReport } from './mcjoin.js';
import type { MrouteEntry } from './mroute-parser.js';
import { isLocalControlGroup, type PathName, type PlannedPath, type SkippedPath } from './probe-plan.js';

export type Verdict = 'delivered' | 'lossy' | 'failed' | 'skipped' | 'error';

/** One run of mcjoin in a probe Pod: what it printed, or why it could not run. */
export type ProgramRun = { report: McjoinReport; exitCode: number } | { failure: string };

/** podmulticaststats counters: exact 64-bit packet counts. */
export interface PodCounters {
  inbound: bigint;
  outbound: bigint;
}

/** What was read from one Node's agent around one phase; undefined where a read failed. */
export interface NodeObservation {
  /** False when the agent answered "Multicast is not enabled". */
  multicastRunning?: boolean;
  /** podmulticaststats of the probe's Pods before and after the phase, by Pod name. */
  before?: Map<string, PodCounters>;
  after?: Map<string, PodCounters>;
  mroutes?: MrouteEntry[];
  igmp?: { limit: number; joined: number; groups: string[] };
}

export interface PhaseOutcome {
  group: string;
  encapMode: string;
  sender: { pod: string; node: string; ip?: string; hostNetwork: boolean; run: ProgramRun };
  receivers: Map<string, { node: string; hostNetwork: boolean; run: ProgramRun }>;
  nodes: Map<string, NodeObservation>;
}

export interface PathResult {
  path: PathName;
  from: string;
  to: string;
  fromHostNetwork: boolean;
  toHostNetwork: boolean;
  sender?: string;
  receiver?: string;
  sent: number | null;
  received: number | null;
  /** Lost packets in percent of those sent, with up to one decimal; null when unknown. */
  lossPercent: number | null;
  verdict: Verdict;
  evidence: string[];
  /** podmulticaststats deltas over the phase (packets), null when unknown or not a Pod of the Pod network. */
  senderOutbound: bigint | null;
  receiverInbound: bigint | null;
}

const failureOf = (run: ProgramRun) => ('failure' in run ? run.failure : run.report.error ?? `mcjoin exited with code ${run.exitCode} without statistics`);

function delta(node: NodeObservation | undefined, pod: string, key: keyof PodCounters): bigint | null {
  const after = node?.after?.get(pod);
  if (!after) return null;
  return after[key] - (node?.before?.get(pod)?.[key] ?? 0n);
}

/** Packets of this group mcjoin counted; its Total when it printed no per-group line. */
function packetsOf(run: ProgramRun, group: string): number | undefined {
  if ('failure' in run) return undefined;
  const line = run.report.groups.find((g) => g.group === group);
  return line?.packets ?? run.report.total;
}

export function lossPercent(sent: number, received: number): number {
  if (sent <= 0) return 0;
  const lost = Math.max(0, sent - received);
  return Math.round((lost / sent) * 1000) / 10;
}

/**
 * The result of one path of a finished phase. Takes the planned path and the phase's outcome;
 * returns SENT, RECEIVED, LOSS, VERDICT and, unless delivered, the evidence found on the Nodes.
 */
export function judgePath(path: PlannedPath, outcome: PhaseOutcome): PathResult {
  const receiver = outcome.receivers.get(path.receiver)!;
  const sender = outcome.sender;
  const fromNode = outcome.nodes.get(path.from);
  const toNode = outcome.nodes.get(path.to);
  const senderOutbound = sender.hostNetwork ? null : delta(fromNode, sender.pod, 'outbound');
  const receiverInbound = receiver.hostNetwork ? null : delta(toNode, path.receiver, 'inbound');
  const base = {
    path: path.path, from: path.from, to: path.to, fromHostNetwork: sender.hostNetwork, toHostNetwork: receiver.hostNetwork,
    sender: sender.pod, receiver: path.receiver, senderOutbound, receiverInbound,
  };
  const sent = packetsOf(sender.run, outcome.group);
  const received = packetsOf(receiver.run, outcome.group);
  if (sent === undefined || received === undefined) {
    const evidence = [
      ...(sent === undefined ? [`sender ${sender.pod}: ${failureOf(sender.run)}`] : []),
      ...(received === undefined ? [`receiver ${path.receiver}: ${failureOf(receiver.run)}`] : []),
    ];
    return { ...base, sent: sent ?? null, received: received ?? null, lossPercent: null, verdict: 'error', evidence };
  }
  const verdict: Verdict = sent > 0 && received >= sent ? 'delivered' : received === 0 ? 'failed' : 'lossy';
  const result: PathResult = { ...base, sent, received, lossPercent: lossPercent(sent, received), verdict, evidence: [] };
  if (verdict !== 'delivered') result.evidence = explain(path, outcome, receiver.run, senderOutbound, receiverInbound);
  return result;
}

function explain(path: PlannedPath, outcome: PhaseOutcome, receiverRun: ProgramRun, senderOutbound: bigint | null, receiverInbound: bigint | null): string[] {
  const { group, sender } = outcome;
  const evidence: string[] = [];
  const fromNode = outcome.nodes.get(path.from);
  const toNode = outcome.nodes.get(path.to);
  const crossNode = path.from !== path.to;
  const receiverHost = outcome.receivers.get(path.receiver)?.hostNetwork ?? false;
  if (!('failure' in receiverRun) && !receiverRun.report.joined && receiverRun.report.error) {
    evidence.push(`receiver ${path.receiver} could not join ${group}: ${receiverRun.report.error}`);
  }
  if (fromNode?.multicastRunning === false) evidence.push(`multicast is not running in the antrea-agent on ${path.from} (sender's Node)`);
  if (crossNode && toNode?.multicastRunning === false) evidence.push(`multicast is not running in the antrea-agent on ${path.to} (receiver's Node)`);
  if (isLocalControlGroup(group) && outcome.encapMode !== 'encap') {
    evidence.push(`${group} is in 224.0.0.0/24: Antrea installs no multicast route for it, which works in encap mode only (this cluster: ${outcome.encapMode})`);
  }
  if (crossNode && !sender.hostNetwork && sender.ip && fromNode?.mroutes) {
    const route = fromNode.mroutes.find((r) => r.source === sender.ip && r.group === group);
    if (!route) evidence.push(`no mroute for (${sender.ip},${group}) on ${path.from} (sender's Node)`);
    else if (route.state === 'unresolved' || route.iif === null) evidence.push(`the mroute for (${sender.ip},${group}) on ${path.from} is unresolved`);
    else if (route.oifs.length === 0) evidence.push(`the mroute for (${sender.ip},${group}) on ${path.from} forwards to no interface (iif ${route.iif}, no oifs)`);
  }
  if (crossNode && !receiverHost && toNode?.igmp && toNode.igmp.joined >= toNode.igmp.limit && !toNode.igmp.groups.includes(group)) {
    evidence.push(`${path.to} is at igmp_max_memberships (${toNode.igmp.joined} of ${toNode.igmp.limit}): its agent cannot join ${group} on the transport interface`);
  }
  const counters: string[] = [];
  if (senderOutbound !== null) counters.push(`${sender.pod} outbound +${senderOutbound}`);
  if (receiverInbound !== null) counters.push(`${path.receiver} inbound +${receiverInbound}`);
  if (counters.length > 0) evidence.push(`podmulticaststats: ${counters.join(', ')}`);
  if (evidence.length === 0) evidence.push('no cause found in the agents\' state');
  return evidence;
}

export function skippedResult(s: SkippedPath, hostSender: boolean, hostReceiver: boolean): PathResult {
  return {
    path: s.path, from: s.from, to: s.to, fromHostNetwork: hostSender, toHostNetwork: hostReceiver,
    sent: null, received: null, lossPercent: null, verdict: 'skipped', evidence: [s.reason], senderOutbound: null, receiverInbound: null,
  };
}

/** Nodes whose paths did not deliver, in name order (the sender's Node when its sender failed). */
export function failingNodes(results: PathResult[]): string[] {
  const nodes = results.filter((r) => r.verdict === 'failed' || r.verdict === 'lossy' || r.verdict === 'error').map((r) => r.to || r.from);
  return [...new Set(nodes)].sort((a, b) => a.localeCompare(b));
}
