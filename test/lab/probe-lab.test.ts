// mcastctl probe on lab-backed Nodes: the probe's Pods are real network namespaces running a real
// mcjoin, packets cross a real multicast router and a real IGMP-snooping underlay, and the
// failures are the kernel's own (a Node at igmp_max_memberships, a route removed).
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, mcastctl, testPki, type RunningSim } from '../helpers/sim.js';
import { SimApiServer } from '../sim/api-server.js';
import type { Scenario } from '../sim/scenario.js';
import { labPrerequisites, leftoverNamespaces, MulticastLab } from './lab.js';
import { ProbeLab, UNDERLAY_INTERFACE } from './probe-lab.js';

const run = promisify(execFile);
const missing = await labPrerequisites();
if (missing && process.env.CI === 'true') throw new Error(`CI=true and the multicast lab cannot run: ${missing}`);
const GROUP = '239.255.88.1';
const PROBE = ['probe', '--group', GROUP, '--count', '5', '--interval', '100ms', '-o', 'json'];

interface PathJson {
  path: string;
  to: { node: string };
  sent: number;
  received: number;
  verdict: string;
  evidence: string[];
}

describe.skipIf(missing !== undefined)('mcastctl probe on a real multicast network', () => {
  let lab: MulticastLab;
  let probeLab: ProbeLab;
  let sim: RunningSim;

  beforeAll(async () => {
    lab = new MulticastLab();
    for (const name of ['lab-node-1', 'lab-node-2']) await lab.addNode(name);
    probeLab = new ProbeLab(lab, GROUP);
    await probeLab.connect();
    const scenario: Scenario = {
      antreaVersion: 'v2.7.0',
      config: { agent: { 'multicast.enable': true, trafficEncapMode: 'noEncap' } },
      nodes: [
        { name: 'lab-node-1', lab: true, internalIP: '172.18.1.2', podCIDR: '10.10.1.0/24' },
        { name: 'lab-node-2', lab: true, internalIP: '172.18.2.2', podCIDR: '10.10.2.0/24' },
      ],
      workloads: [],
    };
    const server = new SimApiServer(scenario, { pki: testPki(), lab: probeLab.backend() });
    await server.start();
    const dir = mkdtempSync(join(tmpdir(), 'mcastctl-probe-lab-'));
    writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig());
    sim = { server, dir, kubeconfig: join(dir, 'kubeconfig'), stop: () => server.stop() };
  });

  afterAll(async () => {
    await sim?.stop();
    await lab?.teardown();
    expect(await leftoverNamespaces(lab.prefix)).toEqual([]);
  });

  const nothingLeft = async () => {
    const ns = await kubectl(sim, ['get', 'namespaces', '-l', 'app.kubernetes.io/managed-by=mcastctl', '-o', 'name']);
    expect(ns.stdout).toBe('');
  };

  it('delivers for real on the Node and across the underlay; the sender\'s (S,G) route counts the packets', async () => {
    const r = await mcastctl(sim, PROBE);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.paths.map((p: PathJson) => [p.path, p.to.node, p.sent, p.received, p.verdict])).toEqual([
      ['local-pods', 'lab-node-1', 5, 5, 'delivered'],
      ['inter-node-pods', 'lab-node-2', 5, 5, 'delivered'],
    ]);
    // The kernel of lab-node-1 routed the sender's packets from antrea-gw0 to the underlay.
    const routes = JSON.parse((await mcastctl(sim, ['get', 'mroute', '--node', 'lab-node-1', '--group', GROUP, '-o', 'json'])).stdout).items;
    expect(routes).toHaveLength(1);
    expect(routes[0]).toMatchObject({ node: 'lab-node-1', group: GROUP, iif: 'antrea-gw0', state: 'resolved' });
    expect(routes[0].oifs.map((o: { name: string }) => o.name)).toEqual([UNDERLAY_INTERFACE]);
    expect(routes[0].packets).toBeGreaterThanOrEqual(5);
    await nothingLeft();
  });

  it('a receiver Node at igmp_max_memberships really misses the group, and the probe says why', async () => {
    // An earlier receiver's group fills the agent's one socket; the limit is lowered to 1.
    expect(await probeLab.agentSays('lab-node-2', `join ${UNDERLAY_INTERFACE} 239.1.1.1`)).toBe('joined 239.1.1.1');
    const lowered = await mcastctl(sim, ['igmp', 'set-max', '1', '--node', 'lab-node-2', '--allow-decrease']);
    expect(lowered.code).toBe(0);
    try {
      const r = await mcastctl(sim, PROBE);
      expect(r.code).toBe(11);
      expect(r.stderr).toBe('error: multicast was not delivered to Node lab-node-2 (see EVIDENCE)\n');
      const [local, remote] = JSON.parse(r.stdout).paths as PathJson[];
      expect(local.verdict).toBe('delivered');
      expect(remote).toMatchObject({ path: 'inter-node-pods', sent: 5, received: 0, verdict: 'failed' });
      expect(remote.evidence).toContain(`lab-node-2 is at igmp_max_memberships (2 of 1): its agent cannot join ${GROUP} on the transport interface`);
      await nothingLeft();
    } finally {
      await mcastctl(sim, ['igmp', 'set-max', '20', '--node', 'lab-node-2']);
      await probeLab.agentSays('lab-node-2', `leave ${UNDERLAY_INTERFACE} 239.1.1.1`);
    }
    const kernel = await run('ip', ['netns', 'exec', lab.nodes.get('lab-node-2')!.ns.node, 'sysctl', '-n', 'net.ipv4.igmp_max_memberships']);
    expect(kernel.stdout.trim()).toBe('20');
  });

  it('with the route from antrea-gw0 removed on the sender\'s Node nothing leaves it, and the probe names the route', async () => {
    const node1 = lab.nodes.get('lab-node-1')!;
    await probeLab.smcroutectl(node1, ['remove', 'antrea-gw0', GROUP]);
    await probeLab.smcroutectl(node1, ['flush']);
    const r = await mcastctl(sim, PROBE);
    expect(r.code).toBe(11);
    const [local, remote] = JSON.parse(r.stdout).paths as PathJson[];
    expect(local.verdict).toBe('delivered');
    expect(remote).toMatchObject({ path: 'inter-node-pods', received: 0, verdict: 'failed' });
    // smcrouted answers the kernel's upcall for a group it has no rule for with an (S,G) entry that
    // forwards nowhere; before it answers, the entry is unresolved.
    const route = /^(no mroute for \(10\.10\.1\.\d+,239\.255\.88\.1\) on lab-node-1|the mroute for \(10\.10\.1\.\d+,239\.255\.88\.1\) on lab-node-1 (is unresolved|forwards to no interface \(iif antrea-gw0, no oifs\)))/;
    expect(remote.evidence.some((e) => route.test(e)), remote.evidence.join(' | ')).toBe(true);
    await nothingLeft();
  });
});
