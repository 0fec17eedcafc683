/**
 * Nothing is ever left where agents cannot start: the config mcastctl refuses really makes the
 * simulated agents crash-loop when written with kubectl, and a change that makes them crash-loop
 * anyway is undone by --wait. Windows Nodes are left alone.
 */
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import { kubectl, mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

const scenario = (name: string) => join(import.meta.dirname, 'scenarios', `${name}.yaml`);

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface PodView {
  name: string;
  node: string;
  ready: boolean;
  waiting?: string;
  restarts: number;
}

async function agentPods(): Promise<PodView[]> {
  const r = await kubectl(sim!, ['-n', 'kube-system', 'get', 'pods', '-l', 'app=antrea,component=antrea-agent', '-o', 'json']);
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout).items as any[]).map((p) => {
    const status = p.status.containerStatuses?.find((c: any) => c.name === 'antrea-agent');
    return { name: p.metadata.name, node: p.spec.nodeName, ready: status?.ready === true, waiting: status?.state?.waiting?.reason, restarts: status?.restartCount ?? 0 };
  });
}

async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value)}`);
    await sleep(200);
  }
}

const configMap = async () => JSON.parse((await kubectl(sim!, ['-n', 'kube-system', 'get', 'configmap', 'antrea-config', '-o', 'json'])).stdout);

describe('what the pre-flight refuses really crash-loops the agents', () => {
  it('v2.7 + WireGuard: enable: true written with kubectl crash-loops them; mcastctl refuses the same; disable --wait repairs it', async () => {
    sim = await startSim(scenario('v2.7-wireguard'));
    const refused = await mcastctl(sim, ['multicast', 'enable', '--wait']);
    expect(refused.code).toBe(8);
    const conf = (await configMap()).data['antrea-agent.conf'].replace(/(multicast:[\s\S]*?)enable: false/, '$1enable: true');
    expect((await kubectl(sim, ['-n', 'kube-system', 'patch', 'configmap', 'antrea-config', '--type', 'merge', '-p', JSON.stringify({ data: { 'antrea-agent.conf': conf } })])).code).toBe(0);
    expect((await kubectl(sim, ['-n', 'kube-system', 'rollout', 'restart', 'daemonset/antrea-agent'])).code).toBe(0);
    const pods = await until('a crash-looping agent', agentPods, (p) => p.some((x) => x.waiting === 'CrashLoopBackOff' && x.restarts > 0));
    const crashing = pods.find((x) => x.waiting === 'CrashLoopBackOff')!;
    const log = await kubectl(sim, ['-n', 'kube-system', 'logs', crashing.name, '-c', 'antrea-agent', '--previous']);
    expect(log.stdout).toMatch(/^F\d{4} [\d:.]+ +1 main\.go:\d+\] Failed to validate: failed to validate multicast config: Multicast feature doesn't work with the current encryption mode 'WireGuard'\n/m);

    // The ConfigMap now holds what agents reject: enable is refused with the same rule, nothing written.
    const before = JSON.stringify(await configMap());
    const again = await mcastctl(sim, ['multicast', 'enable']);
    expect(again.stderr).toMatch(/^error: refusing to change antrea-config: Antrea v2\.7\.0 agents would not start: .*encryption mode 'WireGuard'/);
    expect(again.code).toBe(8);
    expect(JSON.stringify(await configMap())).toBe(before);

    const repaired = await mcastctl(sim, ['multicast', 'disable', '--wait', '--timeout', '30s']);
    expect(repaired.stderr).toBe('');
    expect(repaired.stdout).toMatch(/\ndaemonset\.apps\/antrea-agent rolled out: every agent Pod is ready\nverified on 2 Nodes\n$/);
    expect(repaired.code).toBe(0);
    expect((await agentPods()).every((p) => p.ready)).toBe(true);
  });
});

describe('--wait undoes a change that crash-loops the agents', () => {
  // A v1.11 cluster written for as if it ran v1.12 (--antrea-version): multicast.enable is a field
  // v1.11 agents do not know, and they decode strictly.
  const wrongVersion = ['multicast', 'enable', '--wait', '--timeout', '30s', '--antrea-version', 'v1.12.0'];

  it('names each crash-looping Node with its fatal line, restores the data, restarts, exits 10', async () => {
    sim = await startSim(scenario('v1.11-top-level-multicast'), (s) => {
      s.config = {};
    });
    const original = (await configMap()).data;
    const r = await mcastctl(sim, wrongVersion);
    expect(r.code).toBe(10);
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(
      /^error: k8s-node-\d: agent Pod antrea-agent-\S+ crash-loops with the new config \(\d+ restarts?\): F\d{4} [\d:.]+ +1 main\.go:\d+\] Failed to complete: yaml: unmarshal errors: line \d+: field enable not found in type/,
    );
    expect(lines[lines.length - 1]).toMatch(/^error: 1 agent crash-looped after the change \(k8s-node-\d\): it was rolled back$/);
    expect(r.stdout).toMatch(/\nconfigmap\/antrea-config rolled back to the data it had before this change \(resourceVersion \d+\)\ndaemonset\.apps\/antrea-agent restarted\ndaemonset\.apps\/antrea-agent rolled out: every agent Pod is ready again\n$/);
    expect((await configMap()).data).toEqual(original);
    expect((await agentPods()).map((p) => p.ready)).toEqual([true, true]);
  });

  it('--no-rollback reports the crash loop and leaves the change, exit 10', async () => {
    sim = await startSim(scenario('v1.11-top-level-multicast'), (s) => {
      s.config = {};
    });
    const r = await mcastctl(sim, [...wrongVersion, '--no-rollback']);
    expect(r.code).toBe(10);
    expect(r.stderr.trimEnd().split('\n').pop()).toMatch(/^error: 1 agent crash-loop after the change \(k8s-node-\d\); it is left in place \(--no-rollback\): undo it with "mcastctl multicast rollback --wait"$/);
    expect(parse((await configMap()).data['antrea-agent.conf']).multicast.enable).toBe(true);
  });
});

describe('2 Linux Nodes + 1 Windows Node', () => {
  const NOTE = 'Note: skipping 1 Windows Node (win-1): Antrea runs no multicast on Windows\n';

  it.each([
    [['get', 'podmulticaststats', '-A']],
    [['get', 'mroute']],
    [['get', 'igmp']],
  ])('%j skips the Windows agent with one note, exit 0', async (args) => {
    sim = await startSim(scenario('windows-mixed'));
    const r = await mcastctl(sim, args);
    // Only the note (and kubectl's "No resources found" when a list is empty): no error for win-1.
    expect(r.stderr.startsWith(NOTE)).toBe(true);
    expect(r.stderr.slice(NOTE.length)).toMatch(/^(No resources found\n)?$/);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('win-1');
  });

  it('get featuregates reads the Linux agents only (the Windows section is the controller\'s)', async () => {
    sim = await startSim(scenario('windows-mixed'));
    const r = await mcastctl(sim, ['get', 'featuregates']);
    expect(r.stderr).toBe('Note: skipping 1 Windows Node (win-1): their gates are the controller\'s "Antrea Agent Feature Gates (Windows)" section\n');
    expect(r.code).toBe(0);
  });

  it('doctor: Windows agents are not asked; the windows-nodes check names the Node', async () => {
    sim = await startSim(scenario('windows-mixed'));
    const r = await mcastctl(sim, ['doctor', '-o', 'json']);
    expect(r.stderr).toBe(NOTE);
    const checks = new Map((JSON.parse(r.stdout).items as Array<{ name: string; status: string; nodes: string[] }>).map((c) => [c.name, c]));
    expect(checks.get('windows-nodes')).toMatchObject({ status: 'WARN', nodes: ['win-1'] });
    expect(checks.get('multicast-enabled')!.status).toBe('PASS');
    expect(checks.get('agents-ready')!.status).toBe('PASS');
  });

  it('igmp set-max --all-nodes leaves the Windows Node alone; naming it is refused', async () => {
    sim = await startSim(scenario('windows-mixed'));
    const all = await mcastctl(sim, ['igmp', 'set-max', '64', '--all-nodes']);
    expect(all.stderr).toBe(NOTE);
    expect(all.code).toBe(0);
    expect(all.stdout.split('\n').filter((l) => l.startsWith('k8s-node') || l.startsWith('win')).map((l) => l.split(/\s+/)[0])).toEqual(['k8s-node-1', 'k8s-node-2']);
    const named = await mcastctl(sim, ['igmp', 'set-max', '64', '--node', 'win-1']);
    expect(named).toMatchObject({ code: 1, stdout: '' });
    expect(named.stderr).toBe('error: win-1: Windows Node: Antrea runs no multicast there and Windows has no net.ipv4.igmp_max_memberships\n');
  });

  it('multicast disable --wait restarts and verifies the Linux agents; the Windows agent Pod is left alone', async () => {
    sim = await startSim(scenario('windows-mixed'));
    const windowsPod = (await kubectl(sim, ['-n', 'kube-system', 'get', 'pods', '-l', 'app=antrea,component=antrea-agent', '--field-selector', 'spec.nodeName=win-1', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout;
    expect(windowsPod).toMatch(/^antrea-agent-windows-/);
    const r = await mcastctl(sim, ['multicast', 'disable', '--wait', '--timeout', '30s']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/verified on 2 Nodes\n$/);
    expect(r.code).toBe(0);
    const after = (await kubectl(sim, ['-n', 'kube-system', 'get', 'pods', '-l', 'app=antrea,component=antrea-agent', '--field-selector', 'spec.nodeName=win-1', '-o', 'jsonpath={.items[*].metadata.name}'])).stdout;
    expect(after).toBe(windowsPod);
  });
});
