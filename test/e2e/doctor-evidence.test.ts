/**
 * doctor says PASS only with evidence: UNKNOWN when no agent answered, per-Node gaps in JSON, logs
 * of agents that are not ready, a conf that does not parse, and advice that fits the cluster.
 */
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { kubectl, mcastctl, startSim, type RunningSim } from '../helpers/sim.js';
import type { Scenario } from '../sim/scenario.js';

const scenario = (name: string) => join(import.meta.dirname, 'scenarios', `${name}.yaml`);

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
  command?: string | null;
  unanswered?: Array<{ node: string; reason: string }>;
}

async function doctorJson(args: string[] = []): Promise<{ code: number; stderr: string; checks: Map<string, Check> }> {
  const r = await mcastctl(sim, ['doctor', '-o', 'json', ...args]);
  const doc = JSON.parse(r.stdout) as { items: Check[] };
  return { code: r.code, stderr: r.stderr, checks: new Map(doc.items.map((c) => [c.name, c])) };
}

const FATAL = "F1129 21:00:00.000000       1 main.go:50] Failed to validate: failed to validate multicast config: Multicast feature doesn't work with the current encryption mode 'WireGuard'";

describe('no agent answers: every agent crash-looping', () => {
  it('checks that need an agent are UNKNOWN (never PASS), JSON names each Node and why; agents-ready quotes the fatal line', async () => {
    sim = await startSim(scenario('crash-looping'));
    const { code, checks } = await doctorJson();
    expect(code).toBe(6);
    for (const name of ['multicast-enabled', 'config-applied', 'networkpolicystats', 'igmp-limits', 'groups-without-receivers', 'unresolved-routes']) {
      expect(checks.get(name)!.status, name).toBe('UNKNOWN');
    }
    expect(checks.get('multicast-enabled')).toMatchObject({
      message: 'no agent answered (2 not answering): whether the agents run multicast cannot be known',
      unanswered: [
        { node: 'k8s-node-1', reason: expect.stringContaining('is not ready (CrashLoopBackOff)') },
        { node: 'k8s-node-2', reason: expect.stringContaining('is not ready (CrashLoopBackOff)') },
      ],
    });
    expect(checks.get('agents-ready')).toMatchObject({ status: 'FAIL', nodes: ['k8s-node-1', 'k8s-node-2'], message: `2 agent Pods are not ready: k8s-node-1: ${FATAL}; k8s-node-2: ${FATAL}` });
    // The logs of not-ready agents are read: os-image has evidence.
    expect(checks.get('os-image')!.status).toBe('PASS');
  });

  it('a check with no evidence and no FAIL exits 7', async () => {
    sim = await startSim(scenario('crash-looping'));
    const r = await mcastctl(sim, ['doctor', '--check', 'multicast-enabled']);
    expect(r.stdout).toBe(
      'CHECK               STATUS    NODES   MESSAGE\n' +
        'multicast-enabled   UNKNOWN   -       no agent answered (2 not answering): whether the agents run multicast cannot be known\n',
    );
    expect(r.code).toBe(7);
  });

  it('one agent down: the others\' evidence is reported, the missing Node is named, and the check is UNKNOWN (it could fail there)', async () => {
    sim = await startSim('default', (s) => (s.faults = [{ kind: 'agent-not-ready', node: 'k8s-node-3' }]));
    const { checks } = await doctorJson(['--check', 'multicast-enabled']);
    expect(checks.get('multicast-enabled')).toMatchObject({
      status: 'UNKNOWN', message: 'multicast.enable is true and 2 of 3 agents run multicast; no answer from k8s-node-3',
      unanswered: [{ node: 'k8s-node-3', reason: expect.stringContaining('not ready') }],
    });
  });
});

