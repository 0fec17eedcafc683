import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FaultProxy, type FaultRule } from '../faults/fault-proxy.js';
import { mcastctl, startSim, testPki, type RunningSim } from '../helpers/sim.js';

let sim: RunningSim | undefined;
afterEach(async () => {
  await sim?.stop();
  sim = undefined;
});

/** Wall time of one mcastctl run, with its result; with rules, through a fault proxy in front of the simulator. */
async function timedRun(args: string[], rules: FaultRule[] = []) {
  let proxy: FaultProxy | undefined;
  const env: NodeJS.ProcessEnv = {};
  if (rules.length > 0) {
    proxy = new FaultProxy(sim!.server.port, testPki(), sim!.server.token);
    await proxy.start();
    proxy.add(...rules);
    env.KUBECONFIG = join(sim!.dir, `proxy-${proxy.port}`);
    writeFileSync(env.KUBECONFIG, proxy.kubeconfig(readFileSync(sim!.kubeconfig, 'utf8')), { mode: 0o600 });
  }
  const started = Date.now();
  try {
    const result = await mcastctl(proxy ? undefined : sim, args, env);
    return { ...result, seconds: (Date.now() - started) / 1000 };
  } finally {
    await proxy?.stop();
  }
}

const execsOf = (s: RunningSim, node: string) => {
  const pod = [...s.server.cluster.agents.values()].find((a) => a.node.name === node)!.podName;
  return s.server.cluster.requestLog.filter((q) => q.path.includes(`/pods/${pod}/exec?`));
};

