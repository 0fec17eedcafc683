import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseMcjoinOutput, receiverArgv, senderArgv } from '../../src/antrea/mcjoin.js';
import { buildProbePlan, canonicalEncapMode, isMulticastGroup, PlanError, randomGroup, randomSuffix, type ClusterFacts, type ProbeOptions } from '../../src/antrea/probe-plan.js';
import { failingNodes, judgePath, type PhaseOutcome } from '../../src/antrea/probe-verdict.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'mcjoin');
const fixture = (name: string) => readFileSync(join(FIXTURES, name), 'utf8');

const node = (name: string, extra: Partial<ClusterFacts['nodes'][number]> = {}) => ({ name, os: 'linux', agentReady: true, ...extra });
const facts = (encapMode = 'encap'): ClusterFacts => ({
  encapMode,
  nodes: [node('k8s-node-2'), node('k8s-node-1'), node('k8s-node-3'), node('win-1', { os: 'windows' }), node('k8s-node-4', { agentReady: false })],
});
const options = (extra: Partial<ProbeOptions> = {}): ProbeOptions => ({
  group: '239.255.77.1', port: 1234, external: false, fromExternal: false, count: 10, intervalMs: 500, image: 'antrea/mcjoin:v2.9', suffix: 'x7k2p', ...extra,
});

describe('probe plan', () => {
  it('defaults: sender on the first Linux Node with a ready agent, one receiver per such Node', () => {
    const plan = buildProbePlan(facts(), options());
    expect(plan.namespace).toBe('mcastctl-probe-x7k2p');
    expect(plan.labels).toEqual({ 'app.kubernetes.io/managed-by': 'mcastctl', 'app.kubernetes.io/component': 'multicast-probe' });
    expect(plan.pods).toEqual([
      { name: 'sender-k8s-node-1', node: 'k8s-node-1', role: 'sender', hostNetwork: false },
      { name: 'receiver-k8s-node-1', node: 'k8s-node-1', role: 'receiver', hostNetwork: false },
      { name: 'receiver-k8s-node-2', node: 'k8s-node-2', role: 'receiver', hostNetwork: false },
      { name: 'receiver-k8s-node-3', node: 'k8s-node-3', role: 'receiver', hostNetwork: false },
    ]);
    expect(plan.phases).toHaveLength(1);
    expect(plan.phases[0].paths.map((p) => [p.path, p.from, p.to])).toEqual([
      ['local-pods', 'k8s-node-1', 'k8s-node-1'],
      ['inter-node-pods', 'k8s-node-1', 'k8s-node-2'],
      ['inter-node-pods', 'k8s-node-1', 'k8s-node-3'],
    ]);
    // Antrea's e2e argv: receivers until the deadline, the sender with -f, TTL 3 and a count.
    expect(plan.phases[0].receiverArgv).toEqual(['mcjoin', '-o', '-p', '1234', '-W', '10', '239.255.77.1']);
    expect(plan.phases[0].senderArgv).toEqual(['mcjoin', '-f', '500', '-o', '-p', '1234', '-s', '-t', '3', '-c', '10', '-W', '6', '239.255.77.1']);
    expect(plan.skipped).toEqual([]);
    expect(plan.hostNetwork).toBe(false);
  });

  it('--external and --from-external in encap mode are skipped with the reason', () => {
    const plan = buildProbePlan(facts('encap'), options({ external: true, fromExternal: true, to: ['k8s-node-2'] }));
    expect(plan.phases).toHaveLength(1);
    expect(plan.pods.map((p) => p.name)).toEqual(['sender-k8s-node-1', 'receiver-k8s-node-2']);
    expect(plan.skipped.map((s) => [s.path, s.to])).toEqual([['to-external', 'k8s-node-2'], ['from-external', 'k8s-node-2']]);
    expect(plan.skipped[0].reason).toBe(
      'a hostNetwork Pod cannot act as the external host in encap mode (Antrea forwards multicast between Nodes in tunnels; only noEncap and networkPolicyOnly route it through the Node\'s network)',
    );
  });

  it('--external and --from-external in noEncap mode: hostNetwork receivers and a second phase with a hostNetwork sender', () => {
    const plan = buildProbePlan(facts('noEncap'), options({ external: true, fromExternal: true, from: 'k8s-node-2', to: ['k8s-node-3', 'k8s-node-2'] }));
    expect(plan.hostNetwork).toBe(true);
    expect(plan.phases.map((p) => [p.sender, p.receivers])).toEqual([
      ['sender-k8s-node-2', ['receiver-k8s-node-2', 'receiver-k8s-node-3', 'host-receiver-k8s-node-3']],
      ['host-sender-k8s-node-2', ['receiver-k8s-node-2', 'receiver-k8s-node-3']],
    ]);
    expect(plan.phases[1].paths.map((p) => p.path)).toEqual(['from-external', 'from-external']);
    expect(plan.pods.find((p) => p.name === 'host-sender-k8s-node-2')).toEqual({ name: 'host-sender-k8s-node-2', node: 'k8s-node-2', role: 'sender', hostNetwork: true });
  });

  it('a one-Node target list says why the cross-Node paths are not proved', () => {
    const plan = buildProbePlan(facts('noEncap'), options({ to: ['k8s-node-1'], external: true }));
    expect(plan.phases[0].paths.map((p) => p.path)).toEqual(['local-pods']);
    expect(plan.skipped).toEqual([
      { path: 'inter-node-pods', from: 'k8s-node-1', to: '', reason: 'needs a receiver Node other than the sender\'s (k8s-node-1); pass --to with another Node' },
      { path: 'to-external', from: 'k8s-node-1', to: '', reason: 'needs a receiver Node other than the sender\'s (k8s-node-1); pass --to with another Node' },
    ]);
  });

  it('refuses Nodes that cannot take part, naming why', () => {
    expect(() => buildProbePlan(facts(), options({ from: 'win-1' }))).toThrow(new PlanError('--from: Node "win-1" runs windows; Antrea multicast runs on Linux Nodes only'));
    expect(() => buildProbePlan(facts(), options({ to: ['k8s-node-4'] }))).toThrow('--to: the antrea-agent on Node "k8s-node-4" is not ready');
    expect(() => buildProbePlan(facts(), options({ to: ['nope'] }))).toThrow('--to: Node "nope" not found');
    expect(() => buildProbePlan({ encapMode: 'encap', nodes: [node('a', { agentReady: false })] }, options())).toThrow('no Linux Node has a ready antrea-agent');
  });

  it('long or odd Node names fall back to indexed Pod names', () => {
    const long = `n${'x'.repeat(70)}`;
    const plan = buildProbePlan({ encapMode: 'encap', nodes: [node(long), node('Node.A')] }, options());
    expect(plan.pods.map((p) => p.name)).toEqual(['sender-2', 'receiver-2', 'receiver-1']);
  });

  it('trafficEncapMode is read as the agent reads it, case-insensitively', () => {
    expect(canonicalEncapMode('NoEncap')).toBe('noEncap');
    expect(canonicalEncapMode('HYBRID')).toBe('hybrid');
    expect(canonicalEncapMode('vxlan')).toBe('vxlan');
  });

  it('groups and suffixes', () => {
    expect(isMulticastGroup('239.255.1.2')).toBe(true);
    expect(isMulticastGroup('224.0.0.5')).toBe(true);
    for (const bad of ['240.0.0.1', '10.0.0.1', '239.255.1', '239.255.1.256', '239.255.01.2', 'x']) expect(isMulticastGroup(bad)).toBe(false);
    expect(randomGroup(() => 0)).toBe('239.255.1.1');
    expect(randomGroup(() => 0.999999)).toBe('239.255.254.254');
    expect(randomSuffix(() => 0)).toMatch(/^[a-z0-9]{5}$/);
  });
});