describe('a conf that does not parse', () => {
  it('config-valid FAILs naming the file and line; the other checks still run', async () => {
    sim = await startSim('default');
    const cm = JSON.parse((await kubectl(sim, ['-n', 'kube-system', 'get', 'configmap', 'antrea-config', '-o', 'json'])).stdout);
    const broken = `${cm.data['antrea-agent.conf']}\nmulticast:\n  enable: true\n`;
    expect((await kubectl(sim, ['-n', 'kube-system', 'patch', 'configmap', 'antrea-config', '--type', 'merge', '-p', JSON.stringify({ data: { 'antrea-agent.conf': broken } })])).code).toBe(0);
    const line = broken.split('\n').length - 2;
    const all = await doctorJson();
    expect(all.checks.size).toBe(16);
    expect(all.code).toBe(6);
    const one = async (name: string) => all.checks.get(name)!;
    expect(await one('config-valid')).toMatchObject({ status: 'FAIL', message: `Antrea v2.7.0 agents would not start with it: antrea-agent.conf line ${line}: antrea-agent.conf is not valid YAML: Map keys must be unique` });
    expect(await one('traffic-mode')).toMatchObject({ status: 'UNKNOWN', message: `the config cannot be read (antrea-agent.conf line ${line}: Map keys must be unique): see config-valid` });
    expect((await one('multicast-enabled')).status).toBe('UNKNOWN');
    expect((await one('agents-ready')).status).toBe('PASS');
    expect((await one('unresolved-routes')).status).toBe('PASS');
    expect((await one('igmp-limits')).status).toBe('PASS');
  });
});

describe('IGMP memberships: groups × multicast interfaces, and the agent\'s own join failures', () => {
  const elevenGroups = (s: Scenario) => {
    s.config = { agent: { 'multicast.enable': true, trafficEncapMode: 'noEncap', 'multicast.multicastInterfaces': ['eth1'] } };
    s.workloads![1].groups = Array.from({ length: 11 }, (_, i) => `239.1.1.${i + 1}`);
  };

  it('11 groups on 2 interfaces (eth1 + the transport interface) = 22 memberships > 20: FAIL, and get igmp WANTED says 22', async () => {
    sim = await startSim('default', elevenGroups);
    const { checks } = await doctorJson(['--check', 'igmp-limits']);
    // The simulated agent joins each group on eth0 and eth1 from one socket: the 21st join fails with
    // ENOBUFS and the agent logs it, which is the evidence doctor names first.
    expect(checks.get('igmp-limits')).toMatchObject({
      status: 'FAIL', nodes: ['k8s-node-2'],
      message: 'agents logged failed joins: k8s-node-2: 239.1.1.11 on eth0 (no buffer space available)',
    });
    const igmp = await mcastctl(sim, ['get', 'igmp', '-o', 'json']);
    const rows = JSON.parse(igmp.stdout).items as Array<{ node: string; wanted: number; wantedGroups: number; status: string }>;
    expect(rows.find((r) => r.node === 'k8s-node-2')).toMatchObject({ wanted: 22, wantedGroups: 11, status: 'OVER LIMIT' });
  });

  it('the agent logged failed joins (ENOBUFS): FAIL naming the Node and the groups', async () => {
    sim = await startSim('default', (s) => {
      s.nodes[2].agent = {
        logs: [
          'I1129 21:00:00.000000       1 mcast_controller.go:380] "Started multicast controller"',
          'E1129 21:00:05.000000       1 mcast_controller.go:483] "Failed to install multicast group identified with local members" err="failed to join multicast group 239.1.1.21 for eth0: no buffer space available" group="239.1.1.21"',
          'E1129 21:00:05.000000       1 mcast_controller.go:439] Error syncing multicast group 239.1.1.21, requeuing. Error: failed to join multicast group 239.1.1.21 for eth0: no buffer space available',
          'E1129 21:00:06.000000       1 mcast_controller.go:483] "Failed to install multicast group identified with local members" err="failed to join multicast group 239.1.1.22 for eth0: no buffer space available" group="239.1.1.22"',
        ],
      };
    });
    const { checks } = await doctorJson(['--check', 'igmp-limits']);
    expect(checks.get('igmp-limits')).toMatchObject({
      status: 'FAIL', nodes: ['k8s-node-3'],
      message: 'agents logged failed joins: k8s-node-3: 239.1.1.21 on eth0, 239.1.1.22 on eth0 (no buffer space available)',
      command: 'mcastctl igmp set-max 64 --node k8s-node-3 --persist',
    });
  });
});

