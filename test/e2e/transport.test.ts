import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOOPBACK_TOKEN } from '../sim/api/agent-api.js';
import { mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

const agentExecs = (s: RunningSim) => s.server.cluster.requestLog.filter((q) => q.path.includes('/pods/antrea-agent-') && q.path.includes('/exec')).length;

describe('--transport api: the agents\' own API gives what exec gives', () => {
  it('get featuregates: identical per-Node gates, divergences and controller section', async () => {
    sim = await startSim('agent-api');
    const viaExec = await mcastctl(sim, ['get', 'featuregates', '-o', 'json']);
    const execCount = agentExecs(sim);
    const viaApi = await mcastctl(sim, ['get', 'featuregates', '-o', 'json', '--transport', 'api']);
    expect(viaApi.code).toBe(0);
    expect(JSON.parse(viaApi.stdout)).toEqual(JSON.parse(viaExec.stdout));
    expect(JSON.parse(viaApi.stdout).divergences).toEqual([{ name: 'Multicast', majority: 'Enabled', nodes: ['api-node-2'], total: 3 }]);
    // No agent was exec'd into: a token was requested and each agent's API asked.
    expect(agentExecs(sim)).toBe(execCount);
    expect(sim.server.cluster.requestLog.filter((q) => q.method === 'POST' && q.path.endsWith('/serviceaccounts/antctl/token'))).toHaveLength(1);
    const tables = await Promise.all([mcastctl(sim, ['get', 'featuregates']), mcastctl(sim, ['get', 'featuregates', '--transport', 'api'])]);
    expect(tables[1].stdout).toBe(tables[0].stdout);
    const node = await Promise.all([mcastctl(sim, ['get', 'featuregates', '--node', 'api-node-3']), mcastctl(sim, ['get', 'featuregates', '--node', 'api-node-3', '--transport', 'api'])]);
    expect(node[1].stdout).toBe(node[0].stdout);
  });

  it('get podmulticaststats: identical rows, and the same per-Node failure when multicast is off there', async () => {
    sim = await startSim('agent-api');
    const [viaExec, viaApi] = await Promise.all([
      mcastctl(sim, ['get', 'podmulticaststats', '-A', '-o', 'json']),
      mcastctl(sim, ['get', 'podmulticaststats', '-A', '-o', 'json', '--transport', 'api']),
    ]);
    expect(JSON.parse(viaApi.stdout)).toEqual(JSON.parse(viaExec.stdout));
    expect(JSON.parse(viaApi.stdout).items.map((i: { name: string }) => i.name)).toEqual(['rx-2', 'rx-1', 'sender']);
    expect([viaExec.code, viaApi.code]).toEqual([3, 3]);
    expect(viaApi.stderr).toBe('error: api-node-2: agent API answered 503 Service Unavailable: Multicast is not enabled\n');
    const one = await mcastctl(sim, ['get', 'podmulticaststats', 'rx-1', '-n', 'media', '--transport', 'api', '-o', 'name']);
    expect(one).toEqual({ code: 0, stdout: 'pod/rx-1\n', stderr: '' });
  });

  it('a forbidden TokenRequest is the API server\'s 403: exit 4', async () => {
    sim = await startSim('agent-api', (s) => {
      s.faults = [{ kind: 'forbidden', path: '/serviceaccounts/antctl/token$' }];
    });
    const r = await mcastctl(sim, ['get', 'podmulticaststats', '-A', '--transport', 'api']);
    expect(r.code).toBe(4);
    expect(r.stderr).toBe('Error from server (Forbidden): /api/v1/namespaces/kube-system/serviceaccounts/antctl/token is forbidden: User "sim" cannot access this resource\n');
  });

  it('agents without a CA bundle (before v1.13) are refused unless --agent-insecure-skip-tls-verify', async () => {
    sim = await startSim('agent-api', (s) => {
      s.antreaVersion = 'v1.12.0';
    });
    const refused = await mcastctl(sim, ['get', 'podmulticaststats', '-A', '--transport', 'api', '-o', 'name']);
    expect(refused.code).toBe(1);
    expect(refused.stderr.split('\n')[0]).toBe('error: api-node-1: the agent publishes no CA bundle (Antrea before v1.13): use --agent-insecure-skip-tls-verify or --transport exec');
    const insecure = await mcastctl(sim, ['get', 'podmulticaststats', '-A', '--transport', 'api', '--agent-insecure-skip-tls-verify', '-o', 'name']);
    expect(insecure.stdout).toBe('pod/rx-2\npod/rx-1\npod/sender\n');
  });
});

describe('inside an antrea-agent container', () => {
  const inPod = (s: RunningSim, node: string, token = LOOPBACK_TOKEN) => {
    const tokenFile = join(s.dir, 'loopback-client-token');
    writeFileSync(tokenFile, `${token}\n`);
    const api = s.server.agentApis.get(node)!;
    const agent = s.server.cluster.agents.get(node)!;
    return { POD_NAME: agent.podName, NODE_NAME: node, MCASTCTL_AGENT_API: `https://${agent.node.internalIP}:${api.port}`, MCASTCTL_AGENT_TOKEN_FILE: tokenFile };
  };

  it('asks the local agent with the loopback token, without any kubeconfig', async () => {
    sim = await startSim('agent-api');
    const env = inPod(sim, 'api-node-3');
    const gates = await mcastctl(undefined, ['get', 'featuregates', '-o', 'json'], env);
    expect(gates.code).toBe(0);
    const fromCluster = JSON.parse((await mcastctl(sim, ['get', 'featuregates', '-o', 'json'])).stdout);
    expect(JSON.parse(gates.stdout)).toEqual({
      apiVersion: 'mcastctl.antrea.io/v1alpha1', kind: 'NodeFeatureGates', node: 'api-node-3', pod: env.POD_NAME,
      featureGates: fromCluster.agents.find((a: { node: string }) => a.node === 'api-node-3').featureGates,
    });
    const stats = await mcastctl(undefined, ['get', 'podmulticaststats', '-A'], env);
    expect(stats).toEqual({ code: 0, stderr: '', stdout: 'NAMESPACE   NAME   NODE         INBOUND   OUTBOUND\ndefault     rx-2   api-node-3   12        0\nmedia       rx-1   api-node-3   880       0\n' });
  });

  it('a wrong loopback token is the agent\'s 401', async () => {
    sim = await startSim('agent-api');
    const r = await mcastctl(undefined, ['get', 'featuregates'], inPod(sim, 'api-node-1', 'stale'));
    expect(r).toEqual({ code: 1, stdout: '', stderr: 'error: local agent: agent API answered 401 Unauthorized: the token was refused\n' });
  });

  it('a loopback token that cannot be read is worded as Go words it, not with errno codes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcastctl-token-'));
    try {
      const missing = join(dir, 'loopback-client-token');
      expect(await mcastctl(undefined, ['get', 'featuregates'], { POD_NAME: 'antrea-agent-xyz', MCASTCTL_AGENT_TOKEN_FILE: missing })).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: cannot read the agent's loopback token: open ${missing}: no such file or directory\n`,
      });
      expect(await mcastctl(undefined, ['get', 'featuregates'], { POD_NAME: 'antrea-agent-xyz', MCASTCTL_AGENT_TOKEN_FILE: dir })).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: cannot read the agent's loopback token: read ${dir}: is a directory\n`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
