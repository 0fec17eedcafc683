import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { MCASTCTL, mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const execsTo = (s: RunningSim, node: string) => {
  const pod = s.server.cluster.agents.get(node)!.podName;
  return s.server.cluster.requestLog.filter((r) => r.path.includes(`/pods/${pod}/exec`)).length;
};

describe('mcastctl get podmulticaststats', () => {
  it('-A merges every agent\'s answer into one sorted table', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['get', 'podmulticaststats', '-A']);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'NAMESPACE   NAME              NODE     INBOUND   OUTBOUND\n' +
        'default     idle              node-a   0         0\n' +
        'default     many-groups       node-b   1000      0\n' +
        'default     too-many-groups   node-c   7         0\n' +
        'media       vlc-receiver-1    node-b   50        0\n' +
        'media       vlc-receiver-2    node-c   48        0\n' +
        'media       vlc-sender        node-a   0         54\n',
    });
  });

  it('without -n uses the context\'s namespace; -n picks another', async () => {
    sim = await startSim('read-commands');
    const byContext = await mcastctl(sim, ['get', 'podmulticaststats', '--no-headers']);
    expect(byContext.stdout).toBe(
      'default   idle              node-a   0      0\n' + 'default   many-groups       node-b   1000   0\n' + 'default   too-many-groups   node-c   7      0\n',
    );
    const media = await mcastctl(sim, ['get', 'podmulticaststats', '-n', 'media', '-o', 'name']);
    expect(media.stdout).toBe('pod/vlc-receiver-1\npod/vlc-receiver-2\npod/vlc-sender\n');
  });

  it('a Pod name asks only that Pod\'s Node', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['get', 'podmulticaststats', 'vlc-receiver-2', '-n', 'media', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      apiVersion: 'mcastctl.antrea.io/v1alpha1',
      kind: 'PodMulticastStatsList',
      items: [{ namespace: 'media', name: 'vlc-receiver-2', node: 'node-c', inbound: 48, outbound: 0 }],
    });
    expect([execsTo(sim, 'node-a'), execsTo(sim, 'node-b'), execsTo(sim, 'node-c')]).toEqual([0, 0, 1]);
  });

  it('an unknown Pod is kubectl\'s NotFound, exit 1', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['get', 'podmulticaststats', 'ghost', '-n', 'media']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'Error from server (NotFound): pods "ghost" not found\n' });
  });

  it('-l filters by the Pods\' labels and asks only their Nodes; --node limits to one Node', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['get', 'podmulticaststats', '-A', '-l', 'app=vlc-receiver', '-o', 'custom-columns=POD:.name,NODE:.node,IN:.inbound']);
    expect(r.stdout).toBe('POD              NODE     IN\nvlc-receiver-1   node-b   50\nvlc-receiver-2   node-c   48\n');
    expect(execsTo(sim, 'node-a')).toBe(0);
    const one = await mcastctl(sim, ['get', 'podmulticaststats', '-A', '--node', 'node-a', '-o', 'jsonpath={range .items[*]}{.name}{"\\n"}{end}']);
    expect(one.stdout).toBe('idle\nvlc-sender\n');
  });

  it('an empty result says so on stderr and exits 0', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['get', 'podmulticaststats', '-n', 'kube-public']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: 'No resources found in kube-public namespace.\n' });
  });

  it('a Node where multicast is off fails alone: exit 3', async () => {
    sim = await startSim('read-commands', (s) => {
      s.nodes[2].agent = { ...s.nodes[2].agent, featureGates: { Multicast: false } };
    });
    const r = await mcastctl(sim, ['get', 'podmulticaststats', '-A', '-o', 'name']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('pod/idle\npod/many-groups\npod/vlc-receiver-1\npod/vlc-sender\n');
    expect(r.stderr).toBe('error: node-c: "antctl get podmulticaststats -o json" exited with code 1: Error: request to server failed: Service Unavailable: Multicast is not enabled\n');
  });

  it('--watch prints rates from successive samples and a reset when counters go backwards; in a pipe the header comes once', async () => {
    sim = await startSim('read-commands', (s) => {
      s.workloads = [{ name: 'rx', namespace: 'media', node: 'node-b', inbound: 5000, inboundRate: 200, outbound: 0 }];
    });
    const child = spawn(process.execPath, [MCASTCTL, 'get', 'podmulticaststats', '-n', 'media', '--watch', '--interval', '1s', '--count', '3'], {
      env: { PATH: process.env.PATH, KUBECONFIG: sim.kubeconfig },
    });
    let out = '';
    let restarted = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      // Restart the agents once the second sample is out: the third sees counters from 0.
      if (!restarted && out.split('\n').length >= 4) {
        restarted = true;
        sim!.server.cluster.restartAgents();
      }
    });
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? -1)));
    expect(code).toBe(0);
    const lines = out.trimEnd().split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[0]).toBe('NAMESPACE   NAME   NODE     INBOUND   OUTBOUND   INBOUND/S   OUTBOUND/S');
    const row = (n: number) => lines[n].split(/\s+/);
    expect(row(1).slice(5)).toEqual(['-', '-']);
    const rate = Number(row(2)[5]);
    expect(rate).toBeGreaterThan(150);
    expect(rate).toBeLessThan(250);
    expect(row(2)[6]).toBe('0.0');
    expect(Number(row(3)[3])).toBeLessThan(Number(row(2)[3]));
    expect(row(3)[5]).toBe('reset');
  });
});

