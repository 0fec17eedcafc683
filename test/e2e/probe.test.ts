// mcastctl probe against the simulated cluster: real Pods created through the API, mcjoin run in
// them by exec, delivery decided by the Nodes' state, and nothing left behind.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { kubectl, MCASTCTL, mcastctl, run, startSim, type RunningSim } from '../helpers/sim.js';
import type { Scenario } from '../sim/scenario.js';

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const FAST = ['--group', '239.255.77.1', '--count', '4', '--interval', '100ms'];
const NAMESPACE = /^mcastctl-probe-[a-z0-9]{5}$/;

/** Nothing with the probe's label is left: no Namespace, no Pod. */
async function leftovers(s: RunningSim): Promise<string> {
  const ns = await kubectl(s, ['get', 'namespaces', '-l', 'app.kubernetes.io/managed-by=mcastctl', '-o', 'name']);
  const pods = await kubectl(s, ['get', 'pods', '-A', '-l', 'app.kubernetes.io/managed-by=mcastctl', '-o', 'name']);
  expect(ns.code).toBe(0);
  expect(pods.code).toBe(0);
  return `${ns.stdout}${pods.stdout}`;
}

const path = (p: string, to: string, sent: number, received: number, extra: Record<string, unknown> = {}) => ({
  path: p,
  from: { node: 'k8s-node-1', hostNetwork: false, pod: 'sender-k8s-node-1' },
  to: { node: to, hostNetwork: false, pod: `receiver-${to}` },
  sent,
  received,
  lossPercent: sent === 0 ? 0 : Math.round(((sent - received) / sent) * 1000) / 10,
  verdict: received === sent ? 'delivered' : received === 0 ? 'failed' : 'lossy',
  evidence: [],
  podMulticastStats: { senderOutbound: null, receiverInbound: null },
  ...extra,
});