describe('mcjoin v2.9 output', () => {
  it('a receiver that got every packet', () => {
    const r = parseMcjoinOutput(fixture('receiver-v2.9-10-of-10.txt'));
    expect(r).toEqual({
      joined: true, interface: 'eth0', total: 10,
      groups: [{ source: '*', group: '239.255.77.1', invalid: 0, delayed: 0, gaps: 0, reordered: 0, duplicates: 0, bytes: 1000, packets: 10 }],
    });
  });

  it('a lossy receiver, a silent one, and a sender', () => {
    expect(parseMcjoinOutput(fixture('receiver-v2.9-lossy.txt')).groups[0]).toMatchObject({ packets: 7, gaps: 1, delayed: 1 });
    expect(parseMcjoinOutput(fixture('receiver-v2.9-none.txt'))).toMatchObject({ joined: true, total: 0 });
    expect(parseMcjoinOutput(fixture('sender-v2.9-10.txt'))).toMatchObject({ interface: 'eth0', address: '10.10.0.9', total: 10 });
  });

  it('a refused join (ENOBUFS) is an error with the kernel\'s words, and not joined', () => {
    const r = parseMcjoinOutput(fixture('receiver-v2.9-join-failed.stdout.txt'), fixture('receiver-v2.9-join-failed.stderr.txt'));
    expect(r).toEqual({ joined: false, interface: 'eth0', groups: [], error: 'Failed * group (239.255.77.1,joining) on sd 3 ... 105: No buffer space available' });
  });

  it('output that is not mcjoin\'s has no statistics', () => {
    expect(parseMcjoinOutput('', 'exec: "mcjoin": executable file not found in $PATH')).toEqual({ joined: false, groups: [] });
    expect(parseMcjoinOutput('Total: 3 packets extra\n').total).toBeUndefined();
  });

  it('argv arrays carry values as single elements', () => {
    expect(receiverArgv('239.1.1.1', 5000, 3)).toEqual(['mcjoin', '-o', '-p', '5000', '-W', '3', '239.1.1.1']);
    expect(senderArgv('239.1.1.1', 5000, 4, 100, 2)).toEqual(['mcjoin', '-f', '100', '-o', '-p', '5000', '-s', '-t', '3', '-c', '4', '-W', '2', '239.1.1.1']);
  });
});