describe('advice that fits the cluster', () => {
  it('TKGs: NetworkPolicyStats goes through the AntreaConfig, not featuregate set', async () => {
    sim = await startSim('default', (s) => {
      s.config = { agent: { 'multicast.enable': true, 'featureGates.NetworkPolicyStats': false }, controller: { 'featureGates.NetworkPolicyStats': false } };
      s.tkgs = { crd: true };
    });
    const { checks } = await doctorJson(['--check', 'networkpolicystats']);
    const result = checks.get('networkpolicystats')!;
    expect(result.status).toBe('FAIL');
    expect(result.command).toBeNull();
    expect(result.fix).toBe('set featureGates.NetworkPolicyStats: true in the cluster\'s AntreaConfig (spec.antrea.config), against the Supervisor: the Supervisor reverts direct edits of antrea-config');
  });

  it('TKGs v1.9 with the gate off: the enable command is the --tkgs form with flags that parse, against the Supervisor', async () => {
    sim = await startSim('default', (s) => {
      s.antreaVersion = 'v1.9.0';
      s.config = { agent: {} };
      s.tkgs = { crd: true, configMapLabels: { 'tkg.tanzu.vmware.com/package-name': 'antrea.tanzu.vmware.com.1.9.0' } };
    });
    const { checks } = await doctorJson(['--check', 'multicast-enabled']);
    const command = 'mcastctl --context SUPERVISOR multicast enable --tkgs --tkgs-cluster CLUSTER --namespace VSPHERE_NAMESPACE';
    expect(checks.get('multicast-enabled')).toMatchObject({ status: 'FAIL', command });
    // Its flags parse (no usage error, exit 2): run here without --context, it gets as far as the cluster.
    const r = await mcastctl(sim, [...command.split(' ').slice(3), '--dry-run']);
    expect(r.code, r.stderr).not.toBe(2);
  });

  it('multicast off with WireGuard: the fix starts with what the enable pre-flight would refuse, no enable command', async () => {
    sim = await startSim(scenario('v2.7-wireguard'));
    const { checks } = await doctorJson(['--check', 'multicast-enabled']);
    expect(checks.get('multicast-enabled')).toMatchObject({ status: 'FAIL', fix: 'set trafficEncryptionMode: none in antrea-agent.conf, or keep multicast off; then switch multicast on' });
    expect(checks.get('multicast-enabled')!.command).toBeNull();
  });

  it('NetworkPolicyStats off: receivers cannot be known, so no "stop the sender"', async () => {
    sim = await startSim('read-commands', (s) => {
      s.config = { ...s.config, agent: { ...s.config?.agent, 'featureGates.NetworkPolicyStats': false }, controller: { 'featureGates.NetworkPolicyStats': false } };
    });
    const r = await mcastctl(sim, ['doctor', '--check', 'groups-without-receivers', '-o', 'json']);
    expect(JSON.parse(r.stdout).items[0]).toMatchObject({
      status: 'UNKNOWN', message: 'NetworkPolicyStats is off: multicastgroups does not list the receivers, so they cannot be known (see networkpolicystats)',
    });
    expect(r.stdout).not.toContain('stop the sender');
    expect(r.code).toBe(7);
  });
});

describe('doctor -o json field names are stable', () => {
  it('default cluster, every check PASS: every item has every field, fix and command null, unanswered []', async () => {
    sim = await startSim('default');
    const r = await mcastctl(sim, ['doctor', '-o', 'json']);
    const items = JSON.parse(r.stdout).items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(16);
    for (const item of items) {
      expect(Object.keys(item), String(item.name)).toEqual(['name', 'status', 'nodes', 'message', 'fix', 'command', 'unanswered', 'source']);
      expect(item, String(item.name)).toMatchObject({ status: 'PASS', nodes: [], fix: null, command: null, unanswered: [] });
    }
  });
});

describe('rules the config does not break yet: multicast off', () => {
  it('v2.7 + WireGuard with multicast.enable absent: encryption WARNs that multicast cannot be switched on, quoting no fatal line', async () => {
    sim = await startSim(scenario('v2.7-wireguard'));
    const r = await mcastctl(sim, ['doctor', '--check', 'encryption']);
    expect(r.stdout).toBe(
      'CHECK        STATUS   NODES   MESSAGE\n' +
        'encryption   WARN     -       multicast cannot be switched on while trafficEncryptionMode is WireGuard: Antrea v2.7.0 agents refuse to start with both\n' +
        '\nTo fix:\n  encryption: set trafficEncryptionMode: none in antrea-agent.conf, or keep multicast off\n',
    );
    expect(r.stdout).not.toContain('failed to validate');
    expect(r.code).toBe(0);
    // The same rule in traffic-mode: networkPolicyOnly with multicast off is a WARN too.
    await sim.stop();
    sim = await startSim(scenario('v2.7-networkpolicyonly'), (s) => (s.config = { agent: { trafficEncapMode: 'networkPolicyOnly' } }));
    const npo = await doctorJson(['--check', 'traffic-mode']);
    expect(npo.checks.get('traffic-mode')).toMatchObject({ status: 'WARN', message: 'multicast cannot be switched on in networkPolicyOnly mode: Antrea v2.7.0 agents refuse to start with both' });
  });
});

