/**
 * The write pre-flight: each of Antrea's start-up rules, at the releases where it changes, refused
 * before anything is written (the ConfigMap read back with kubectl is byte-identical), and the
 * misplaced-key repair. Scenario files: test/e2e/scenarios/.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { checkConfigs, releaseProfile } from '../../src/antrea/release.js';
import { parseRelease } from '../../src/antrea/featuregate-catalogue.js';
import { kubectl, mcastctl, startSim, type RunningSim } from '../helpers/sim.js';
import type { Scenario } from '../sim/scenario.js';

const scenario = (name: string) => join(import.meta.dirname, 'scenarios', `${name}.yaml`);

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** The ConfigMap as kubectl reads it: the bytes a refused write must leave alone. */
async function configMapText(): Promise<string> {
  const r = await kubectl(sim!, ['-n', 'kube-system', 'get', 'configmap', 'antrea-config', '-o', 'json']);
  expect(r.code).toBe(0);
  return r.stdout;
}

const agentConf = async () => JSON.parse(await configMapText()).data['antrea-agent.conf'] as string;

async function expectRefused(args: string[], stderr: RegExp): Promise<void> {
  const before = await configMapText();
  for (const extra of [['--dry-run'], []]) {
    const r = await mcastctl(sim, [...args, ...extra]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(stderr);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.code).toBe(8);
    expect(await configMapText()).toBe(before);
  }
  const backup = await kubectl(sim!, ['-n', 'kube-system', 'get', 'configmap', 'antrea-config-mcastctl-backup']);
  expect(backup.code).toBe(1);
}

const versioned = (version: string, agent: Record<string, unknown>) => (s: Scenario) => {
  s.antreaVersion = version;
  s.config = { agent };
};

describe('multicast with traffic encryption', () => {
  it('v2.7 + WireGuard: multicast enable is refused with the agent\'s own fatal error, dry run too', async () => {
    sim = await startSim(scenario('v2.7-wireguard'));
    await expectRefused(
      ['multicast', 'enable'],
      /^error: refusing to change antrea-config: Antrea v2\.7\.0 agents would not start: antrea-agent\.conf line \d+: failed to validate multicast config: Multicast feature doesn't work with the current encryption mode 'WireGuard'; fix: set trafficEncryptionMode: none in antrea-agent\.conf, or keep multicast off \[multicast-encryption: cmd\/antrea-agent\/options\.go validateMulticastConfig, v2\.0\.0\+ \(antrea-io\/antrea #5916, #5920\)\]\n$/,
    );
  });

  it('v2.0.0 refuses IPsec the same way; v1.15.0 agents start but multicast cannot work: refused as unsupported', async () => {
    sim = await startSim(scenario('v2.7-wireguard'), versioned('v2.0.0', { trafficEncryptionMode: 'ipsec' }));
    await expectRefused(['multicast', 'enable'], /agents would not start: .*current encryption mode 'IPsec'/);
    await sim.stop();
    sim = await startSim(scenario('v2.7-wireguard'), versioned('v1.15.0', { trafficEncryptionMode: 'wireGuard' }));
    await expectRefused(['multicast', 'enable'], /^error: refusing to change antrea-config: unsupported on Antrea v1\.15\.0: antrea-agent\.conf line \d+: multicast does not work with trafficEncryptionMode WireGuard/);
  });

  it('disabling multicast on such a cluster is allowed: it removes the problem', async () => {
    sim = await startSim(scenario('v2.7-wireguard'), (s) => {
      s.config!.agent!['multicast.enable'] = true;
    });
    const r = await mcastctl(sim, ['multicast', 'disable', '--no-restart']);
    expect(r.code).toBe(0);
    expect(parse(await agentConf()).multicast.enable).toBe(false);
  });
});