describe('per-Node deadlines end the Node\'s work', () => {
  it('a 20 s exec: --node-timeout 2s prints the others, names the Node, and the process exits at once', async () => {
    sim = await startSim('read-commands', (s) => {
      s.faults = [{ kind: 'slow', node: 'node-b', path: '^exec$', delayMs: 20_000 }];
    });
    const r = await timedRun(['--node-timeout', '2s', 'get', 'mroute', '-o', 'name']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: node-b: no answer within 2s\n');
    expect(r.stdout).toContain('mroute/node-a/');
    expect(r.stdout).not.toContain('mroute/node-b/');
    // The deadline plus start-up, never the 20 s of the exec (generous margin: loaded machine).
    expect(r.seconds).toBeLessThan(6);
  });

  it('a WebSocket upgrade that never completes is aborted at the deadline', async () => {
    sim = await startSim('read-commands', (s) => {
      s.faults = [{ kind: 'slow', node: 'node-c', path: '/exec$', delayMs: 20_000 }];
    });
    const r = await timedRun(['--node-timeout', '1500ms', 'get', 'igmp', '-o', 'name']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: node-c: no answer within 1.5s\n');
    expect(r.seconds).toBeLessThan(5.5);
  });

  it('the deadline is per Node, not per exec: a Node needing several slow execs fails at its deadline', async () => {
    // Every exec takes 1.2 s. node-b's iproute2 has no -j and node-c has none: get mroute needs
    // two execs there (2.4 s), one on node-a. Each exec alone is within 2 s; each Node is not.
    sim = await startSim('read-commands', (s) => {
      s.execLatencyMs = [1200, 1200];
    });
    const r = await timedRun(['--node-timeout', '2s', 'get', 'mroute', '-o', 'name']);
    expect(r.stderr).toBe('error: node-b: no answer within 2s\nerror: node-c: no answer within 2s\n');
    expect(r.code).toBe(3);
    expect(r.stdout).toContain('mroute/node-a/');
    expect(r.seconds).toBeLessThan(6);
  });
});

describe('--deadline ends the whole run', () => {
  it('Nodes still working at the run\'s deadline are ended and named; what answered is printed', async () => {
    sim = await startSim('read-commands', (s) => {
      s.faults = [{ kind: 'slow', node: 'node-b', path: '^exec$', delayMs: 20_000 }];
    });
    const r = await timedRun(['--deadline', '2s', 'get', 'mroute', '-o', 'name']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: node-b: no answer before the run\'s --deadline\n');
    expect(r.stdout).toContain('mroute/node-a/');
    expect(r.seconds).toBeLessThan(6);
  });

  const controllerPod = () => sim!.server.cluster.store.list('pods', 'kube-system').map((p) => String(p.metadata?.name)).find((name) => name.startsWith('antrea-controller-'))!;
  const CONTROLLER_EXEC = /\/pods\/antrea-controller-[^/]+\/exec\?/;
  for (const [what, action] of [
    ['whose WebSocket upgrade never completes', { kind: 'delay', ms: 60_000 }],
    ['that never answers once upgraded', { kind: 'exec', hang: true }],
  ] as const) {
    it(`the antrea-controller's exec ${what} ends at the deadline too: get featuregates, doctor`, async () => {
      sim = await startSim('default');
      const rules: FaultRule[] = [{ path: CONTROLLER_EXEC, upgrade: true, action }];
      const gates = await timedRun(['--deadline', '2s', 'get', 'featuregates', '-o', 'json'], rules);
      const failure = `antrea-controller (${controllerPod()})`;
      // The agents answered: a partial result (exit 3) that names the controller.
      expect(gates.stderr).toBe(`error: ${failure}: no answer before the run's --deadline\n`);
      expect(gates.code).toBe(3);
      expect(JSON.parse(gates.stdout).agents).toHaveLength(3);
      // Not the 30 s of --node-timeout (generous margin: loaded machine).
      expect(gates.seconds).toBeLessThan(8);
      const doctor = await timedRun(['--deadline', '2s', 'doctor', '-o', 'json'], rules);
      expect(doctor.stderr).toBe(`error: ${failure}: no answer before the run's --deadline\n`);
      // Every check had its evidence from the agents and the ConfigMap: a partial result (exit 3).
      expect(doctor.code).toBe(3);
      expect(JSON.parse(doctor.stdout).failures).toEqual([{ node: failure, reason: 'no answer before the run\'s --deadline' }]);
      expect(doctor.seconds).toBeLessThan(8);
    });
  }

  it('an API request still unanswered at the deadline ends it: one line, exit 5', async () => {
    sim = await startSim('default');
    const r = await timedRun(['--deadline', '2s', 'doctor'], [{ path: /\/configmaps\/antrea-config/, action: { kind: 'delay', ms: 60_000 } }]);
    expect(r).toMatchObject({ code: 5, stdout: '', stderr: 'error: Unable to connect to the server: no answer before the run\'s --deadline\n' });
    expect(r.seconds).toBeLessThan(8);
  });
});

describe('exec throttled by the API server (429)', () => {
  it('is retried after Retry-After and the Node answers', async () => {
    sim = await startSim('read-commands', (s) => {
      s.faults = [{ kind: 'too-many-requests', node: 'node-a', path: '/exec$', retryAfterSeconds: 1, times: 2 }];
    });
    const r = await timedRun(['get', 'igmp', '--node', 'node-a', '-o', 'name']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(r.stdout).toBe('node/node-a\n');
    const attempts = execsOf(sim, 'node-a');
    expect(attempts.map((q) => q.status)).toEqual([429, 429, 101]);
    // Two waits of Retry-After (1 s) plus at most 20 % jitter each.
    expect(r.seconds).toBeGreaterThan(2);
  });

  it('gives up after its bound and names the Node', async () => {
    sim = await startSim('read-commands', (s) => {
      s.faults = [{ kind: 'too-many-requests', node: 'node-a', path: '/exec$', retryAfterSeconds: 0 }];
    });
    const r = await timedRun(['get', 'igmp', '-o', 'name']);
    expect(r.code).toBe(3);
    expect(r.stderr).toBe('error: node-a: exec throttled by the API server (429) 5 times\n');
    expect(execsOf(sim, 'node-a')).toHaveLength(5);
  });
});

describe('doctor gathers each Node in one exec', () => {
  it('one `sh -c` exec per agent answers every check that reads a Node, with the same findings', async () => {
    sim = await startSim('read-commands');
    const r = await timedRun(['doctor', '-o', 'json']);
    // read-commands has a Node over its IGMP limit: a FAIL finding (exit 6), every Node answered.
    expect(r.code).toBe(6);
    expect(r.stderr).toBe('');
    const execs = sim.server.cluster.requestLog.filter((q) => q.path.includes('/exec?'));
    for (const node of ['node-a', 'node-b', 'node-c']) {
      const mine = execsOf(sim, node);
      expect(mine, node).toHaveLength(1);
      const command = new URL(mine[0].path, 'https://sim').searchParams.getAll('command');
      expect(command.slice(0, 2)).toEqual(['sh', '-c']);
      // Fixed text: nothing from the cluster or the command line is in the script.
      expect(command[2]).not.toMatch(/node-[abc]|antrea-agent-/);
    }
    // The controller is still asked on its own; nothing else execs.
    expect(execs.length).toBeLessThanOrEqual(4);
    const checks = JSON.parse(r.stdout).items as Array<{ name: string; status: string }>;
    expect(checks.find((c) => c.name === 'igmp-limits')?.status).toBe('FAIL');
  });
});
