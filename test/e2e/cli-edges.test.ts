// kubectl's habits at the edges: unknown commands, help, version, and a reader that goes away.
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MCASTCTL, mcastctl, startSim, type RunningSim } from '../helpers/sim.js';

let sim: RunningSim;
beforeAll(async () => {
  sim = await startSim('default');
});
afterAll(async () => {
  await sim?.stop();
});

describe('unknown commands, in cobra\'s words', () => {
  it('a mistyped command names itself and suggests the closest one (exit 2)', async () => {
    expect(await mcastctl(undefined, ['gte'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: unknown command "gte" for "mcastctl"\n\nDid you mean this?\n\tget\n',
    });
  });

  it('below a command group, the path names the group', async () => {
    expect(await mcastctl(undefined, ['get', 'mroutes'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: unknown command "mroutes" for "mcastctl get"\n\nDid you mean this?\n\tmroute\n',
    });
    expect(await mcastctl(undefined, ['get', 'zzz'])).toEqual({ code: 2, stdout: '', stderr: 'error: unknown command "zzz" for "mcastctl get"\n' });
  });
});

describe('usage errors, in kubectl\'s words', () => {
  it('a group command without its subcommand is a usage error (exit 2), not its help with exit 0', async () => {
    expect(await mcastctl(undefined, ['get'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: You must specify the type of resource to get: one of featuregates, podmulticaststats, mroute, multicastgroups, igmp\nSee 'mcastctl get --help' for usage.\n",
    });
    for (const [group, subcommands] of [['multicast', 'enable, disable, rollback'], ['featuregate', 'set'], ['igmp', 'set-max']]) {
      expect(await mcastctl(undefined, [group])).toEqual({
        code: 2,
        stdout: '',
        stderr: `error: You must specify a subcommand of "mcastctl ${group}": one of ${subcommands}\nSee 'mcastctl ${group} --help' for usage.\n`,
      });
    }
    const bare = await mcastctl(undefined, []);
    expect(bare.code).toBe(0);
    expect(bare.stdout).toBe((await mcastctl(undefined, ['--help'])).stdout);
  });

  it('the usage hint names the command that refused the arguments', async () => {
    expect(await mcastctl(undefined, ['doctor', 'extra'])).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: too many arguments for 'doctor'. Expected 0 arguments but got 1.\nSee 'mcastctl doctor --help' for usage.\n",
    });
    expect(await mcastctl(undefined, ['get', 'mroute', '--bogus'])).toEqual({ code: 2, stdout: '', stderr: "error: unknown option '--bogus'\nSee 'mcastctl get mroute --help' for usage.\n" });
    expect(await mcastctl(undefined, ['--bogus'])).toEqual({ code: 2, stdout: '', stderr: "error: unknown option '--bogus'\nSee 'mcastctl --help' for usage.\n" });
  });
});

describe('help <command>', () => {
  it('prints exactly what <command> --help prints', async () => {
    const viaHelp = await mcastctl(undefined, ['help', 'get', 'mroute']);
    const viaFlag = await mcastctl(undefined, ['get', 'mroute', '--help']);
    expect(viaHelp.code).toBe(0);
    expect(viaHelp.stdout.split('\n')[0]).toBe('Usage: mcastctl get mroute [options]');
    expect(viaHelp).toEqual(viaFlag);
    expect((await mcastctl(undefined, ['help'])).stdout).toBe((await mcastctl(undefined, ['--help'])).stdout);
  });

  it('an unknown topic is the unknown-command error', async () => {
    expect(await mcastctl(undefined, ['help', 'get', 'mrout'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: unknown command "mrout" for "mcastctl get"\n\nDid you mean this?\n\tmroute\n',
    });
  });
});

describe('version', () => {
  it('prints the client version and the Antrea versions the simulated cluster reports', async () => {
    expect(await mcastctl(sim, ['version'])).toEqual({
      code: 0,
      stdout: 'Client Version: v0.1.0\nAntrea Controller Version: v2.7.0\nAntrea Agent Version: v2.7.0\n',
      stderr: '',
    });
  });

  it('-o json names each agent version with its Nodes', async () => {
    const result = await mcastctl(sim, ['version', '-o', 'json']);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      apiVersion: 'mcastctl.antrea.io/v1alpha1',
      kind: 'Version',
      clientVersion: { version: 'v0.1.0', nodeVersion: process.version, platform: `${process.platform}/${process.arch}` },
      antreaVersion: {
        controller: { version: 'v2.7.0', source: 'image' },
        agents: [{ version: 'v2.7.0', source: 'AntreaAgentInfo', nodes: ['k8s-node-1', 'k8s-node-2', 'k8s-node-3'] }],
      },
    });
  });

  it('--client -o yaml is the same versioned document, without the cluster', async () => {
    expect(await mcastctl(undefined, ['version', '--client', '-o', 'yaml'], { KUBECONFIG: '/nonexistent/kubeconfig' })).toEqual({
      code: 0,
      stdout: `apiVersion: mcastctl.antrea.io/v1alpha1\nkind: Version\nclientVersion:\n  version: v0.1.0\n  nodeVersion: ${process.version}\n  platform: ${process.platform}/${process.arch}\n`,
      stderr: '',
    });
  });

  it('--client never reads a kubeconfig', async () => {
    expect(await mcastctl(undefined, ['version', '--client'], { KUBECONFIG: '/nonexistent/kubeconfig' })).toEqual({ code: 0, stdout: 'Client Version: v0.1.0\n', stderr: '' });
  });
});

describe('a closed pipe', () => {
  /** Runs mcastctl with a stdout whose reader is gone before mcastctl writes (as `| head -c0`). */
  function withClosedStdout(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [MCASTCTL, ...args], { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout.destroy();
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
  }

  it('--help ends quietly with exit 0, no stack trace', async () => {
    expect(await withClosedStdout(['--help'])).toEqual({ code: 0, stderr: '' });
    expect(await withClosedStdout(['get', '-h'])).toEqual({ code: 0, stderr: '' });
    expect(await withClosedStdout(['--version'])).toEqual({ code: 0, stderr: '' });
  });

  it('-o json of a read command ends quietly with exit 0', async () => {
    expect(await withClosedStdout(['get', 'mroute', '-o', 'json'], { KUBECONFIG: sim.kubeconfig })).toEqual({ code: 0, stderr: '' });
  });
});

describe('doctor -o json', () => {
  it('names the Nodes that did not answer in a failures field, as stderr does', async () => {
    const faulty = await startSim('default', (s) => {
      s.faults = [{ kind: 'exec-exit', node: 'k8s-node-3', exitCode: 1, stderr: 'Error: connection refused\n' }];
    });
    try {
      const r = await mcastctl(faulty, ['doctor', '-o', 'json']);
      const doc = JSON.parse(r.stdout);
      expect(doc.failures).toHaveLength(1);
      expect(doc.failures[0].node).toBe('k8s-node-3');
      expect(r.stderr).toContain(`error: k8s-node-3: ${doc.failures[0].reason}\n`);
      const healthy = JSON.parse((await mcastctl(sim, ['doctor', '-o', 'json'])).stdout);
      expect(healthy.failures).toEqual([]);
    } finally {
      await faulty.stop();
    }
  });
});
