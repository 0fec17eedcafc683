import { afterEach, describe, expect, it } from 'vitest';
import { mcastctl, startSim, type RunningSim } from '../helpers/sim.js';
import { setConfKeys } from '../sim/cluster-state.js';
import type { Scenario } from '../sim/scenario.js';

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

interface Check {
  name: string;
  status: string;
  nodes: string[];
  message: string;
  fix?: string;
  command?: string;
  source: string;
}

async function check(name: string, edit?: (s: Scenario) => void, base = 'default', after?: (s: RunningSim) => void): Promise<{ code: number; result: Check }> {
  sim = await startSim(base, edit);
  after?.(sim);
  const r = await mcastctl(sim, ['doctor', '--check', name, '-o', 'json']);
  const doc = JSON.parse(r.stdout);
  expect(doc.kind).toBe('DoctorCheckList');
  expect(doc.items).toHaveLength(1);
  await sim.stop();
  sim = undefined;
  return { code: r.code, result: doc.items[0] };
}

describe('mcastctl doctor on a healthy cluster', () => {
  it('passes every check, exit 0', async () => {
    sim = await startSim('default');
    const r = await mcastctl(sim, ['doctor']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    const rows = r.stdout.trimEnd().split('\n').map((l) => l.split(/\s{3,}/));
    expect(rows[0]).toEqual(['CHECK', 'STATUS', 'NODES', 'MESSAGE']);
    expect(rows.slice(1).map((row) => [row[0], row[1]])).toEqual(
      ['config-valid', 'multicast-enabled', 'config-applied', 'networkpolicystats', 'traffic-mode', 'encryption', 'flexible-ipam', 'kernel-version', 'windows-nodes', 'ip-family',
        'os-image', 'agents-ready', 'local-control-groups', 'igmp-limits', 'groups-without-receivers', 'unresolved-routes'].map((n) => [n, 'PASS']),
    );
  });

  it('--check runs one check; an unknown one lists them', async () => {
    sim = await startSim('default');
    const one = await mcastctl(sim, ['doctor', '--check', 'encryption']);
    expect(one.stdout).toBe('CHECK        STATUS   NODES   MESSAGE\nencryption   PASS     -       trafficEncryptionMode none\n');
    const bad = await mcastctl(sim, ['doctor', '--check', 'dns']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: unknown check "dns"; checks: config-valid, multicast-enabled, config-applied, /);
  });

  it('--check repeated or comma-separated runs every check named, none silently dropped', async () => {
    sim = await startSim('default');
    const names = (r: { stdout: string }) => (JSON.parse(r.stdout).items as Check[]).map((c) => c.name);
    const repeated = await mcastctl(sim, ['doctor', '--check', 'igmp-limits', '--check', 'agents-ready', '-o', 'json']);
    expect(repeated.code).toBe(0);
    expect(names(repeated)).toEqual(['agents-ready', 'igmp-limits']);
    const listed = await mcastctl(sim, ['doctor', '--check', 'igmp-limits,agents-ready', '-o', 'json']);
    expect(names(listed)).toEqual(['agents-ready', 'igmp-limits']);
    const oneBad = await mcastctl(sim, ['doctor', '--check', 'igmp-limits', '--check', 'dns']);
    expect(oneBad.code).toBe(2);
    expect(oneBad.stderr).toMatch(/^error: unknown check "dns"; checks: /);
  });
});

describe('each check, triggered (FAIL/WARN with Nodes and fix) and not', () => {
  it('multicast-enabled: off in the config (v2.7), gate missing for the controller (v1.11), an agent not running it', async () => {
    const off = await check('multicast-enabled', (s) => (s.config = {}));
    expect(off.code).toBe(6);
    expect(off.result).toMatchObject({ status: 'FAIL', nodes: [], command: 'mcastctl multicast enable --wait' });
    expect(off.result.message).toBe('multicast.enable is not true in antrea-agent.conf (Antrea v2.7.0: the Multicast gate reads Enabled but proves nothing)');
    const v111 = await check('multicast-enabled', (s) => {
      s.antreaVersion = 'v1.11.0';
      s.config = { agent: { 'featureGates.Multicast': true } };
    });
    expect(v111.result.message).toBe('the Multicast gate is set for the agents but not in antrea-controller.conf (needed from v1.7)');
    const stale = await check('multicast-enabled', (s) => (s.nodes[1].agent = { featureGates: { Multicast: false } }));
    expect(stale.result).toMatchObject({ status: 'FAIL', nodes: ['k8s-node-2'], message: 'the config switches multicast on, but 1 of 3 agents do not run it' });
    expect((await check('multicast-enabled')).result.status).toBe('PASS');
  });

  it('config-applied: a ConfigMap changed without restarting the agents', async () => {
    const r = await check('config-applied', undefined, 'default', (s) => {
      const cm = s.server.cluster.antreaConfig;
      cm.data['antrea-agent.conf'] = setConfKeys(cm.data['antrea-agent.conf'], { 'featureGates.Traceflow': false });
    });
    expect(r.code).toBe(0);
    expect(r.result).toMatchObject({ status: 'WARN', nodes: ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'], command: 'kubectl -n kube-system rollout restart daemonset/antrea-agent' });
  });

  it('networkpolicystats: off', async () => {
    const r = await check('networkpolicystats', (s) => {
      s.config = { agent: { 'multicast.enable': true, 'featureGates.NetworkPolicyStats': false }, controller: { 'featureGates.NetworkPolicyStats': false } };
    });
    expect(r.result).toMatchObject({ status: 'FAIL', nodes: ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'], command: 'mcastctl featuregate set NetworkPolicyStats=true --wait' });
    expect(r.result.message).toBe('NetworkPolicyStats is off on the controller and on 3 agents: multicastgroups stays empty');
  });

  it('traffic-mode: networkPolicyOnly, and multicastInterfaces in encap mode', async () => {
    const npo = await check('traffic-mode', (s) => (s.config = { agent: { 'multicast.enable': true, trafficEncapMode: 'networkPolicyOnly' } }));
    expect(npo.result).toMatchObject({ status: 'FAIL', message: "failed to validate multicast config: Multicast feature doesn't work with the networkPolicyOnly mode" });
    const encap = await check('traffic-mode', (s) => (s.config = { agent: { 'multicast.enable': true, 'multicast.multicastInterfaces': ['eth1'] } }));
    expect(encap.result.status).toBe('FAIL');
    const noEncap = await check('traffic-mode', (s) => (s.config = { agent: { 'multicast.enable': true, trafficEncapMode: 'noEncap', 'multicast.multicastInterfaces': ['eth1'] } }));
    expect(noEncap.result).toMatchObject({ status: 'PASS', message: 'trafficEncapMode noEncap with multicastInterfaces eth1' });
  });

  it('encryption and flexible-ipam', async () => {
    expect((await check('encryption', (s) => (s.config = { agent: { 'multicast.enable': true, trafficEncryptionMode: 'wireGuard' } }))).result).toMatchObject({
      status: 'FAIL', message: "failed to validate multicast config: Multicast feature doesn't work with the current encryption mode 'WireGuard'",
    });
    // FlexibleIPAM: supported with multicast from v1.15 (PR #4922), without multicastInterfaces.
    const flexible = { 'featureGates.AntreaIPAM': true, enableBridgingMode: true, trafficEncapMode: 'noEncap', noSNAT: true };
    const old = await check('flexible-ipam', (s) => {
      s.antreaVersion = 'v1.14.0';
      s.config = { agent: { 'multicast.enable': true, ...flexible } };
    });
    expect(old.result).toMatchObject({ status: 'FAIL', message: 'multicast does not work with Antrea FlexibleIPAM (AntreaIPAM with enableBridgingMode) before v1.15 (this cluster: v1.14.0)' });
    expect((await check('flexible-ipam', (s) => (s.config = { agent: { 'multicast.enable': true, ...flexible } }))).result).toMatchObject({
      status: 'PASS', message: 'FlexibleIPAM is on: supported with multicast from v1.15 (this cluster: v2.7.0)',
    });
    const interfaces = await check('flexible-ipam', (s) => (s.config = { agent: { 'multicast.enable': true, ...flexible, 'multicast.multicastInterfaces': ['eth1'] } }));
    expect(interfaces.result).toMatchObject({ status: 'FAIL', message: 'multicast.multicastInterfaces (eth1) is not supported with Antrea FlexibleIPAM: multicast packets go to the uplink interface only' });
    expect((await check('flexible-ipam', (s) => (s.config = { agent: { 'multicast.enable': true, 'featureGates.AntreaIPAM': true } }))).result.status).toBe('PASS');
  });

  it('kernel-version, windows-nodes and ip-family read the Nodes', async () => {
    const kernel = await check('kernel-version', (s) => (s.nodes[2].kernelVersion = '4.19.0-24-amd64'));
    expect(kernel.result).toMatchObject({ status: 'WARN', nodes: ['k8s-node-3'], message: 'kernel older than 5.4: k8s-node-3 4.19.0-24-amd64' });
    const windows = await check('windows-nodes', (s) => s.nodes.push({ name: 'win-node-1', os: 'windows', internalIP: '172.18.0.9' }));
    expect(windows.result).toMatchObject({ status: 'WARN', nodes: ['win-node-1'] });
    const v6 = await check('ip-family', (s) => {
      s.nodes[0].internalIP = undefined;
      s.nodes[0].internalIPv6 = 'fd00::2';
      s.nodes[1].internalIPv6 = 'fd00::3';
    });
    expect(v6.result).toMatchObject({ status: 'FAIL', nodes: ['k8s-node-1'] });
    const dual = await check('ip-family', (s) => (s.nodes[1].internalIPv6 = 'fd00::3'));
    expect(dual.result).toMatchObject({ status: 'WARN', nodes: ['k8s-node-2'], message: 'dual-stack Nodes: only IPv4 multicast works' });
  });

  it('os-image: the agent log line, and Photon OS without it', async () => {
    const failed = await check('os-image', (s) => {
      s.nodes[0].osImage = 'VMware Photon OS/Linux';
      s.nodes[0].agent = { logs: ['I1123 18:00:00.000000 1 agent.go:100] Starting Antrea agent', 'F1123 18:00:01.000000 1 main.go:53] Error running agent: failed to create multicast socket'] };
    });
    expect(failed.result).toMatchObject({ status: 'FAIL', nodes: ['k8s-node-1'] });
    expect(failed.result.message).toContain('(OS image VMware Photon OS/Linux)');
    const photon = await check('os-image', (s) => (s.nodes[0].osImage = 'VMware Photon OS/Linux'));
    expect(photon.result).toMatchObject({ status: 'WARN', nodes: ['k8s-node-1'] });
  });

  it('agents-ready: not ready, and restarting', async () => {
    const down = await check('agents-ready', (s) => (s.faults = [{ kind: 'agent-not-ready', node: 'k8s-node-3' }]));
    expect(down.result).toMatchObject({ status: 'FAIL', nodes: ['k8s-node-3'], message: '1 agent Pod is not ready' });
    const restarts = await check('agents-ready', (s) => (s.nodes[0].agent = { restarts: 4 }));
    expect(restarts.result).toMatchObject({ status: 'WARN', nodes: ['k8s-node-1'] });
  });

  it('local-control-groups: 224.0.0.0/24 outside encap mode', async () => {
    const local = (s: Scenario) => (s.workloads![1].groups = ['239.255.12.42', '224.0.0.100']);
    const noEncap = await check('local-control-groups', (s) => {
      local(s);
      s.config = { agent: { 'multicast.enable': true, trafficEncapMode: 'noEncap' } };
    });
    expect(noEncap.result).toMatchObject({ status: 'WARN', nodes: ['k8s-node-2'] });
    expect((await check('local-control-groups', local)).result.status).toBe('PASS');
  });

  it('igmp-limits, groups-without-receivers and unresolved-routes read each Node\'s kernel state', async () => {
    const limits = await check('igmp-limits', undefined, 'read-commands');
    expect(limits.code).toBe(6);
    expect(limits.result).toMatchObject({ status: 'FAIL', nodes: ['node-b'], command: 'mcastctl igmp set-max 64 --node node-b --persist' });
    const near = await check('igmp-limits', (s) => (s.nodes[0].kernel!.joinedGroups = { eth0: Array.from({ length: 17 }, (_, i) => `239.9.9.${i + 1}`) }));
    expect(near.result).toMatchObject({ status: 'WARN', nodes: ['k8s-node-1'], message: 'receivers are near igmp_max_memberships on k8s-node-1' });
    const lonely = await check('groups-without-receivers', undefined, 'read-commands');
    expect(lonely.result).toMatchObject({ status: 'WARN', nodes: ['node-a'], message: 'traffic to 239.3.3.3 is routed but no Pod joined (not in multicastgroups)' });
    const unresolved = await check('unresolved-routes', undefined, 'read-commands');
    expect(unresolved.result).toMatchObject({ status: 'WARN', nodes: ['node-a'], message: 'unresolved entries (10.10.0.6,239.1.1.1): the agent installed no route for these senders' });
  });

  it('the human table ends with the fixes', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['doctor']);
    expect(r.code).toBe(6);
    expect(r.stdout.endsWith(
      '\nTo fix:\n' +
        '  igmp-limits: raise net.ipv4.igmp_max_memberships to 64 there (and keep it across reboots)\n' +
        '    $ mcastctl igmp set-max 64 --node node-b --persist\n' +
        '  groups-without-receivers: check the receivers joined the group, or stop the sender\n' +
        '  unresolved-routes: check the agent logs on these Nodes and that multicast runs there\n',
    )).toBe(true);
  });
});