describe('multicast with networkPolicyOnly', () => {
  it('v2.7: refused as the agent refuses it (v2.5+)', async () => {
    sim = await startSim(scenario('v2.7-networkpolicyonly'));
    await expectRefused(['multicast', 'enable'], /agents would not start: antrea-agent\.conf line \d+: failed to validate multicast config: Multicast feature doesn't work with the networkPolicyOnly mode; .*\[multicast-network-policy-only: .*#7362/);
  });

  it('v2.4: agents start, multicast does not work: refused as unsupported', async () => {
    sim = await startSim(scenario('v2.7-networkpolicyonly'), versioned('v2.4.0', { trafficEncapMode: 'networkPolicyOnly' }));
    await expectRefused(['multicast', 'enable'], /^error: refusing to change antrea-config: unsupported on Antrea v2\.4\.0: .*multicast does not work in networkPolicyOnly mode/);
  });
});

describe('multicastInterfaces and the IGMP settings', () => {
  it('encap + --interfaces eth1 is refused (documented limitation); noEncap takes it', async () => {
    sim = await startSim(scenario('v2.7-encap'));
    await expectRefused(['multicast', 'enable', '--interfaces', 'eth1'], /unsupported on Antrea v2\.7\.0: antrea-agent\.conf line \d+: multicast\.multicastInterfaces \(eth1\) is not supported in encap mode/);
    const plain = await mcastctl(sim, ['multicast', 'enable', '--no-restart']);
    expect(plain.code).toBe(0);
    await sim.stop();
    sim = await startSim(scenario('v2.7-encap'), versioned('v2.7.0', { trafficEncapMode: 'noEncap' }));
    const ok = await mcastctl(sim, ['multicast', 'enable', '--interfaces', 'eth1', '--no-restart']);
    expect(ok.code).toBe(0);
    expect(parse(await agentConf()).multicast.multicastInterfaces).toEqual(['eth1']);
  });

  it('--igmp-query-interval is read as the agent reads it (Go durations, positive)', async () => {
    sim = await startSim(scenario('v2.7-encap'));
    const before = await configMapText();
    expect(await mcastctl(sim, ['multicast', 'enable', '--igmp-query-interval', '0s'])).toMatchObject({ code: 2, stdout: '' });
    const days = await mcastctl(sim, ['multicast', 'enable', '--igmp-query-interval', '1d']);
    expect(days.stderr).toMatch(/^error: invalid --igmp-query-interval "1d": time: unknown unit "d" in duration "1d"/);
    expect(days.code).toBe(2);
    expect(await configMapText()).toBe(before);
    const go = await mcastctl(sim, ['multicast', 'enable', '--igmp-query-interval', '1m30.5s', '--no-restart']);
    expect(go.code).toBe(0);
    expect(parse(await agentConf()).multicast.igmpQueryInterval).toBe('1m30.5s');
  });

  it('a ConfigMap whose igmpQueryVersions the agent rejects (kubectl-written) blocks enable until fixed', async () => {
    sim = await startSim(scenario('v2.7-encap'));
    const conf = (await agentConf()).replace(/igmpQueryVersions:\n(\s+- 1\n\s+- 2\n\s+- 3)/, 'igmpQueryVersions: [2, 4]');
    expect((await kubectl(sim, ['-n', 'kube-system', 'patch', 'configmap', 'antrea-config', '--type', 'merge', '-p', JSON.stringify({ data: { 'antrea-agent.conf': conf } })])).code).toBe(0);
    await expectRefused(['multicast', 'enable'], /agents would not start: antrea-agent\.conf line \d+: failed to validate multicast config: igmpQueryVersions should be a subset of \[1 2 3\]/);
  });
});

describe('keys a release does not know', () => {
  it('v1.11 + top-level "Multicast: true": enable moves it under featureGates (shown in the diff) and the result decodes strictly', async () => {
    sim = await startSim(scenario('v1.11-top-level-multicast'));
    const dry = await mcastctl(sim, ['multicast', 'enable', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('  move Multicast: true to featureGates.Multicast in antrea-agent.conf (agents of Antrea v1.11.0 decode antrea-agent.conf strictly: field Multicast is unknown to them;');
    expect(dry.stdout).toContain('\n-Multicast: true\n');
    expect(dry.stdout).toMatch(/\n\+  Multicast: true\n/);
    const r = await mcastctl(sim, ['multicast', 'enable', '--no-restart']);
    expect(r.code).toBe(0);
    const data = JSON.parse(await configMapText()).data;
    expect(parse(data['antrea-agent.conf']).Multicast).toBeUndefined();
    expect(parse(data['antrea-agent.conf']).featureGates).toEqual({ Multicast: true });
    expect(parse(data['antrea-controller.conf']).featureGates).toEqual({ Multicast: true });
    expect(checkConfigs(releaseProfile(parseRelease('v1.11.0')!), data)).toEqual([]);
  });

  it('v1.11 + top-level "Multicast: true": the agents crash-loop on it; enable --wait moves it and they start, multicast on', async () => {
    sim = await startSim(scenario('v1.11-top-level-multicast'));
    const crashing = await kubectl(sim, ['-n', 'kube-system', 'get', 'pods', '-l', 'component=antrea-agent', '-o', 'jsonpath={.items[*].status.containerStatuses[0].ready}']);
    expect(crashing.stdout).toBe('false false');
    const r = await mcastctl(sim, ['multicast', 'enable', '--wait', '--timeout', '30s']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\ndaemonset\.apps\/antrea-agent rolled out: every agent Pod is ready\nverified on 2 Nodes\n$/);
    expect(r.code).toBe(0);
  });

  it('v1.11: a key only v1.12+ knows, written by hand, is refused on the next write (strict decoding)', async () => {
    sim = await startSim(scenario('v1.11-top-level-multicast'), versioned('v1.11.0', { 'multicast.igmpQueryVersions': [1, 2] }));
    await expectRefused(['featuregate', 'set', 'Traceflow=false'], /^error: refusing to change antrea-config: Antrea v1\.11\.0 agents would not start: antrea-agent\.conf line \d+: agents of Antrea v1\.11\.0 decode antrea-agent\.conf strictly: field multicast\.igmpQueryVersions is unknown to them; fix: remove multicast\.igmpQueryVersions/);
  });

  it('v2.7: a gate the release removed (L7FlowExporter, gone after v2.5) makes the agents exit: refused', async () => {
    sim = await startSim(scenario('v2.7-encap'), versioned('v2.7.0', { 'featureGates.L7FlowExporter': true }));
    await expectRefused(['featuregate', 'set', 'Traceflow=false'], /agents would not start: antrea-agent\.conf line \d+: unrecognized feature gate: L7FlowExporter;/);
  });
});

describe('--tkgs: the AntreaConfig is pre-flighted too', () => {
  const antreaConfig = (config: Record<string, unknown>) => (s: Scenario) => {
    s.antreaVersion = 'v2.7.0';
    s.tkgs = { crd: true, antreaConfigs: [{ apiVersion: 'cni.tanzu.vmware.com/v1alpha1', kind: 'AntreaConfig', metadata: { name: 'mccluster-antrea-package', namespace: 'mcast' }, spec: { antrea: { config } } }] };
  };
  const tkgs = ['multicast', 'enable', '--tkgs', '--tkgs-cluster', 'mccluster', '--namespace', 'mcast'];
  const stored = () => JSON.stringify(sim!.server.cluster.store.get('antreaconfigs', 'mcast', 'mccluster-antrea-package'));

  it('WireGuard in the AntreaConfig: refused, nothing patched', async () => {
    sim = await startSim(scenario('v2.7-encap'), antreaConfig({ trafficEncryptionMode: 'WireGuard', featureGates: { Multicast: false } }));
    const before = stored();
    expect(before).toContain('"trafficEncryptionMode":"WireGuard"');
    const r = await mcastctl(sim, tkgs);
    expect(r.stderr).toMatch(/^error: refusing to change the AntreaConfig: Antrea v2\.7\.0 agents would not start: spec\.antrea\.config: failed to validate multicast config: Multicast feature doesn't work with the current encryption mode 'WireGuard'/);
    expect(r.code).toBe(8);
    expect(stored()).toBe(before);
  });

  it('--interfaces in encap mode: refused; in noEncap: patched', async () => {
    sim = await startSim(scenario('v2.7-encap'), antreaConfig({ featureGates: { Multicast: false } }));
    expect((await mcastctl(sim, [...tkgs, '--interfaces', 'eth1'])).code).toBe(8);
    await sim.stop();
    sim = await startSim(scenario('v2.7-encap'), antreaConfig({ trafficEncapMode: 'noEncap', featureGates: { Multicast: false } }));
    expect((await mcastctl(sim, [...tkgs, '--interfaces', 'eth1'])).code).toBe(0);
  });
});

describe('judged by what the agents run, not by the ConfigMap text', () => {
  async function editWithoutRestart(): Promise<void> {
    const conf = (await agentConf()).replace(/(multicast:[\s\S]*?)enable: false/, '$1enable: true');
    const r = await kubectl(sim!, ['-n', 'kube-system', 'patch', 'configmap', 'antrea-config', '--type', 'merge', '-p', JSON.stringify({ data: { 'antrea-agent.conf': conf } })]);
    expect(r.code).toBe(0);
  }

  it('ConfigMap already says enable: true, agents still run without multicast: they are restarted and verified', async () => {
    sim = await startSim(scenario('v2.7-configmap-edited'));
    await editWithoutRestart();
    const rv = JSON.parse(await configMapText()).metadata.resourceVersion;
    const r = await mcastctl(sim, ['multicast', 'enable', '--wait', '--timeout', '20s']);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').slice(2)).toEqual([
      'configmap/antrea-config unchanged: it already says so, but 2 agents run something else: k8s-node-1 (multicast is disabled there, expected enabled), k8s-node-2 (multicast is disabled there, expected enabled)',
      'daemonset.apps/antrea-agent restarted',
      'daemonset.apps/antrea-agent rolled out: every agent Pod is ready',
      'verified on 2 Nodes',
      '',
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(await configMapText()).metadata.resourceVersion).toBe(rv);
  });

  it('--dry-run shows the restart the real run would do, and changes nothing', async () => {
    sim = await startSim(scenario('v2.7-configmap-edited'));
    await editWithoutRestart();
    const before = (await kubectl(sim, ['-n', 'kube-system', 'get', 'configmap/antrea-config', 'daemonset/antrea-agent', '-o', 'jsonpath={.items[*].metadata.resourceVersion}'])).stdout;
    const r = await mcastctl(sim, ['multicast', 'enable', '--dry-run']);
    expect(r.stdout.split('\n').slice(2)).toEqual([
      'configmap/antrea-config unchanged (dry run): it already says so, but 2 agents run something else: k8s-node-1 (multicast is disabled there, expected enabled), k8s-node-2 (multicast is disabled there, expected enabled)',
      'daemonset.apps/antrea-agent would be restarted (dry run: nothing was changed)',
      '',
    ]);
    expect(r.code).toBe(0);
    expect((await kubectl(sim, ['-n', 'kube-system', 'get', 'configmap/antrea-config', 'daemonset/antrea-agent', '-o', 'jsonpath={.items[*].metadata.resourceVersion}'])).stdout).toBe(before);
    // One agent restarted by hand (it reads the edited ConfigMap): the other one "runs" something else.
    const pod = (await kubectl(sim, ['-n', 'kube-system', 'get', 'pods', '-l', 'component=antrea-agent', '--field-selector', 'spec.nodeName=k8s-node-1', '-o', 'jsonpath={.items[0].metadata.name}'])).stdout;
    expect((await kubectl(sim, ['-n', 'kube-system', 'delete', 'pod', pod])).code).toBe(0);
    const one = await mcastctl(sim, ['multicast', 'enable', '--dry-run', '--no-restart']);
    expect(one.stdout).toContain('it already says so, but 1 agent runs something else: k8s-node-2 (multicast is disabled there, expected enabled)\n');
    expect(one.stderr).toBe('error: a restart is due: 1 agent runs something else than the ConfigMap says: k8s-node-2 (multicast is disabled there, expected enabled); run: kubectl -n kube-system rollout restart daemonset/antrea-agent\n');
    expect(one.code).toBe(9);
  });

  it('with --no-restart it says a restart is due and exits 9', async () => {
    sim = await startSim(scenario('v2.7-configmap-edited'));
    await editWithoutRestart();
    const r = await mcastctl(sim, ['multicast', 'enable', '--no-restart']);
    expect(r.stderr).toBe(
      'error: a restart is due: 2 agents run something else than the ConfigMap says: k8s-node-1 (multicast is disabled there, expected enabled), k8s-node-2 (multicast is disabled there, expected enabled); run: kubectl -n kube-system rollout restart daemonset/antrea-agent\n',
    );
    expect(r.code).toBe(9);
  });

  it('agents that cannot be asked (crash-looping) are named: never "every agent runs it"', async () => {
    sim = await startSim(scenario('crash-looping'));
    const r = await mcastctl(sim, ['multicast', 'enable']);
    expect(r.stdout.split('\n').slice(2)).toEqual(['configmap/antrea-config unchanged: it already says so; 0 of 2 agents answered and run it', '']);
    expect(r.stderr).toMatch(/^error: k8s-node-1: agent Pod antrea-agent-\S+ is not ready \(CrashLoopBackOff\)\nerror: k8s-node-2: agent Pod antrea-agent-\S+ is not ready \(CrashLoopBackOff\)\n$/);
    expect(r.code).toBe(1);
  });

  it('when the agents do run it, nothing is restarted', async () => {
    sim = await startSim(scenario('v2.7-configmap-edited'));
    expect((await mcastctl(sim, ['multicast', 'enable', '--wait', '--timeout', '20s'])).code).toBe(0);
    const r = await mcastctl(sim, ['multicast', 'enable']);
    expect(r.stdout.split('\n').slice(2)).toEqual(['configmap/antrea-config unchanged: it already says so, and every agent runs it', '']);
    expect(r.code).toBe(0);
  });
});
