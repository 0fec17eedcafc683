import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KUBECTL, kubectl, ROOT, startSim, type RunningSim } from '../helpers/sim.js';
import { setConfKeys, SimCluster } from './cluster.js';
import { runProgram } from './programs/index.js';
import { loadScenario } from './scenario.js';

// The simulated cluster as the real kubectl sees it: Pods are stored and run by their Node, agents
// validate their config at start as their release does, Windows Nodes run Windows agents.
describe.runIf(KUBECTL !== undefined || process.env.CI === 'true')('the simulated cluster through kubectl 1.32', () => {
  let sim: RunningSim | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  const json = async (s: RunningSim, args: string[]) => {
    const r = await kubectl(s, [...args, '-o', 'json']);
    expect(r.stderr).toBe('');
    return JSON.parse(r.stdout);
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('creates a Namespace and a Pod on a chosen Node, runs it, execs its own programs, and deletes it with its Namespace', async () => {
    sim = await startSim('default');
    const s = sim;
    expect(await kubectl(s, ['create', 'namespace', 'probe-1'])).toMatchObject({ code: 0, stdout: 'namespace/probe-1 created\n' });
    const manifest = join(s.dir, 'pod.json');
    writeFileSync(manifest, JSON.stringify({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'rx', namespace: 'probe-1', labels: { 'app.kubernetes.io/managed-by': 'mcastctl' } },
      spec: { nodeName: 'k8s-node-3', containers: [{ name: 'rx', image: 'busybox:1.36' }] },
    }));
    expect(await kubectl(s, ['create', '-f', manifest, '--validate=false'])).toMatchObject({ code: 0, stdout: 'pod/rx created\n' });
    const pod = await json(s, ['get', 'pod', 'rx', '-n', 'probe-1']);
    expect(pod.spec.nodeName).toBe('k8s-node-3');
    expect(pod.status.phase).toBe('Running');
    expect(pod.status.containerStatuses).toMatchObject([{ name: 'rx', ready: true, restartCount: 0, state: { running: {} } }]);
    expect(pod.status.podIP).toMatch(/^10\.10\.2\.\d+$/);

    // Its own network namespace and its own image: busybox, not the agent's tools.
    expect(await kubectl(s, ['exec', '-n', 'probe-1', 'rx', '--', 'hostname'])).toMatchObject({ code: 0, stdout: 'rx\n' });
    expect(await kubectl(s, ['exec', '-n', 'probe-1', 'rx', '--', 'cat', '/proc/sys/net/ipv4/igmp_max_memberships'])).toMatchObject({ code: 0, stdout: '20\n' });
    const antctl = await kubectl(s, ['exec', '-n', 'probe-1', 'rx', '--', 'antctl', 'get', 'featuregates']);
    expect(antctl.code).toBe(1);
    expect(antctl.stdout).toBe('');
    expect(antctl.stderr).toMatch(/^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]+": OCI runtime exec failed: exec failed: unable to start container process: exec: "antctl": executable file not found in \$PATH: unknown\n$/);
    const shell = await kubectl(s, ['exec', '-n', 'probe-1', 'rx', '--', 'sh', '-c', 'ip mroute']);
    expect(shell).toMatchObject({ code: 127, stderr: 'sh: ip: not found\ncommand terminated with exit code 127\n' });

    expect(await kubectl(s, ['delete', 'namespace', 'probe-1'])).toMatchObject({ code: 0, stdout: 'namespace "probe-1" deleted\n' });
    expect(await kubectl(s, ['get', 'pods', '-n', 'probe-1'])).toMatchObject({ code: 0, stderr: 'No resources found in probe-1 namespace.\n' });
    // kubectl asks for the Namespace after a 404 and names what is missing.
    const gone = await kubectl(s, ['get', 'pod', 'rx', '-n', 'probe-1']);
    expect(gone).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): namespaces "probe-1" not found\n' });
    expect(s.server.cluster.store.get('pods', 'probe-1', 'rx')).toBeUndefined();
    expect(s.server.cluster.kubelet.runtime('probe-1', 'rx')).toBeUndefined();
    expect(await kubectl(s, ['get', 'namespace', 'probe-1'])).toMatchObject({ code: 1, stderr: 'Error from server (NotFound): namespaces "probe-1" not found\n' });
  });

  /** Patches antrea-agent.conf with kubectl, restarts the agents with kubectl, and returns the agent Pods afterwards. */
  async function patchAndRestart(s: RunningSim, conf: string) {
    const patch = JSON.stringify({ data: { 'antrea-agent.conf': conf } });
    expect(await kubectl(s, ['patch', 'configmap', 'antrea-config', '-n', 'kube-system', '--type', 'merge', '-p', patch])).toMatchObject({ code: 0 });
    expect(await kubectl(s, ['rollout', 'restart', 'daemonset/antrea-agent', '-n', 'kube-system'])).toMatchObject({ code: 0, stdout: 'daemonset.apps/antrea-agent restarted\n' });
    await sleep(800); // a few crash-loop restarts (crashLoopRestartMs 200)
    return (await json(s, ['get', 'pods', '-n', 'kube-system', '-l', 'app=antrea,component=antrea-agent'])).items as any[];
  }

  async function expectCrashLoop(s: RunningSim, pods: any[], fatal: RegExp) {
    // RollingUpdate with maxUnavailable 1: the first new Pod never becomes Ready, so the rollout stops there.
    const crashing = pods.filter((p) => p.status.containerStatuses.find((c: any) => c.name === 'antrea-agent').ready === false);
    expect(crashing).toHaveLength(1);
    const pod = crashing[0];
    const agent = pod.status.containerStatuses.find((c: any) => c.name === 'antrea-agent');
    expect(agent.state.waiting.reason).toBe('CrashLoopBackOff');
    expect(agent.restartCount).toBeGreaterThanOrEqual(2);
    expect(agent.lastState.terminated).toMatchObject({ exitCode: 255, reason: 'Error' });
    expect(pod.status.conditions.find((c: any) => c.type === 'Ready').status).toBe('False');
    const table = await kubectl(s, ['get', 'pod', pod.metadata.name, '-n', 'kube-system']);
    expect(table.stdout.split('\n')[1]).toMatch(new RegExp(`^${pod.metadata.name}\\s+1/2\\s+CrashLoopBackOff\\s+\\d+\\s+\\d+s$`));
    for (const previous of [false, true]) {
      const logs = await kubectl(s, ['logs', pod.metadata.name, '-n', 'kube-system', '-c', 'antrea-agent', ...(previous ? ['--previous'] : [])]);
      expect(logs.code).toBe(0);
      expect(logs.stdout).toMatch(fatal);
    }
    const exec = await kubectl(s, ['exec', pod.metadata.name, '-n', 'kube-system', '-c', 'antrea-agent', '--', 'antctl', 'get', 'featuregates']);
    expect(exec.code).toBe(1);
    return pod;
  }

  async function expectAllReady(s: RunningSim) {
    const pods = (await json(s, ['get', 'pods', '-n', 'kube-system', '-l', 'app=antrea,component=antrea-agent'])).items as any[];
    expect(pods).toHaveLength(s.server.cluster.nodeNames().length);
    for (const p of pods) expect(p.status.containerStatuses.map((c: any) => [c.name, c.ready, c.restartCount])).toEqual([['antrea-agent', true, 0], ['antrea-ovs', true, 0]]);
    const ds = await json(s, ['get', 'daemonset', 'antrea-agent', '-n', 'kube-system']);
    expect(ds.status).toMatchObject({ desiredNumberScheduled: pods.length, numberReady: pods.length, updatedNumberScheduled: pods.length });
  }

  it('v1.11: an unknown top-level key makes the restarted agents crash-loop with yaml.v2 strict decoding; revert and restart: Ready', async () => {
    sim = await startSim('antrea-v1.9', (sc) => {
      sc.antreaVersion = 'v1.11.0';
      sc.crashLoopRestartMs = 200;
    });
    const s = sim;
    const original = s.server.cluster.antreaConfig.data['antrea-agent.conf'] as string;
    // The v1.11 guide's snippet pasted without its featureGates: parent.
    const broken = `${original}\nMulticast: true\n`;
    const line = broken.split('\n').indexOf('Multicast: true') + 1;
    const pods = await patchAndRestart(s, broken);
    await expectCrashLoop(s, pods, new RegExp(`^F\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{6}       1 main\\.go:47\\] Failed to complete: yaml: unmarshal errors:\\n  line ${line}: field Multicast not found in type agent\\.AgentConfig\\n$`));
    await patchAndRestart(s, original);
    await expectAllReady(s);
  });

  it('v2.7: WireGuard with multicast crash-loops the agents with validateMulticastConfig\'s line; revert and restart: Ready', async () => {
    sim = await startSim('default', (sc) => (sc.crashLoopRestartMs = 200));
    const s = sim;
    const original = s.server.cluster.antreaConfig.data['antrea-agent.conf'] as string;
    const pods = await patchAndRestart(s, setConfKeys(original, { trafficEncryptionMode: 'wireGuard' }));
    await expectCrashLoop(s, pods, /^F\d{4} [\d:.]{15}       1 main\.go:50\] Failed to validate: failed to validate multicast config: Multicast feature doesn't work with the current encryption mode 'WireGuard'\n$/);
    await patchAndRestart(s, original);
    await expectAllReady(s);
  });

  it('v2.7: networkPolicyOnly with multicast crash-loops the agents; revert and restart: Ready', async () => {
    sim = await startSim('default', (sc) => (sc.crashLoopRestartMs = 200));
    const s = sim;
    const original = s.server.cluster.antreaConfig.data['antrea-agent.conf'] as string;
    const pods = await patchAndRestart(s, setConfKeys(original, { trafficEncapMode: 'networkPolicyOnly' }));
    await expectCrashLoop(s, pods, /^F\d{4} [\d:.]{15}       1 main\.go:50\] Failed to validate: failed to validate multicast config: Multicast feature doesn't work with the networkPolicyOnly mode\n$/);
    await patchAndRestart(s, original);
    await expectAllReady(s);
  });

  it('v2.7 with multicast off: WireGuard alone is a valid config (the rule needs both)', async () => {
    sim = await startSim('default', (sc) => (sc.config = { agent: { 'multicast.enable': false } }));
    const s = sim;
    const original = s.server.cluster.antreaConfig.data['antrea-agent.conf'] as string;
    await patchAndRestart(s, setConfKeys(original, { trafficEncryptionMode: 'wireGuard' }));
    await expectAllReady(s);
  });

  it('a Windows Node runs an antrea-agent-windows Pod with the Linux agents\' labels; Linux tools fail in it as on Windows', async () => {
    sim = await startSim('default', (sc) => {
      sc.nodes = sc.nodes.slice(0, 2);
      sc.nodes.push({ name: 'win-1', os: 'windows', internalIP: '172.18.0.9' });
    });
    const s = sim;
    const pods = (await json(s, ['get', 'pods', '-n', 'kube-system', '-l', 'app=antrea,component=antrea-agent'])).items as any[];
    expect(pods.map((p) => [p.spec.nodeName, p.metadata.name.replace(/-[a-z0-9]{5}$/, ''), p.spec.containers.map((c: any) => c.image).join(',')]).sort()).toEqual([
      ['k8s-node-1', 'antrea-agent', 'antrea/antrea-agent-ubuntu:v2.7.0,antrea/antrea-agent-ubuntu:v2.7.0'],
      ['k8s-node-2', 'antrea-agent', 'antrea/antrea-agent-ubuntu:v2.7.0,antrea/antrea-agent-ubuntu:v2.7.0'],
      ['win-1', 'antrea-agent-windows', 'antrea/antrea-windows:v2.7.0'],
    ]);
    const windows = pods.find((p) => p.spec.nodeName === 'win-1');
    expect(windows.metadata.labels).toMatchObject({ app: 'antrea', component: 'antrea-agent' });
    expect(windows.metadata.ownerReferences[0]).toMatchObject({ kind: 'DaemonSet', name: 'antrea-agent-windows' });
    expect(windows.status.containerStatuses).toMatchObject([{ name: 'antrea-agent', ready: true }]);
    for (const argv of [['ip', '-j', 'mroute'], ['cat', '/proc/sys/net/ipv4/igmp_max_memberships'], ['sh', '-c', 'ip mroute']]) {
      const r = await kubectl(s, ['exec', windows.metadata.name, '-n', 'kube-system', '--', ...argv]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/^error: Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "[0-9a-f]+": container [0-9a-f]+ encountered an error during hcs::System::CreateProcess: failure in a Windows system call: The system cannot find the file specified\. \(0x2\): unknown\n$/);
    }
    const gates = await kubectl(s, ['exec', windows.metadata.name, '-n', 'kube-system', '--', 'antctl', 'get', 'featuregates']);
    expect(gates.code).toBe(0);
    expect(gates.stdout.split('\n')[0]).toBe('Antrea Agent Feature Gates');
    expect(gates.stdout).toMatch(/\nMulticast\s+Disabled\s+BETA\s*\n/);
    const nodes = await json(s, ['get', 'nodes', '-l', 'kubernetes.io/os=windows']);
    expect(nodes.items.map((n: any) => n.metadata.name)).toEqual(['win-1']);
  });

  it('execOverrides replay captured output for an exact argv on the named Node; other argv and Nodes run the image\'s programs', async () => {
    sim = await startSim('default', (sc) => {
      sc.scenarioDir = join(ROOT, 'test', 'fixtures', 'kernel');
      sc.execOverrides = [
        { node: 'k8s-node-2', argv: ['ip', '-s', 'mroute'], stdoutFile: 'ip-s-mroute.txt' },
        { argv: ['ip', '-j', '-s', 'mroute'], stdout: '', stderr: 'Error: captured failure\n', exitCode: 2 },
      ];
    });
    const s = sim;
    const pod = (node: string) => s.server.cluster.agents.get(node)!.podName;
    const captured = readFileSync(join(ROOT, 'test', 'fixtures', 'kernel', 'ip-s-mroute.txt'), 'utf8');
    expect(await kubectl(s, ['exec', '-n', 'kube-system', pod('k8s-node-2'), '--', 'ip', '-s', 'mroute'])).toEqual({ code: 0, stdout: captured, stderr: '' });
    const own = await kubectl(s, ['exec', '-n', 'kube-system', pod('k8s-node-1'), '--', 'ip', '-s', 'mroute']);
    expect(own.stdout).toBe('(10.10.0.5,239.255.12.42)        Iif: antrea-gw0 Oifs: eth0  State: resolved\n  15230 packets, 20833640 bytes, Age 0.02\n');
    for (const node of ['k8s-node-1', 'k8s-node-3']) {
      expect(await kubectl(s, ['exec', '-n', 'kube-system', pod(node), '--', 'ip', '-j', '-s', 'mroute'])).toEqual({ code: 2, stdout: '', stderr: 'Error: captured failure\ncommand terminated with exit code 2\n' });
    }
  });

  it('an agent image with iproute2 4.9 prints that release\'s text and has no -j', async () => {
    sim = await startSim('default', (sc) => (sc.nodes[0].agent = { tools: { iproute2: '4.9' } }));
    const s = sim;
    const pod = s.server.cluster.agents.get('k8s-node-1')!.podName;
    expect(await kubectl(s, ['exec', '-n', 'kube-system', pod, '--', 'ip', '-s', 'mroute'])).toEqual({
      code: 0, stderr: '', stdout: '(10.10.0.5, 239.255.12.42)       Iif: antrea-gw0 Oifs: eth0 \n  15230 packets, 20833640 bytes, Age    0.02\n',
    });
    expect(await kubectl(s, ['exec', '-n', 'kube-system', pod, '--', 'ip', '-j', 'mroute'])).toEqual({ code: 255, stdout: '', stderr: 'Option "-j" is unknown, try "ip -help".\ncommand terminated with exit code 255\n' });
  });

  it('fault middlewares: any status, a dropped connection at the N-th request, a Node deleted mid-run, huge and binary exec output, a slow upgrade', async () => {
    sim = await startSim('default', (sc) => {
      sc.faults = [
        { kind: 'status', path: '^/api/v1/namespaces/default/configmaps$', code: 503, body: '<html>upstream down</html>', contentType: 'text/html', times: 1 },
        { kind: 'drop-connection', path: '^/api/v1/namespaces/kube-public/configmaps$', nth: 2, times: 1 },
        { kind: 'delete-node', path: '^/api/v1/namespaces/kube-public/pods$', targetNode: 'k8s-node-3', times: 1 },
        { kind: 'exec-output', node: 'k8s-node-1', bytes: 3_000_000, times: 1 },
        { kind: 'exec-output', node: 'k8s-node-1', binary: true, bytes: 256, times: 1 },
        { kind: 'slow-upgrade', node: 'k8s-node-2', delayMs: 1500, times: 1 },
      ];
    });
    const s = sim;
    const status = await kubectl(s, ['get', 'configmaps', '-n', 'default']);
    expect(status.code).toBe(1);
    expect(status.stderr).toMatch(/^Error from server \(ServiceUnavailable\)/);
    expect((await kubectl(s, ['get', 'configmaps', '-n', 'kube-public'])).code).toBe(0);
    // client-go retries a GET whose connection dropped: the second attempt gets the answer.
    const dropped = await kubectl(s, ['get', 'configmaps', '-n', 'kube-public']);
    expect(dropped.code).toBe(0);
    expect(s.server.cluster.requestLog.filter((q) => q.path.startsWith('/api/v1/namespaces/kube-public/configmaps') && q.status === 0)).toHaveLength(1);
    await kubectl(s, ['get', 'pods', '-n', 'kube-public']);
    expect((await kubectl(s, ['get', 'node', 'k8s-node-3'])).stderr).toBe('Error from server (NotFound): nodes "k8s-node-3" not found\n');
    expect(s.server.cluster.agentPod('k8s-node-3')).toBeUndefined();
    const pod = (node: string) => s.server.cluster.agents.get(node)!.podName;
    const huge = await kubectl(s, ['exec', '-n', 'kube-system', pod('k8s-node-1'), '--', 'true']);
    expect(huge).toMatchObject({ code: 0 });
    expect(huge.stdout.length).toBe(3_000_000);
    const binary = await kubectl(s, ['exec', '-n', 'kube-system', pod('k8s-node-1'), '--', 'true']);
    expect(Buffer.byteLength(binary.stdout, 'latin1')).toBeGreaterThan(0);
    expect(binary.stdout).not.toMatch(/^[\x20-\x7e\n]*$/);
    const started = Date.now();
    expect(await kubectl(s, ['exec', '-n', 'kube-system', pod('k8s-node-2'), '--', 'true'])).toMatchObject({ code: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });

  it('a Windows agent refuses a conf that enables a gate Windows does not support', async () => {
    sim = await startSim('default', (sc) => {
      sc.nodes = [sc.nodes[0], { name: 'win-1', os: 'windows', internalIP: '172.18.0.9', agent: {} }];
      sc.config = { agent: { 'multicast.enable': true }, windowsAgent: { 'featureGates.Multicast': true } };
    });
    const s = sim;
    const pod = s.server.cluster.agentPod('win-1')!;
    const logs = await kubectl(s, ['logs', pod.metadata.name, '-n', 'kube-system']);
    expect(logs.stdout).toMatch(/main\.go:50\] Failed to validate: unsupported features on Windows: \{Multicast\}\n$/);
  });
});

