import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KUBECTL, kubectl, startSim, type RunningSim } from '../helpers/sim.js';

// The real kubectl is an independent client: if it can get, patch, rollout restart and exec
// against the simulator, the simulator speaks the real protocol.
describe.runIf(KUBECTL !== undefined || process.env.CI === 'true')('kubectl against the simulator', () => {
  let sim: RunningSim;
  beforeAll(async () => {
    sim = await startSim('default');
  });
  afterAll(async () => sim?.stop());

  const agentPods = () => [...sim.server.cluster.agents.values()].map((a) => a.podName).sort();

  it('lists the agent Pods by label with the usual columns', async () => {
    const r = await kubectl(sim, ['get', 'pods', '-n', 'kube-system', '-l', 'app=antrea,component=antrea-agent']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4).join(' '))).toEqual(agentPods().map((p) => `${p} 2/2 Running 0`));
  });

  it('lists Nodes with kube-apiserver Node columns, -o wide adds the Node info (printers.go printNode)', async () => {
    const nodes = [...sim.server.cluster.agents.keys()].sort();
    const r = await kubectl(sim, ['get', 'nodes']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).filter((_, i) => i !== 3).join(' '))).toEqual(nodes.map((n) => `${n} Ready <none> v1.32.5`));
    const wide = await kubectl(sim, ['get', 'node', nodes[0], '-o', 'wide']);
    const [head, row] = wide.stdout.trimEnd().split('\n');
    expect(head.split(/\s{2,}/)).toEqual(['NAME', 'STATUS', 'ROLES', 'AGE', 'VERSION', 'INTERNAL-IP', 'EXTERNAL-IP', 'OS-IMAGE', 'KERNEL-VERSION', 'CONTAINER-RUNTIME']);
    const node = sim.server.cluster.store.get('nodes', undefined, nodes[0])!;
    const cells = row.split(/\s{2,}/);
    expect([...cells.slice(0, 3), ...cells.slice(4)]).toEqual([
      nodes[0], 'Ready', '<none>', 'v1.32.5', node.status.addresses[0].address, '<none>', node.status.nodeInfo.osImage, node.status.nodeInfo.kernelVersion, 'containerd://1.7.13',
    ]);
  });

  it('a malformed labelSelector is a 400 BadRequest with the apimachinery parse error', async () => {
    expect(await kubectl(sim, ['get', 'pods', '-A', '-l', 'app in (a'])).toEqual({
      code: 1, stdout: '', stderr: 'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "app in (a", field selector "": ' + "unable to parse requirement: found '', expected: ',' or ')'\n",
    });
    expect(await kubectl(sim, ['get', 'pods', '-A', '-l', '!!bad'])).toEqual({
      code: 1, stdout: '', stderr: 'Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector "!!bad", field selector "": ' + "unable to parse requirement: found '!', expected: identifier\n",
    });
    const names = async (selector: string) => (await kubectl(sim, ['get', 'pods', '-n', 'kube-system', '-l', selector, '-o', 'name'])).stdout.trimEnd().split('\n').filter(Boolean).length;
    const agents = agentPods().length;
    expect(await names('app in (antrea),component notin (antrea-controller),!nosuch')).toBe(agents);
    expect(await names('component!=antrea-agent,app=antrea')).toBe(1);
  });

  it('reads the antrea-config ConfigMap with its comments', async () => {
    const r = await kubectl(sim, ['get', 'configmap', 'antrea-config', '-n', 'kube-system', '-o', 'yaml']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kind: ConfigMap');
    expect(r.stdout).toContain('    # Enable multicast traffic.\n    #  Multicast: true\n');
    expect(r.stdout).toContain(`resourceVersion: "${sim.server.cluster.antreaConfig.metadata.resourceVersion}"`);
  });

  it('patches the ConfigMap with a merge patch, bumping resourceVersion; a no-op keeps it', async () => {
    const before = sim.server.cluster.antreaConfig.metadata.resourceVersion;
    const r = await kubectl(sim, ['patch', 'configmap', 'antrea-config', '-n', 'kube-system', '--type', 'merge', '-p', '{"data":{"mcastctl-test":"on"}}']);
    expect(r).toMatchObject({ code: 0, stdout: 'configmap/antrea-config patched\n' });
    const cm = sim.server.cluster.antreaConfig;
    expect(cm.data['mcastctl-test']).toBe('on');
    expect(Number(cm.metadata.resourceVersion)).toBeGreaterThan(Number(before));
    const again = await kubectl(sim, ['patch', 'configmap', 'antrea-config', '-n', 'kube-system', '--type', 'merge', '-p', '{"data":{"mcastctl-test":"on"}}']);
    expect(again.stdout).toBe('configmap/antrea-config patched (no change)\n');
    const json = await kubectl(sim, ['patch', 'configmap', 'antrea-config', '-n', 'kube-system', '--type', 'json', '-p', '[{"op":"remove","path":"/data/mcastctl-test"}]']);
    expect(json.code).toBe(0);
    expect(sim.server.cluster.antreaConfig.data['mcastctl-test']).toBeUndefined();
  });

  it('exec runs antctl in the agent container and prints its table', async () => {
    const [pod] = agentPods();
    const r = await kubectl(sim, ['exec', '-n', 'kube-system', pod, '-c', 'antrea-agent', '--', 'antctl', 'get', 'featuregates']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual(['Antrea Agent Feature Gates', 'FEATUREGATE                       STATUS       VERSION']);
    expect(r.stdout).toContain('\nMulticast                         Enabled      BETA\n');
  });

  it('exec passes a non-zero exit status through, as kubectl does', async () => {
    const [pod] = agentPods();
    const r = await kubectl(sim, ['exec', '-n', 'kube-system', pod, '-c', 'antrea-agent', '--', 'sh', '-c', 'echo some out; exit 3']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('some out\n');
    expect(r.stderr).toBe('command terminated with exit code 3\n');
  });

  it('an unknown program in a shell is "not found" with exit 127', async () => {
    const [pod] = agentPods();
    const r = await kubectl(sim, ['exec', '-n', 'kube-system', pod, '-c', 'antrea-agent', '--', 'sh', '-c', 'tcpdump -i eth0']);
    expect(r.code).toBe(127);
    expect(r.stderr).toContain('sh: 1: tcpdump: not found\n');
  });

  it('an unknown container is a BadRequest before any upgrade', async () => {
    const [pod] = agentPods();
    const r = await kubectl(sim, ['exec', '-n', 'kube-system', pod, '-c', 'nope', '--', 'true']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`container nope is not valid for pod ${pod}`);
  });

  it('rollout restart changes the template annotation and replaces every agent Pod', async () => {
    const before = agentPods();
    const r = await kubectl(sim, ['rollout', 'restart', 'daemonset/antrea-agent', '-n', 'kube-system']);
    expect(r).toMatchObject({ code: 0, stdout: 'daemonset.apps/antrea-agent restarted\n' });
    const ds = sim.server.cluster.daemonSets.get('kube-system/antrea-agent')!;
    expect(ds.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toMatch(/^\d{4}-\d\d-\d\dT/);
    const after = agentPods();
    expect(after).toHaveLength(before.length);
    expect(after.filter((p) => before.includes(p))).toEqual([]);
    const listed = await kubectl(sim, ['get', 'pods', '-n', 'kube-system', '-l', 'component=antrea-agent', '-o', 'name']);
    expect(listed.stdout).toBe(after.map((p) => `pod/${p}\n`).join(''));
  });

  it('rollout restart of the controller Deployment replaces the controller Pod', async () => {
    const before = sim.server.cluster.controller.podName;
    const r = await kubectl(sim, ['rollout', 'restart', 'deployment/antrea-controller', '-n', 'kube-system']);
    expect(r).toMatchObject({ code: 0, stdout: 'deployment.apps/antrea-controller restarted\n' });
    expect(sim.server.cluster.controller.podName).not.toBe(before);
  });

  it('lists multicast groups like the aggregated stats.antrea.io API', async () => {
    const r = await kubectl(sim, ['get', 'multicastgroups']);
    expect(r).toMatchObject({ code: 0, stdout: 'GROUP           PODS\n239.255.12.42   default/vlc-receiver-1,default/vlc-receiver-2\n' });
  });

  it('answers a wrong token with 401 exactly as kubectl words it', async () => {
    const { writeFileSync } = await import('node:fs');
    writeFileSync(sim.kubeconfig, sim.server.kubeconfig({ token: 'wrong' }));
    try {
      const r = await kubectl(sim, ['get', 'pods', '-n', 'kube-system']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
    } finally {
      writeFileSync(sim.kubeconfig, sim.server.kubeconfig());
    }
  });
});