describe('probe verdicts and evidence', () => {
  const plan = buildProbePlan(facts(), options());
  const ok = (name: string) => ({ report: parseMcjoinOutput(fixture(name)), exitCode: 0 });
  const outcome = (overrides: Partial<PhaseOutcome> = {}): PhaseOutcome => ({
    group: '239.255.77.1',
    encapMode: 'encap',
    sender: { pod: 'sender-k8s-node-1', node: 'k8s-node-1', ip: '10.10.0.9', hostNetwork: false, run: ok('sender-v2.9-10.txt') },
    receivers: new Map([
      ['receiver-k8s-node-1', { node: 'k8s-node-1', hostNetwork: false, run: ok('receiver-v2.9-10-of-10.txt') }],
      ['receiver-k8s-node-2', { node: 'k8s-node-2', hostNetwork: false, run: ok('receiver-v2.9-none.txt') }],
      ['receiver-k8s-node-3', { node: 'k8s-node-3', hostNetwork: false, run: ok('receiver-v2.9-lossy.txt') }],
    ]),
    nodes: new Map([
      ['k8s-node-1', { multicastRunning: true, before: new Map(), after: new Map([['sender-k8s-node-1', { inbound: 0n, outbound: 10n }], ['receiver-k8s-node-1', { inbound: 10n, outbound: 0n }]]), mroutes: [] }],
      ['k8s-node-2', { multicastRunning: false, igmp: { limit: 20, joined: 20, groups: ['239.1.1.1'] } }],
      ['k8s-node-3', { multicastRunning: true, before: new Map([['receiver-k8s-node-3', { inbound: 1n, outbound: 0n }]]), after: new Map([['receiver-k8s-node-3', { inbound: 8n, outbound: 0n }]]), igmp: { limit: 20, joined: 2, groups: ['239.255.77.1'] } }],
    ]),
    ...overrides,
  });

  it('delivered, failed with every cause found, lossy with counters', () => {
    const [local, node2, node3] = plan.phases[0].paths.map((p) => judgePath(p, outcome()));
    expect(local).toEqual({
      path: 'local-pods', from: 'k8s-node-1', to: 'k8s-node-1', fromHostNetwork: false, toHostNetwork: false, sender: 'sender-k8s-node-1', receiver: 'receiver-k8s-node-1',
      sent: 10, received: 10, lossPercent: 0, verdict: 'delivered', evidence: [], senderOutbound: 10n, receiverInbound: 10n,
    });
    expect(node2).toMatchObject({ sent: 10, received: 0, lossPercent: 100, verdict: 'failed', receiverInbound: null });
    expect(node2.evidence).toEqual([
      'multicast is not running in the antrea-agent on k8s-node-2 (receiver\'s Node)',
      'no mroute for (10.10.0.9,239.255.77.1) on k8s-node-1 (sender\'s Node)',
      'k8s-node-2 is at igmp_max_memberships (20 of 20): its agent cannot join 239.255.77.1 on the transport interface',
      'podmulticaststats: sender-k8s-node-1 outbound +10',
    ]);
    expect(node3).toMatchObject({ received: 7, lossPercent: 30, verdict: 'lossy', receiverInbound: 7n });
    expect(failingNodes([local, node2, node3])).toEqual(['k8s-node-2', 'k8s-node-3']);
  });

  it('a receiver that could not run is an error naming why', () => {
    const o = outcome();
    o.receivers.set('receiver-k8s-node-2', { node: 'k8s-node-2', hostNetwork: false, run: { failure: 'no answer within 12s' } });
    const r = judgePath(plan.phases[0].paths[1], o);
    expect(r).toMatchObject({ verdict: 'error', sent: 10, received: null, evidence: ['receiver receiver-k8s-node-2: no answer within 12s'] });
  });

  it('224.0.0.0/24 outside encap mode is named', () => {
    const o = outcome({ group: '224.0.0.77', encapMode: 'noEncap' });
    o.nodes.set('k8s-node-2', {});
    const r = judgePath(plan.phases[0].paths[1], o);
    expect(r.evidence[0]).toBe('224.0.0.77 is in 224.0.0.0/24: Antrea installs no multicast route for it, which works in encap mode only (this cluster: noEncap)');
  });
});