describe('agents-ready names the crashed Pods and quotes their whole fatal line', () => {
  const podsOf = async () =>
    (await kubectl(sim!, ['-n', 'kube-system', 'get', 'pods', '-l', 'component=antrea-agent', '-o', 'jsonpath={range .items[*]}{.spec.nodeName} {.metadata.name}{"\\n"}{end}'])).stdout
      .trim().split('\n').map((l) => l.split(' ')).sort(([a], [b]) => a.localeCompare(b)).map(([, pod]) => pod);

  it('crash-looping: the fix command reads each not-ready Pod\'s previous log, by name', async () => {
    sim = await startSim(scenario('crash-looping'));
    const pods = await podsOf();
    expect(pods).toHaveLength(2);
    const { checks } = await doctorJson(['--check', 'agents-ready']);
    expect(checks.get('agents-ready')).toMatchObject({
      status: 'FAIL',
      fix: `read the log of each agent Pod that is not ready (${pods.join(', ')})`,
      command: pods.map((p) => `kubectl -n kube-system logs ${p} -c antrea-agent --previous`).join('; '),
    });
    // The command pastes: kubectl prints the fatal line.
    const log = await kubectl(sim, ['-n', 'kube-system', 'logs', pods[0], '-c', 'antrea-agent', '--previous']);
    expect(log.stdout).toContain(FATAL);
  });

  it('v1.11 + top-level Multicast, --check agents-ready alone: the fatal line with its yaml.v2 continuation', async () => {
    sim = await startSim(scenario('v1.11-top-level-multicast'));
    const { code, checks } = await doctorJson(['--check', 'agents-ready']);
    expect(code).toBe(6);
    const result = checks.get('agents-ready')!;
    expect(result.status).toBe('FAIL');
    expect(result.nodes).toEqual(['k8s-node-1', 'k8s-node-2']);
    for (const node of ['k8s-node-1', 'k8s-node-2']) {
      expect(result.message).toMatch(new RegExp(`${node}: F\\d{4} [\\d:.]+ +1 main\\.go:\\d+\\] Failed to complete: yaml: unmarshal errors: line \\d+: field Multicast not found in type agent\\.AgentConfig(;|$)`));
    }
  });
});

describe('some Nodes unanswered: a PASS on the others is UNKNOWN, claiming only what was seen', () => {
  const unanswering = (s: Scenario) => {
    s.faults = [{ kind: 'exec-hang', node: 'node-b' }, { kind: 'exec-output', node: 'node-c', bytes: 40 * 1024 * 1024 }];
  };
  const igmpLimits = async () => {
    const r = await mcastctl(sim, ['doctor', '--check', 'igmp-limits', '--node-timeout', '3s', '-o', 'json']);
    return { code: r.code, result: (JSON.parse(r.stdout) as { items: Check[] }).items[0] };
  };

  it('--node-timeout 3s, node-b hangs, node-c floods 40 MB: node-b\'s logged failed joins FAIL it, and the silent Nodes are named', async () => {
    sim = await startSim('read-commands', unanswering);
    const { code, result } = await igmpLimits();
    expect(result).toMatchObject({
      status: 'FAIL', nodes: ['node-b'],
      message: 'agents logged failed joins: node-b: 239.1.1.20 on eth0 (no buffer space available) (no answer from node-b, node-c)',
      unanswered: [{ node: 'node-b' }, { node: 'node-c' }],
    });
    expect(code).toBe(6);
  }, 60_000);

  it('the same without node-b\'s 20-group receiver: "node-a has headroom", UNKNOWN (not PASS), exit 7', async () => {
    sim = await startSim('read-commands', (s) => {
      unanswering(s);
      s.workloads = s.workloads!.filter((w) => w.name !== 'many-groups');
    });
    const { code, result } = await igmpLimits();
    expect(result).toMatchObject({
      status: 'UNKNOWN', nodes: [],
      message: 'node-a has headroom under net.ipv4.igmp_max_memberships; no answer from node-b, node-c',
      unanswered: [{ node: 'node-b' }, { node: 'node-c' }],
    });
    expect(code).toBe(7);
  }, 60_000);
});