describe('agent discovery', () => {
  it('lists agent Pods page by page (500 a page) and asks every agent', async () => {
    sim = await startSim('read-commands', (s) => {
      s.generatedNodes = { count: 520, prefix: 'bulk-' };
    });
    const r = await mcastctl(sim, ['get', 'mroute', '-o', 'name', '--concurrency', '64']);
    expect(r.code).toBe(0);
    const lists = sim.server.cluster.requestLog.filter((q) => q.path.startsWith('/api/v1/namespaces/kube-system/pods?'));
    expect(lists).toHaveLength(2);
    expect(lists[0].path).toContain('limit=500');
    expect(lists[1].path).toMatch(/continue=\w+/);
    const execed = new Set(sim.server.cluster.requestLog.filter((q) => q.path.includes('/exec?')).map((q) => q.path.split('/exec?')[0]));
    expect(execed.size).toBe(sim.server.cluster.agents.size);
  });

  it('--node asks only for that Node\'s agent Pod (fieldSelector spec.nodeName), whatever the cluster size', async () => {
    sim = await startSim('read-commands', (s) => {
      s.generatedNodes = { count: 520, prefix: 'bulk-' };
    });
    const r = await mcastctl(sim, ['get', 'mroute', '--node', 'node-a', '-o', 'name']);
    expect(r.code).toBe(0);
    const lists = sim.server.cluster.requestLog.filter((q) => q.path.startsWith('/api/v1/namespaces/kube-system/pods?'));
    expect(lists).toHaveLength(1);
    expect(new URL(lists[0].path, 'https://x').searchParams.get('fieldSelector')).toBe('spec.nodeName=node-a');
    expect(sim.server.cluster.requestLog.filter((q) => q.path.includes('/exec?'))).toHaveLength(1);
    const gates = await mcastctl(sim, ['get', 'featuregates', '--node', 'bulk-0007', '-o', 'json']);
    expect(gates.code).toBe(0);
    expect(JSON.parse(gates.stdout).node).toBe('bulk-0007');
    const missing = await mcastctl(sim, ['get', 'featuregates', '--node', 'a,b=c']);
    expect(missing).toMatchObject({ code: 1, stderr: 'error: no antrea-agent Pod runs on Node "a,b=c"\n' });
  });
});

describe('mcastctl get mroute', () => {
  it('reads ip -j, old ip text and /proc alike, across every line shape', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['get', 'mroute', '-o', 'wide']);
    // The kernel reports no counters and no age for an unresolved entry (ipmr_fill_mroute).
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'NODE     SOURCE       GROUP           IIF          OIFS                STATE        PACKETS     BYTES       WRONG-IIF   AGE\n' +
        'node-a   10.10.0.6    239.1.1.1       unresolved   <none>              unresolved   <unknown>   <unknown>   <unknown>   <unknown>\n' +
        'node-a   172.18.0.9   239.3.3.3       eth0         antrea-gw0          resolved     12          17976       12          0.01s\n' +
        'node-a   10.10.0.5    239.255.12.42   antrea-gw0   eth0                resolved     54          80892       0           0.05s\n' +
        'node-b   10.10.1.7    239.1.1.2       antrea-gw0   <none>              resolved     21          31458       0           2.25s\n' +
        'node-b   10.10.0.5    239.255.12.42   eth0         antrea-gw0(ttl 3)   resolved     50          74900       0           0.50s\n' +
        'node-c   10.10.0.5    239.255.12.42   eth0         antrea-gw0          resolved     48          71904       0           <unknown>\n',
    });
    const commands = sim.server.cluster.requestLog.filter((q) => q.path.includes('/exec?')).map((q) => decodeURIComponent(q.path.split('?')[1]));
    expect(commands.some((q) => q.includes('command=cat&command=/proc/net/ip_mr_vif&command=/proc/net/ip_mr_cache'))).toBe(true);
  });

  it('filters by group and source client-side', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['get', 'mroute', '--group', '239.255.12.42', '--source', '10.10.0.5', '-o', 'json']);
    const doc = JSON.parse(r.stdout);
    expect(doc.items.map((i: { node: string }) => i.node)).toEqual(['node-a', 'node-b', 'node-c']);
    expect(doc.items[1]).toEqual({
      node: 'node-b', source: '10.10.0.5', group: '239.255.12.42', iif: 'eth0', oifs: [{ name: 'antrea-gw0', ttl: 3 }], state: 'resolved', offload: false, table: null,
      packets: 50, bytes: 74900, wrongIf: 0, age: 0.5,
    });
  });

  it('rejects an address that is not IPv4: exit 2', async () => {
    const r = await mcastctl(undefined, ['get', 'mroute', '--group', '239.255.12']);
    expect(r).toEqual({ code: 2, stdout: '', stderr: 'error: invalid multicast group "239.255.12" for --group: expected an IPv4 address such as 239.255.12.42\n' });
  });

  it('a Node that hangs is reported; the others print: exit 3', async () => {
    sim = await startSim('read-commands', (s) => {
      s.faults = [{ kind: 'exec-hang', node: 'node-b' }];
    });
    const r = await mcastctl(sim, ['get', 'mroute', '--node-timeout', '1s', '-o', 'name']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('mroute/node-a/10.10.0.6,239.1.1.1\nmroute/node-a/172.18.0.9,239.3.3.3\nmroute/node-a/10.10.0.5,239.255.12.42\nmroute/node-c/10.10.0.5,239.255.12.42\n');
    expect(r.stderr).toBe('error: node-b: no answer within 1s\n');
  });
});