describe('programs in simulated containers', () => {
  it('sh -c: $?, >&2, 2>&1, && and ||, as doctor\'s one-exec gathering script uses them', async () => {
    const cluster = new SimCluster(loadScenario('default'));
    try {
      const pod = cluster.agentPod('k8s-node-1')!;
      const runtime = cluster.kubelet.runtime('kube-system', pod.metadata.name)!;
      // Programs may run for a while (mcjoin), so a shell answers asynchronously.
      const sh = async (script: string) => runProgram({ cluster, runtime, containerName: 'antrea-agent', image: pod.spec.containers[0].image }, ['sh', '-c', script]);
      expect(await sh('echo @@b 1; echo @@b 1 >&2; cat /proc/sys/net/ipv4/igmp_max_memberships; echo @@x 1 $?\necho @@b 2; cat /nope; echo @@x 2 $?')).toEqual({
        stdout: '@@b 1\n20\n@@x 1 0\n@@b 2\n@@x 2 1\n',
        stderr: '@@b 1\ncat: /nope: No such file or directory\n',
        exitCode: 0,
      });
      expect(await sh('cat /nope 2>&1')).toEqual({ stdout: 'cat: /nope: No such file or directory\n', stderr: '', exitCode: 1 });
      expect(await sh("cat /nope && echo 'not printed' || echo fallback; exit 3")).toEqual({ stdout: 'fallback\n', stderr: 'cat: /nope: No such file or directory\n', exitCode: 3 });
      expect(await sh('mcjoin -o 239.1.1.1')).toEqual({ stdout: '', stderr: 'sh: 1: mcjoin: not found\n', exitCode: 127 });
    } finally {
      cluster.stop();
    }
  });
});