describe('mcastctl probe on the simulated cluster', () => {
  it('is green on the demo cluster: exact JSON, exit 0, the probe\'s route visible afterwards, nothing left', async () => {
    sim = await startSim('default');
    const r = await mcastctl(sim, ['probe', ...FAST, '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.namespace).toMatch(NAMESPACE);
    expect(doc).toEqual({
      apiVersion: 'mcastctl.antrea.io/v1alpha1',
      kind: 'MulticastProbe',
      namespace: doc.namespace,
      kept: false,
      group: '239.255.77.1',
      port: 1234,
      count: 4,
      intervalMs: 100,
      image: 'antrea/mcjoin:v2.9',
      trafficEncapMode: 'encap',
      delivered: true,
      failingNodes: [],
      paths: [
        path('local-pods', 'k8s-node-1', 4, 4, { podMulticastStats: { senderOutbound: 4, receiverInbound: 4 } }),
        path('inter-node-pods', 'k8s-node-2', 4, 4, { podMulticastStats: { senderOutbound: 4, receiverInbound: 4 } }),
        path('inter-node-pods', 'k8s-node-3', 4, 4, { podMulticastStats: { senderOutbound: 4, receiverInbound: 4 } }),
      ],
    });
    expect(await leftovers(sim)).toBe('');
    // The sender's (S,G) route stays in the kernel of its Node, with the probe's packets.
    const routes = JSON.parse((await mcastctl(sim, ['get', 'mroute', '--group', '239.255.77.1', '-o', 'json'])).stdout).items;
    expect(routes).toEqual([expect.objectContaining({ node: 'k8s-node-1', group: '239.255.77.1', iif: 'antrea-gw0', state: 'resolved', packets: 4 })]);
  });

  it('fails where an agent runs no multicast and where a Node is at igmp_max_memberships: exit 11, each Node named with its evidence, nothing left', async () => {
    sim = await startSim('default', (s: Scenario) => {
      s.nodes[1].kernel = { ...s.nodes[1].kernel, igmpMaxMemberships: 1 };
      s.nodes[2].agent = { ...s.nodes[2].agent, featureGates: { Multicast: false } };
    });
    const r = await mcastctl(sim, ['probe', ...FAST]);
    expect(r.code).toBe(11);
    expect(r.stderr).toBe('error: multicast was not delivered to Nodes k8s-node-2, k8s-node-3 (see EVIDENCE)\n');
    expect(r.stdout).toBe(
      [
        'PATH              FROM         TO           SENT   RECEIVED   LOSS   VERDICT     EVIDENCE',
        'local-pods        k8s-node-1   k8s-node-1   4      4          0%     delivered   -',
        'inter-node-pods   k8s-node-1   k8s-node-2   4      0          100%   failed      k8s-node-2 is at igmp_max_memberships (1 of 1): its agent cannot join 239.255.77.1 on the transport interface; podmulticaststats: sender-k8s-node-1 outbound +4',
        'inter-node-pods   k8s-node-1   k8s-node-3   4      0          100%   failed      multicast is not running in the antrea-agent on k8s-node-3 (receiver\'s Node); podmulticaststats: sender-k8s-node-1 outbound +4',
        '',
      ].join('\n'),
    );
    expect(await leftovers(sim)).toBe('');
    // The sender's Node routed the probe's packets out; the receivers' agents joined nothing.
    const igmp = JSON.parse((await mcastctl(sim, ['get', 'igmp', '-o', 'json'])).stdout).items;
    expect(igmp.map((n: { node: string; joinedGroups: string[] }) => [n.node, n.joinedGroups])).toEqual([
      ['k8s-node-1', []],
      ['k8s-node-2', ['239.255.12.42']],
      ['k8s-node-3', ['239.255.12.42']],
    ]);
  });

  it('external paths: skipped with the reason in encap mode, delivered in noEncap mode', async () => {
    sim = await startSim('default');
    const encap = await mcastctl(sim, ['probe', ...FAST, '--to', 'k8s-node-2', '--external', '--from-external']);
    expect(encap.code).toBe(0);
    expect(encap.stdout.split('\n').slice(2, 4)).toEqual([
      'to-external       k8s-node-1          k8s-node-2 (host)   -      -          -      skipped     a hostNetwork Pod cannot act as the external host in encap mode (Antrea forwards multicast between Nodes in tunnels; only noEncap and networkPolicyOnly route it through the Node\'s network)',
      'from-external     k8s-node-1 (host)   k8s-node-2          -      -          -      skipped     a hostNetwork Pod cannot act as the external host in encap mode (Antrea forwards multicast between Nodes in tunnels; only noEncap and networkPolicyOnly route it through the Node\'s network)',
    ]);
    await sim.stop();
    sim = await startSim('default', (s: Scenario) => {
      s.config = { agent: { ...s.config?.agent, trafficEncapMode: 'noEncap' } };
    });
    const r = await mcastctl(sim, ['probe', ...FAST, '--to', 'k8s-node-1,k8s-node-2', '--external', '--from-external', '-o', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.trafficEncapMode).toBe('noEncap');
    expect(doc.paths.map((p: { path: string; from: { node: string; hostNetwork: boolean }; to: { node: string; hostNetwork: boolean }; received: number }) => [p.path, p.from.node, p.from.hostNetwork, p.to.node, p.to.hostNetwork, p.received])).toEqual([
      ['local-pods', 'k8s-node-1', false, 'k8s-node-1', false, 4],
      ['inter-node-pods', 'k8s-node-1', false, 'k8s-node-2', false, 4],
      ['to-external', 'k8s-node-1', false, 'k8s-node-2', true, 4],
      ['from-external', 'k8s-node-1', true, 'k8s-node-1', false, 4],
      ['from-external', 'k8s-node-1', true, 'k8s-node-2', false, 4],
    ]);
    expect(await leftovers(sim)).toBe('');
  });

  it('SIGINT mid-probe deletes the Namespace and waits for it: exit 130, nothing left', async () => {
    sim = await startSim('default');
    const child = spawn(process.execPath, [MCASTCTL, 'probe', ...FAST], { env: { PATH: process.env.PATH, KUBECONFIG: sim.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the receivers run: their Pods exist and are Running.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const pods = await kubectl(sim, ['get', 'pods', '-A', '-l', 'app.kubernetes.io/managed-by=mcastctl', '-o', 'jsonpath={.items[*].status.phase}']);
      if (pods.stdout.split(' ').filter((p) => p === 'Running').length === 4) break;
      if (Date.now() > deadline) throw new Error(`the probe's Pods never ran: ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toBe('error: interrupted (SIGINT); cleaning up\n');
    expect(await leftovers(sim)).toBe('');
  });

  it('--keep leaves the Namespace with the probe\'s counters; probe cleanup removes it', async () => {
    sim = await startSim('default');
    const r = await mcastctl(sim, ['probe', ...FAST, '--to', 'k8s-node-1', '--keep']);
    expect(r.code).toBe(0);
    const ns = /Namespace (\S+) was kept/.exec(r.stderr)![1];
    const stats = await mcastctl(sim, ['get', 'podmulticaststats', '-n', ns]);
    expect(stats.stdout).toBe(
      ['NAMESPACE              NAME                  NODE         INBOUND   OUTBOUND', `${ns}   receiver-k8s-node-1   k8s-node-1   4         0`, `${ns}   sender-k8s-node-1     k8s-node-1   0         4`, ''].join('\n'),
    );
    const cleanup = await mcastctl(sim, ['probe', 'cleanup']);
    expect(cleanup).toEqual({ code: 0, stdout: `namespace/${ns} deleted\n`, stderr: '' });
    expect(await leftovers(sim)).toBe('');
  });

  it('shows its phases on a terminal (and nothing on a pipe: see the tests above, stderr empty)', async () => {
    sim = await startSim('default');
    // `script` gives mcastctl a real pseudo-terminal, where stderr and stdout meet.
    const argv = [process.execPath, MCASTCTL, 'probe', ...FAST, '--to', 'k8s-node-1'].map((a) => `'${a}'`).join(' ');
    const r = await run('script', ['-qfec', `stty cols 120 rows 40; ${argv}`, '/dev/null'], { KUBECONFIG: sim.kubeconfig, TERM: 'xterm', CI: '' }, 60_000);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 receiver joining 239.255.77.1');
    expect(r.stdout).toContain('local-pods        k8s-node-1   k8s-node-1   4      4          0%     delivered   -');
    expect(await leftovers(sim)).toBe('');
  });
});