describe('mcastctl get multicastgroups', () => {
  it('prints GROUP and PODS like kubectl, and -o wide adds every member\'s Node', async () => {
    sim = await startSim('default', (s) => {
      s.workloads = [1, 2, 3, 4, 5].map((i) => ({ name: `rx-${i}`, namespace: 'media', node: `k8s-node-${(i % 3) + 1}`, groups: ['239.255.12.42'] }));
    });
    const table = await mcastctl(sim, ['get', 'multicastgroups']);
    expect(table.stdout).toBe('GROUP           PODS\n239.255.12.42   media/rx-1,media/rx-2,media/rx-3 + 2 more...\n');
    const wide = await mcastctl(sim, ['get', 'multicastgroups', '239.255.12.42', '-o', 'wide']);
    expect(wide.stdout).toBe(
      'GROUP           PODS                                                     NODES\n' +
        '239.255.12.42   media/rx-1,media/rx-2,media/rx-3,media/rx-4,media/rx-5   k8s-node-2,k8s-node-3,k8s-node-1,k8s-node-2,k8s-node-3\n',
    );
  });

  it('an unknown group is NotFound (exit 1); a malformed one is a usage error (exit 2)', async () => {
    sim = await startSim('default');
    expect(await mcastctl(sim, ['get', 'multicastgroups', '239.9.9.9'])).toEqual({
      code: 1, stdout: '', stderr: 'Error from server (NotFound): multicastgroup.stats.antrea.io "239.9.9.9" not found\n',
    });
    expect((await mcastctl(sim, ['get', 'multicastgroups', 'video'])).code).toBe(2);
  });
});

describe('mcastctl get igmp', () => {
  it('shows limits, memberships and demand per Node, marking Nodes at or over the limit', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['get', 'igmp']);
    expect(r).toEqual({
      code: 0,
      stderr: '',
      stdout:
        'NODE     MAX-MEMBERSHIPS   JOINED   WANTED   MAX-PER-POD   HEADROOM   STATUS\n' +
        'node-a   20                1        0        0             19         OK\n' +
        'node-b   20                20       21       20            -1         OVER LIMIT\n' +
        'node-c   64                1        22       21            42         OK\n',
    });
  });

  it('reads the real sysctl value after it changes', async () => {
    sim = await startSim('read-commands');
    sim.server.cluster.agents.get('node-b')!.sysctl.igmpMaxMemberships = 21;
    const r = await mcastctl(sim, ['get', 'igmp', '--node', 'node-b', '-o', 'yaml']);
    expect(r.stdout).toBe(
      'apiVersion: mcastctl.antrea.io/v1alpha1\nkind: NodeIgmpList\nitems:\n' +
        '- node: node-b\n  limit: 21\n  joined: 20\n  joinedGroups:\n' +
        Array.from({ length: 20 }, (_, i) => `  - 239.1.1.${i + 1}\n`).sort().join('') +
        '  wanted: 21\n  wantedGroups: 21\n  maxPerPod: 20\n  headroom: 0\n  status: AT LIMIT\n',
    );
  });
});

describe('output flags shared by the read commands', () => {
  it('rejects an unknown -o and a broken jsonpath: exit 2', async () => {
    expect(await mcastctl(undefined, ['get', 'igmp', '-o', 'xml'])).toEqual({
      code: 2, stdout: '', stderr: 'error: unable to match a printer suitable for the output format "xml", allowed formats are: custom-columns,json,jsonpath,name,table,wide,yaml\n',
    });
    expect(await mcastctl(undefined, ['get', 'igmp', '-o', 'custom-columns=NODE'])).toEqual({
      code: 2, stdout: '', stderr: 'error: unexpected custom-columns spec: NODE, expected <header>:<json-path-expr>\n',
    });
  });
});