describe('the dataplane derived from senders and receivers', () => {
  const scenario = (edit: (s: ReturnType<typeof loadScenario>) => void = () => {}) => {
    const s = loadScenario('default');
    for (const n of s.nodes) delete n.kernel;
    s.workloads = [
      { name: 'tx', namespace: 'media', node: 'k8s-node-1', ip: '10.10.0.5', sends: ['239.1.1.1'], sendRate: 1000, packetBytes: 1000 },
      { name: 'rx-local', namespace: 'media', node: 'k8s-node-1', ip: '10.10.0.6', groups: ['239.1.1.1'] },
      { name: 'rx-2', namespace: 'media', node: 'k8s-node-2', ip: '10.10.1.4', groups: ['239.1.1.1'] },
      { name: 'rx-3', namespace: 'media', node: 'k8s-node-3', ip: '10.10.2.4', groups: ['239.1.1.1'] },
    ];
    edit(s);
    return s;
  };
  const run = async (cluster: SimCluster, node: string, argv: string[]) => {
    const pod = cluster.agentPod(node)!;
    return await runProgram({ cluster, runtime: cluster.kubelet.runtime('kube-system', pod.metadata.name)!, containerName: 'antrea-agent', image: pod.spec.containers[0].image }, argv);
  };
  const stats = (cluster: SimCluster, node: string) =>
    Object.fromEntries(cluster.dataplane.podStats(node).map((r) => [r.name, [Number(r.inbound) > 0, Number(r.outbound) > 0]]));

  it('encap: an outbound route on the sender\'s Node only; delivery to every joined Pod whose agent runs multicast', async () => {
    const cluster = new SimCluster(scenario((s) => (s.nodes[2].agent = { featureGates: { Multicast: false } })));
    try {
      await new Promise((r) => setTimeout(r, 50));
      expect(JSON.parse((await run(cluster, 'k8s-node-1', ['ip', '-j', 'mroute'])).stdout as string)).toEqual([
        { src: '10.10.0.5', dst: '239.1.1.1', iif: 'antrea-gw0', multipath: [{ oif: 'eth0' }], state: 'resolved' },
      ]);
      expect((await run(cluster, 'k8s-node-2', ['ip', '-j', 'mroute'])).stdout).toBe('[]\n');
      expect(stats(cluster, 'k8s-node-1')).toEqual({ tx: [false, true], 'rx-local': [true, false] });
      expect(stats(cluster, 'k8s-node-2')).toEqual({ 'rx-2': [true, false] });
      // k8s-node-3's agent does not run multicast: nothing reaches rx-3, and its agent has no stats to give.
      expect(cluster.dataplane.podStats('k8s-node-3').map((r) => r.inbound)).toEqual(['0']);
      expect((await run(cluster, 'k8s-node-3', ['antctl', 'get', 'podmulticaststats'])).stderr).toBe('Error: request to server failed: Service Unavailable: Multicast is not enabled\n');
      expect(cluster.dataplane.multicastGroups().map((g) => [g.group, g.pods.map((p: { name: string }) => p.name)])).toEqual([['239.1.1.1', ['rx-local', 'rx-2']]]);
    } finally {
      cluster.stop();
    }
  });

  it('noEncap: an inbound route transport → antrea-gw0 on Nodes with installed receivers', async () => {
    const cluster = new SimCluster(scenario((s) => (s.config = { agent: { 'multicast.enable': true, trafficEncapMode: 'noEncap' } })));
    try {
      expect(JSON.parse((await run(cluster, 'k8s-node-2', ['ip', '-j', 'mroute'])).stdout as string)).toEqual([
        { src: '10.10.0.5', dst: '239.1.1.1', iif: 'eth0', multipath: [{ oif: 'antrea-gw0' }], state: 'resolved' },
      ]);
      expect((await run(cluster, 'k8s-node-2', ['cat', '/proc/net/igmp'])).stdout).toContain('\t\t\t\t010101EF     1 0:00000000\t\t0\n');
    } finally {
      cluster.stop();
    }
  });

  it('the membership limit: joins beyond igmp_max_memberships fail, the group is not installed, the agent logs why', async () => {
    const cluster = new SimCluster(scenario((s) => {
      s.nodes[1].kernel = { igmpMaxMemberships: 2 };
      s.workloads!.push({ name: 'many', namespace: 'media', node: 'k8s-node-2', groups: ['239.2.2.1', '239.2.2.2'] });
    }));
    try {
      expect(cluster.dataplane.localGroups('k8s-node-2')).toMatchObject({ installed: ['239.1.1.1', '239.2.2.1'], failed: [{ group: '239.2.2.2', iface: 'eth0' }] });
      const logs = cluster.agentContainer('k8s-node-2')!.container.instances.at(-1)!;
      expect(logs.slice(-2).map((l) => l.replace(/^E\d{4} [\d:.]{15}/, 'E'))).toEqual([
        'E       1 mcast_controller.go:483] "Failed to install multicast group identified with local members" err="failed to join multicast group 239.2.2.2 for eth0: no buffer space available" group="239.2.2.2"',
        'E       1 mcast_controller.go:439] Error syncing multicast group 239.2.2.2, requeuing. Error: failed to join multicast group 239.2.2.2 for eth0: no buffer space available',
      ]);
    } finally {
      cluster.stop();
    }
  });
});

describe('the simulator is independent of mcastctl', () => {
  it('imports nothing from src/', () => {
    const grep = (pattern: string) => {
      try {
        return execFileSync('git', ['grep', '-n', '-E', pattern, '--', 'test/sim'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
      } catch (err) {
        if ((err as { status?: number }).status === 1) return ''; // git grep: no match
        throw err;
      }
    };
    // Any import or dynamic import of a path through src/ (the product), relative or not.
    expect(grep(`(from|import\\() *['"][^'"]*src/`)).toBe('');
  });
});
