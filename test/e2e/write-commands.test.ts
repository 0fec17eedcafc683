import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { diffLines } from 'diff';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { kubectl, KUBECTL, mcastctl, startSim, type RunningSim } from '../helpers/sim.js';
import type { Scenario } from '../sim/scenario.js';

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const cm = () => sim!.server.cluster.antreaConfig;
const conf = (file: 'antrea-agent.conf' | 'antrea-controller.conf') => cm().data[file] as string;
const upstream = (version: string) => parse(readFileSync(join(import.meta.dirname, '..', 'fixtures', 'antrea', `antrea-config-${version}.yml`), 'utf8')).data;
const changed = (a: string, b: string) => diffLines(a, b).filter((p) => p.added || p.removed).map((p) => `${p.added ? '+' : '-'}${p.value}`);

/** A plain upstream cluster of the given version, multicast off as shipped. */
const cluster = (version: string) => (s: Scenario) => {
  s.antreaVersion = version;
  s.config = {};
  s.workloads = [];
};

describe('mcastctl multicast enable: the right change for each Antrea version', () => {
  it.each(['v1.9.0', 'v1.11.0'])('%s: the alpha gate in both confs, nothing else, agents and controller restarted', async (version) => {
    sim = await startSim('default', cluster(version));
    const r = await mcastctl(sim, ['multicast', 'enable']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual([
      `Antrea ${version} (from AntreaAgentInfo):`,
      `  set featureGates.Multicast: true in antrea-agent.conf (Antrea ${version}: Multicast is an alpha feature gate)`,
      '  set featureGates.Multicast: true in antrea-controller.conf (needed from v1.7 for the multicast group API)',
      `configmap/antrea-config patched (resourceVersion ${cm().metadata.resourceVersion}; previous data saved in configmap/antrea-config-mcastctl-backup)`,
      'daemonset.apps/antrea-agent restarted',
      'deployment.apps/antrea-controller restarted',
      '',
    ]);
    const original = upstream(version);
    expect(changed(original['antrea-agent.conf'], conf('antrea-agent.conf'))).toEqual(['+  Multicast: true\n']);
    expect(changed(original['antrea-controller.conf'], conf('antrea-controller.conf'))).toEqual(['+  Multicast: true\n']);
    expect(conf('antrea-agent.conf')).not.toContain('enable: true');
    expect(sim.server.cluster.daemonSets.get('kube-system/antrea-agent')!.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeDefined();
  });

  it.each(['v1.12.0', 'v2.7.0'])('%s: multicast.enable in the agent conf only; the controller keeps running', async (version) => {
    sim = await startSim('default', cluster(version));
    const controllerPod = sim.server.cluster.controller.podName;
    const r = await mcastctl(sim, ['multicast', 'enable', '--wait', '--timeout', '20s']);
    expect(r.code).toBe(0);
    expect(changed(upstream(version)['antrea-agent.conf'], conf('antrea-agent.conf'))).toEqual(['-  enable: false\n', '+  enable: true\n']);
    expect(conf('antrea-controller.conf')).toBe(upstream(version)['antrea-controller.conf']);
    expect(sim.server.cluster.controller.podName).toBe(controllerPod);
    expect(r.stdout.endsWith('daemonset.apps/antrea-agent rolled out: every agent Pod is ready\nverified on 3 Nodes\n')).toBe(true);
    // The agents now run multicast: their podmulticaststats answers instead of 503.
    expect((await mcastctl(sim, ['get', 'podmulticaststats', '-A'])).code).toBe(0);
  });

  it('disable on v2.7.0 gives back the shipped config byte for byte', async () => {
    sim = await startSim('default', cluster('v2.7.0'));
    await mcastctl(sim, ['multicast', 'enable']);
    const r = await mcastctl(sim, ['multicast', 'disable', '--wait']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(conf('antrea-agent.conf')).toBe(upstream('v2.7.0')['antrea-agent.conf']);
  });

  it('options land in the multicast section; a key the version does not know is refused before any write', async () => {
    sim = await startSim('default', (s) => {
      cluster('v1.11.0')(s);
      s.config = { agent: { trafficEncapMode: 'noEncap' } };
    });
    const before = cm().metadata.resourceVersion;
    const refused = await mcastctl(sim, ['multicast', 'enable', '--igmp-query-versions', '2,3']);
    expect(refused).toEqual({ code: 2, stdout: '', stderr: 'error: --igmp-query-versions needs Antrea v1.12 or later: v1.11.0 agents parse their config strictly and would not start with an unknown key\n' });
    expect(cm().metadata.resourceVersion).toBe(before);
    const ok = await mcastctl(sim, ['multicast', 'enable', '--interfaces', 'eth0,eth1', '--igmp-query-interval', '60s', '--no-restart']);
    expect(ok.code).toBe(0);
    expect(parse(conf('antrea-agent.conf')).multicast).toEqual({ multicastInterfaces: ['eth0', 'eth1'], igmpQueryInterval: '60s' });
    expect(ok.stderr).toBe('Warning: agents read their config only at start: the change takes effect after "kubectl -n kube-system rollout restart daemonset/antrea-agent" and "deployment/antrea-controller"\n');
  });
});

describe('writing safely', () => {
  it('--timeout or --no-rollback without --wait is refused (exit 2) before any request, not silently ignored', async () => {
    for (const args of [['multicast', 'disable', '--timeout', '5m'], ['multicast', 'enable', '--no-rollback'], ['featuregate', 'set', 'Multicast=true', '--timeout', '1m'], ['multicast', 'rollback', '--timeout', '1m']]) {
      const flag = args.includes('--timeout') ? '--timeout' : '--no-rollback';
      expect(await mcastctl(undefined, args)).toEqual({ code: 2, stdout: '', stderr: `error: ${flag} is used with --wait\n` });
    }
  });

  it('--dry-run prints a unified diff and changes nothing on the server', async () => {
    sim = await startSim('default', (s) => {
      cluster('v2.7.0')(s);
      s.config = { agent: { trafficEncapMode: 'noEncap' } };
    });
    const before = structuredClone(cm());
    const pods = [...sim.server.cluster.agents.values()].map((a) => a.podName);
    const r = await mcastctl(sim, ['multicast', 'enable', '--dry-run', '--interfaces', 'eth1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--- a/antrea-agent.conf\n+++ b/antrea-agent.conf\n');
    expect(r.stdout).toContain('\n-  enable: false\n+  enable: true\n');
    expect(r.stdout).toContain('\n-  multicastInterfaces:\n+  multicastInterfaces: [eth1]\n');
    expect(r.stdout.endsWith('configmap/antrea-config would be patched (dry run: nothing was changed)\n')).toBe(true);
    expect(cm()).toEqual(before);
    expect(sim.server.cluster.configMaps.has('kube-system/antrea-config-mcastctl-backup')).toBe(false);
    expect([...sim.server.cluster.agents.values()].map((a) => a.podName)).toEqual(pods);
    expect(sim.server.cluster.requestLog.filter((q) => q.method !== 'GET')).toEqual([]);
  });

  it('a conflict mid-write is re-read and re-applied: the other writer\'s change and ours both survive', async () => {
    sim = await startSim('default', (s) => {
      cluster('v2.7.0')(s);
      s.faults = [{ kind: 'conflict', path: '^configmaps/antrea-config$', times: 2, concurrentData: { 'antrea-cni.conflist': '{"cniVersion":"0.3.0","name":"edited-meanwhile"}' } }];
    });
    const r = await mcastctl(sim, ['multicast', 'enable', '--no-restart']);
    expect(r.code).toBe(0);
    expect(sim.server.cluster.requestLog.filter((q) => q.status === 409 && q.path.includes('configmaps/antrea-config')).length).toBe(2);
    expect(cm().data['antrea-cni.conflist']).toBe('{"cniVersion":"0.3.0","name":"edited-meanwhile"}');
    expect(parse(conf('antrea-agent.conf')).multicast.enable).toBe(true);
  });

  it('endless conflicts give up without writing', async () => {
    sim = await startSim('default', (s) => {
      cluster('v2.7.0')(s);
      s.faults = [{ kind: 'conflict', path: '^configmaps/antrea-config$' }];
    });
    const r = await mcastctl(sim, ['multicast', 'enable']);
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: antrea-config kept changing under us (5 conflicts); nothing was written, try again\n' });
    expect(parse(conf('antrea-agent.conf')).multicast.enable).toBe(false);
  });

  it('a 500 on the restart: the change is reported as written and the exit status is 1', async () => {
    sim = await startSim('default', (s) => {
      cluster('v2.7.0')(s);
      s.faults = [{ kind: 'server-error', method: 'PATCH', path: 'daemonsets/antrea-agent$' }];
    });
    const r = await mcastctl(sim, ['multicast', 'enable']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('configmap/antrea-config patched');
    expect(r.stderr).toBe(
      'error: the ConfigMap was changed, but restarting daemonset/antrea-agent failed (Error from server (InternalError): Internal error occurred: simulated server failure); the change takes effect only after: kubectl -n kube-system rollout restart daemonset/antrea-agent\n',
    );
    expect(parse(conf('antrea-agent.conf')).multicast.enable).toBe(true);
  });

  it('--wait names a Node that still runs the old config after the restart', async () => {
    sim = await startSim('default', (s) => {
      cluster('v2.7.0')(s);
      s.faults = [{ kind: 'stale-config', node: 'k8s-node-2' }];
    });
    const r = await mcastctl(sim, ['multicast', 'enable', '--wait']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: k8s-node-2: multicast is disabled there, expected enabled\n');
  });

  it('rollback restores the saved data; the real kubectl reads the changed ConfigMap', async () => {
    sim = await startSim('default', cluster('v1.11.0'));
    await mcastctl(sim, ['multicast', 'enable']);
    if (KUBECTL) {
      const k = await kubectl(sim, ['get', 'configmap', 'antrea-config', '-n', 'kube-system', '-o', 'jsonpath={.data.antrea-agent\\.conf}']);
      expect(k.stdout).toBe(conf('antrea-agent.conf'));
      expect(k.stdout).toContain('#  Multicast: false\n  Multicast: true\n');
    }
    const r = await mcastctl(sim, ['multicast', 'rollback', '--wait']);
    expect(r.code).toBe(0);
    expect(conf('antrea-agent.conf')).toBe(upstream('v1.11.0')['antrea-agent.conf']);
    expect(conf('antrea-controller.conf')).toBe(upstream('v1.11.0')['antrea-controller.conf']);
  });

  it('rollback without a backup says so', async () => {
    sim = await startSim('default', cluster('v2.7.0'));
    expect(await mcastctl(sim, ['multicast', 'rollback'])).toEqual({
      code: 1, stdout: '', stderr: 'error: no backup to roll back to: ConfigMap kube-system/antrea-config-mcastctl-backup does not exist (mcastctl has not changed antrea-config here)\n',
    });
  });
});

describe('mcastctl featuregate set', () => {
  it('sets a gate where the version knows it and verifies it on every Node', async () => {
    sim = await startSim('default', cluster('v2.7.0'));
    const r = await mcastctl(sim, ['featuregate', 'set', 'TrafficControl=true', '--wait']);
    expect(r.code).toBe(0);
    expect(parse(conf('antrea-agent.conf')).featureGates).toEqual({ TrafficControl: true });
    expect(conf('antrea-controller.conf')).toBe(upstream('v2.7.0')['antrea-controller.conf']);
    expect(r.stdout).toContain('verified on 3 Nodes');
  });

  it('Multicast=true before v1.12 does what multicast enable does', async () => {
    sim = await startSim('default', cluster('v1.9.0'));
    expect((await mcastctl(sim, ['featuregate', 'set', 'Multicast=true'])).code).toBe(0);
    expect(parse(conf('antrea-controller.conf')).featureGates).toEqual({ Multicast: true });
  });

  it('an unknown gate or a malformed argument is a usage error', async () => {
    sim = await startSim('default', cluster('v1.9.0'));
    const r = await mcastctl(sim, ['featuregate', 'set', 'BGPPolicy=true']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown feature gate "BGPPolicy" for Antrea v1\.9\.0; known gates: AntreaIPAM, AntreaPolicy, /);
    expect((await mcastctl(sim, ['featuregate', 'set', 'Multicast'])).stderr).toBe('error: expected NAME=true or NAME=false, got "Multicast"\n');
  });
});

describe('TKGs', () => {
  it('refuses a direct edit of a Supervisor-managed ConfigMap and names the --tkgs form', async () => {
    sim = await startSim('default', (s) => {
      cluster('v2.7.0')(s);
      s.tkgs = { configMapLabels: { 'kapp.k14s.io/app': '1688111111' } };
    });
    const before = cm().metadata.resourceVersion;
    const r = await mcastctl(sim, ['multicast', 'enable']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: this cluster looks managed by a vSphere Supervisor (TKGs): the ConfigMap carries the Supervisor\'s marker "kapp.k14s.io/app". The Supervisor reverts direct edits of antrea-config; change its AntreaConfig instead, against the Supervisor\'s context: mcastctl multicast enable --tkgs --tkgs-cluster CLUSTER --namespace VSPHERE_NAMESPACE\n',
    );
    expect(cm().metadata.resourceVersion).toBe(before);
  });

  it('refuses too when only the AntreaConfig CRD gives the Supervisor away', async () => {
    sim = await startSim('default', (s) => {
      cluster('v2.7.0')(s);
      s.tkgs = { crd: true };
    });
    const r = await mcastctl(sim, ['featuregate', 'set', 'Multicast=true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: this cluster looks managed by a vSphere Supervisor \(TKGs\): the antreaconfigs\.cni\.tanzu\.vmware\.com CustomResourceDefinition is installed\./);
  });

  it('--tkgs patches the AntreaConfig of the cluster', async () => {
    sim = await startSim('default', (s) => {
      cluster('v1.9.0')(s);
      s.tkgs = { crd: true, antreaConfigs: [{ apiVersion: 'cni.tanzu.vmware.com/v1alpha1', kind: 'AntreaConfig', metadata: { name: 'mccluster-antrea-package', namespace: 'mcast' }, spec: { antrea: { config: { featureGates: { AntreaProxy: true, Multicast: false } } } } }] };
    });
    const r = await mcastctl(sim, ['multicast', 'enable', '--tkgs', '--tkgs-cluster', 'mccluster', '--namespace', 'mcast']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('antreaconfig.cni.tanzu.vmware.com/mccluster-antrea-package patched in namespace mcast: featureGates.Multicast=true');
    expect(sim.server.cluster.antreaConfigs.get('mcast/mccluster-antrea-package')!.spec.antrea.config.featureGates).toEqual({ AntreaProxy: true, Multicast: true });
  });

  it('--tkgs creates the AntreaConfig when there is none, and says so', async () => {
    sim = await startSim('default', (s) => {
      cluster('v1.9.0')(s);
      s.tkgs = { crd: true };
      s.namespaces = ['mcast'];
    });
    const r = await mcastctl(sim, ['multicast', 'enable', '--tkgs', '--tkgs-cluster', 'mccluster', '--namespace', 'mcast', '--igmp-query-interval', '60s']);
    expect(r.stdout.split('\n')[0]).toBe('antreaconfig.cni.tanzu.vmware.com/mccluster-antrea-package created in namespace mcast (there was none): featureGates.Multicast=true');
    expect(sim.server.cluster.antreaConfigs.get('mcast/mccluster-antrea-package')!.spec).toEqual({ antrea: { config: { featureGates: { Multicast: true }, multicast: { igmpQueryInterval: '60s' } } } });
  });
});

describe('mcastctl igmp set-max', () => {
  it('writes, reads back and is idempotent', async () => {
    sim = await startSim('read-commands');
    const first = await mcastctl(sim, ['igmp', 'set-max', '64', '--node', 'node-a', '--node', 'node-b']);
    expect(first).toEqual({ code: 0, stderr: '', stdout: 'NODE     BEFORE   AFTER   RESULT\nnode-a   20       64      changed\nnode-b   20       64      changed\n' });
    expect(sim.server.cluster.agents.get('node-a')!.sysctl.igmpMaxMemberships).toBe(64);
    expect(sim.server.cluster.agents.get('node-c')!.sysctl.igmpMaxMemberships).toBe(64);
    const second = await mcastctl(sim, ['igmp', 'set-max', '64', '--all-nodes']);
    expect(second.stdout).toBe('NODE     BEFORE   AFTER   RESULT\nnode-a   64       64      unchanged\nnode-b   64       64      unchanged\nnode-c   64       64      unchanged\n');
    const execs = sim.server.cluster.requestLog.filter((q) => q.path.includes('command=sysctl')).length;
    expect(execs).toBe(2);
  });

  it('refuses to lower unless --allow-decrease, and warns below the memberships held', async () => {
    sim = await startSim('read-commands');
    const refused = await mcastctl(sim, ['igmp', 'set-max', '10', '--node', 'node-c']);
    expect(refused).toEqual({ code: 1, stderr: '', stdout: 'NODE     BEFORE   AFTER   RESULT\nnode-c   64       64      refused (would lower it; use --allow-decrease)\n' });
    expect(sim.server.cluster.agents.get('node-c')!.sysctl.igmpMaxMemberships).toBe(64);
    const lowered = await mcastctl(sim, ['igmp', 'set-max', '10', '--node', 'node-b', '--allow-decrease']);
    expect(lowered.code).toBe(0);
    expect(lowered.stderr).toBe('Warning: node-b holds 20 IGMP memberships, more than 10: joins past the limit fail with ENOBUFS\n');
    expect(sim.server.cluster.agents.get('node-b')!.sysctl.igmpMaxMemberships).toBe(10);
  });

  it('--dry-run changes nothing; -l picks Nodes by label', async () => {
    sim = await startSim('read-commands', (s) => {
      s.nodes[1].labels = { multicast: 'receivers' };
      s.nodes[2].labels = { multicast: 'receivers' };
    });
    const r = await mcastctl(sim, ['igmp', 'set-max', '128', '-l', 'multicast=receivers', '--dry-run', '-o', 'json']);
    expect(JSON.parse(r.stdout).items).toEqual([
      { node: 'node-b', before: 20, after: 128, result: 'would change', detail: 'to 128' },
      { node: 'node-c', before: 64, after: 128, result: 'would change', detail: 'to 128' },
    ]);
    expect([...sim.server.cluster.agents.values()].map((a) => a.sysctl.igmpMaxMemberships)).toEqual([20, 20, 64]);
  });

  it('--persist applies a DaemonSet that sets the value at every Node start', async () => {
    sim = await startSim('read-commands');
    const r = await mcastctl(sim, ['igmp', 'set-max', '64', '--node', 'node-b', '--persist']);
    expect(r.code).toBe(0);
    expect(r.stdout.endsWith('daemonset.apps/mcastctl-igmp-max-memberships created: net.ipv4.igmp_max_memberships=64 is set again whenever a selected Node starts\n')).toBe(true);
    const ds = sim.server.cluster.daemonSets.get('kube-system/mcastctl-igmp-max-memberships')!;
    const pod = ds.spec.template.spec;
    expect(pod.hostNetwork).toBe(true);
    expect(pod.initContainers).toEqual([{ name: 'set-igmp-max-memberships', image: 'antrea/antrea-agent-ubuntu:v2.7.0', command: ['sysctl', '-w', 'net.ipv4.igmp_max_memberships=64'], securityContext: { privileged: true } }]);
    expect(pod.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-b'] }] }]);
    const again = await mcastctl(sim, ['igmp', 'set-max', '64', '--node', 'node-b', '--persist']);
    expect(again.stdout.endsWith('daemonset.apps/mcastctl-igmp-max-memberships unchanged: it already persists net.ipv4.igmp_max_memberships=64 on the selected Nodes\n')).toBe(true);
    expect(sim.server.cluster.daemonSets.get('kube-system/mcastctl-igmp-max-memberships')!.metadata.resourceVersion).toBe(ds.metadata.resourceVersion);
  });

  it('--persist keeps what was persisted before: the same value adds the Nodes, another value on other Nodes is refused before any write', async () => {
    sim = await startSim('read-commands');
    expect((await mcastctl(sim, ['igmp', 'set-max', '64', '--node', 'node-b', '--persist'])).code).toBe(0);
    const terms = () => sim!.server.cluster.daemonSets.get('kube-system/mcastctl-igmp-max-memberships')!.spec.template.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    const sysctls = () => [...sim!.server.cluster.agents.values()].map((a) => a.sysctl.igmpMaxMemberships);
    const before = sysctls();
    const other = await mcastctl(sim, ['igmp', 'set-max', '80', '-l', 'kubernetes.io/hostname=node-c', '--persist']);
    expect(other.code).toBe(1);
    expect(other.stdout).toBe('');
    expect(other.stderr).toBe('error: daemonset.apps/mcastctl-igmp-max-memberships already persists net.ipv4.igmp_max_memberships=64 on kubernetes.io/hostname In (node-b); ' +
      'replacing it with 80 would drop that on Nodes this run does not select. Persist 80 on the same Nodes (or with --all-nodes), or delete the DaemonSet first\n');
    expect(sysctls()).toEqual(before);
    expect(terms()).toEqual([{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-b'] }] }]);
    const same = await mcastctl(sim, ['igmp', 'set-max', '64', '-l', 'kubernetes.io/hostname=node-c', '--persist']);
    expect(same.code).toBe(0);
    expect(same.stdout.endsWith('daemonset.apps/mcastctl-igmp-max-memberships configured: net.ipv4.igmp_max_memberships=64\n')).toBe(true);
    expect(terms()).toEqual([
      { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-b'] }] },
      { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['node-c'] }] },
    ]);
    const raised = await mcastctl(sim, ['igmp', 'set-max', '80', '--all-nodes', '--persist']);
    expect(raised.code).toBe(0);
    expect(raised.stdout.endsWith('daemonset.apps/mcastctl-igmp-max-memberships configured: net.ipv4.igmp_max_memberships=80\n')).toBe(true);
    expect(sim.server.cluster.daemonSets.get('kube-system/mcastctl-igmp-max-memberships')!.spec.template.spec.affinity).toBeUndefined();
  });

  it('validates N and the Node choice', async () => {
    for (const bad of ['0', '-1', '2147483648', '1.5', 'many']) {
      const r = await mcastctl(undefined, ['igmp', 'set-max', bad, '--all-nodes']);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`error: invalid value "${bad}" for N: must be an integer from 1 to 2147483647\n`);
    }
    expect((await mcastctl(undefined, ['igmp', 'set-max', '64'])).stderr).toBe('error: choose the Nodes with exactly one of --node NAME (repeatable), -l/--selector SELECTOR or --all-nodes\n');
  });
});
