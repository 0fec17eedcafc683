import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mcastctl, testPki, type RunningSim } from '../helpers/sim.js';
import { SimApiServer } from '../sim/api-server.js';
import type { Scenario } from '../sim/scenario.js';
import { JOINER_SCRIPT, LAB_GROUP, labPrerequisites, leftoverNamespaces, MulticastLab } from './lab.js';

const run = promisify(execFile);
const missing = await labPrerequisites();
if (missing && process.env.CI === 'true') throw new Error(`CI=true and the multicast lab cannot run: ${missing}`);
if (missing) console.log(`skipping the multicast lab tests: ${missing}`);

describe.skipIf(missing !== undefined)('a real multicast network under the simulator', () => {
  let lab: MulticastLab;
  let sim: RunningSim;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    lab = new MulticastLab();
    const started = performance.now();
    for (const name of ['lab-node-1', 'lab-node-2']) lab.startReceivers(await lab.addNode(name));
    timings.build = performance.now() - started;
    const scenario: Scenario = {
      antreaVersion: 'v2.7.0',
      config: { agent: { 'multicast.enable': true } },
      nodes: [
        { name: 'lab-node-1', lab: true, internalIP: '172.18.1.2' },
        { name: 'lab-node-2', lab: true, internalIP: '172.18.2.2' },
      ],
      workloads: [],
    };
    const server = new SimApiServer(scenario, { pki: testPki(), lab: { has: (n) => lab.nodes.has(n), exec: (n, argv) => lab.exec(n, argv) } });
    await server.start();
    const dir = mkdtempSync(join(tmpdir(), 'mcastctl-lab-test-'));
    writeFileSync(join(dir, 'kubeconfig'), server.kubeconfig());
    sim = { server, dir, kubeconfig: join(dir, 'kubeconfig'), stop: () => server.stop() };
  });

  afterAll(async () => {
    await sim?.stop();
    const pids = lab?.pids() ?? [];
    const started = performance.now();
    await lab?.teardown();
    timings.teardown = performance.now() - started;
    console.log(`multicast lab: build of 2 Nodes with routers ${timings.build?.toFixed(0)} ms, teardown ${timings.teardown.toFixed(0)} ms`);
    // Nothing the lab made may outlive it.
    expect(await leftoverNamespaces(lab.prefix)).toEqual([]);
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  });

  it('get mroute shows the real (S,G) entry, antrea-gw0 → eth0, with counters that grow', async () => {
    const node = lab.nodes.get('lab-node-1')!;
    const sending = lab.send(node, 3);
    await new Promise((r) => setTimeout(r, 1200));
    const first = await mcastctl(sim, ['get', 'mroute', '--node', 'lab-node-1', '--group', LAB_GROUP, '--source', node.podA, '-o', 'json']);
    await sending;
    const second = await mcastctl(sim, ['get', 'mroute', '--node', 'lab-node-1', '--group', LAB_GROUP, '--source', node.podA, '-o', 'json']);
    expect(first.code).toBe(0);
    const [a] = JSON.parse(first.stdout).items;
    const [b] = JSON.parse(second.stdout).items;
    expect(a).toMatchObject({ node: 'lab-node-1', source: node.podA, group: LAB_GROUP, iif: 'antrea-gw0', state: 'resolved' });
    expect(a.oifs.map((o: { name: string }) => o.name)).toContain('eth0');
    expect(a.packets).toBeGreaterThan(0);
    expect(b.packets).toBeGreaterThan(a.packets);
    expect(b.bytes).toBeGreaterThan(a.bytes);
    const table = await mcastctl(sim, ['get', 'mroute', '--node', 'lab-node-1']);
    const rows = table.stdout.trimEnd().split('\n').map((l) => l.split(/\s+/));
    expect(rows[0]).toEqual(['NODE', 'SOURCE', 'GROUP', 'IIF', 'OIFS', 'STATE', 'PACKETS', 'BYTES']);
    expect(rows.find((r) => r[1] === node.podA)?.slice(0, 6)).toEqual(['lab-node-1', node.podA, LAB_GROUP, 'antrea-gw0', 'eth0', 'resolved']);
  });

  it('get igmp reports the kernel\'s limit and the groups the Node joined', async () => {
    const r = await mcastctl(sim, ['get', 'igmp', '--node', 'lab-node-1', '-o', 'json']);
    expect(r.code).toBe(0);
    const [row] = JSON.parse(r.stdout).items;
    expect(row.limit).toBe(20);
    expect(row.joinedGroups).toEqual([LAB_GROUP]);
  });

  it('21 groups on one socket fail with ENOBUFS at the default 20; igmp set-max 64 fixes it', async () => {
    const node = lab.nodes.get('lab-node-2')!;
    const groups = Array.from({ length: 21 }, (_, i) => `239.1.1.${i + 1}`);
    // The agent joins, on the transport interface and from one socket, every group of its Node's receivers.
    const joiner = lab.spawn(node.ns.node, ['python3', JOINER_SCRIPT, 'eth0', ...groups]);
    const lines: string[] = [];
    joiner.stdout!.on('data', (c: Buffer) => lines.push(...c.toString().trim().split('\n')));
    const until = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!lines.some((l) => pattern.test(l))) {
        if (Date.now() > deadline) throw new Error(`joiner said: ${lines.join(' | ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await until(/^joined 20 of 21; #21 239\.1\.1\.21 failed: errno ENOBUFS$/);
    const before = await mcastctl(sim, ['get', 'igmp', '--node', 'lab-node-2', '-o', 'jsonpath={.items[0].joined} {.items[0].status}']);
    expect(before.stdout).toBe('21 AT LIMIT');
    const doctorBefore = JSON.parse((await mcastctl(sim, ['doctor', '--check', 'igmp-limits', '-o', 'json'])).stdout).items[0];
    expect(doctorBefore).toMatchObject({ status: 'WARN', nodes: ['lab-node-2'], command: 'mcastctl igmp set-max 64 --node lab-node-2 --persist' });

    const r = await mcastctl(sim, ['igmp', 'set-max', '64', '--node', 'lab-node-2']);
    expect(r).toEqual({ code: 0, stderr: '', stdout: 'NODE         BEFORE   AFTER   RESULT\nlab-node-2   20       64      changed\n' });
    await until(/^joined 21 of 21$/);
    const kernel = await run('ip', ['netns', 'exec', node.ns.node, 'sysctl', '-n', 'net.ipv4.igmp_max_memberships']);
    expect(kernel.stdout.trim()).toBe('64');
    // The sysctl is per network namespace: the other Node and this machine keep theirs.
    const other = await run('ip', ['netns', 'exec', lab.nodes.get('lab-node-1')!.ns.node, 'sysctl', '-n', 'net.ipv4.igmp_max_memberships']);
    expect(other.stdout.trim()).toBe('20');
    const after = await mcastctl(sim, ['get', 'igmp', '--node', 'lab-node-2', '-o', 'jsonpath={.items[0].limit} {.items[0].joined} {.items[0].status}']);
    expect(after.stdout).toBe('64 22 OK');
    const doctorAfter = JSON.parse((await mcastctl(sim, ['doctor', '--check', 'igmp-limits', '-o', 'json'])).stdout).items[0];
    expect(doctorAfter.status).toBe('PASS');
    const again = await mcastctl(sim, ['igmp', 'set-max', '64', '--node', 'lab-node-2']);
    expect(again.stdout).toBe('NODE         BEFORE   AFTER   RESULT\nlab-node-2   64       64      unchanged\n');
  });

  it('doctor reads the real routes: traffic routed to a group nobody in the cluster joined', async () => {
    const r = JSON.parse((await mcastctl(sim, ['doctor', '--check', 'groups-without-receivers', '-o', 'json'])).stdout).items[0];
    expect(r.status).toBe('WARN');
    expect(r.nodes).toContain('lab-node-1');
    expect(r.message).toBe(`traffic to ${LAB_GROUP} is routed but no Pod joined (not in multicastgroups)`);
  });

  it('commands off the allow-list never run in a Node namespace', async () => {
    const r = await mcastctl(sim, ['get', 'mroute', '--node', 'lab-node-1', '-o', 'name']);
    expect(r.code).toBe(0);
    const agent = sim.server.cluster.agents.get('lab-node-1')!;
    const { runsInLab } = await import('../sim/lab-backend.js');
    expect(runsInLab(['sysctl', '-w', 'net.ipv4.ip_forward=0'])).toBe(false);
    expect(runsInLab(['cat', '/etc/shadow'])).toBe(false);
    expect(runsInLab(['ip', 'link', 'del', 'eth0'])).toBe(false);
    expect(runsInLab(['sysctl', '-w', 'net.ipv4.igmp_max_memberships=64'])).toBe(true);
    expect(agent.node.lab).toBe(true);
  });
});
