// Commands run in-process against a fake Kubernetes API through the context's cluster() factory:
// no kubeconfig, no simulator, no child process.
import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli.js';
import { commandTable, walkCommands } from '../../src/commands/command-table.js';
import type { ExecResult, KubeApi } from '../../src/context.js';

const IP_J_MROUTE = readFileSync(new URL('../fixtures/kernel/ip-j-mroute.json', import.meta.url), 'utf8');

function capture(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return Object.assign(stream, { text: () => chunks.join('') });
}

function agentPod(node: string): V1Pod {
  return {
    metadata: { name: `antrea-agent-${node}`, namespace: 'kube-system', labels: { app: 'antrea', component: 'antrea-agent' } },
    spec: { nodeName: node, containers: [] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [] },
  };
}

/** Only what "get mroute" asks: the agent Pods, and exec of "ip -j -s mroute" in them. */
function fakeCluster(execs: string[][]): KubeApi {
  const unused = () => Promise.reject(new Error('not used by this test'));
  const fake: KubeApi = {
    server: 'https://fake.invalid',
    defaultNamespace: 'default',
    listPods: async (namespace, selector) => (namespace === 'kube-system' && selector.includes('antrea-agent') ? [agentPod('node-b'), agentPod('node-a')] : []),
    listAllPods: unused,
    listNamespaces: unused,
    readNamespace: unused,
    createNamespace: unused,
    deleteNamespace: unused,
    createPod: unused,
    deletePod: unused,
    listNodes: unused,
    requestServiceAccountToken: unused,
    readPodLog: unused,
    readPod: unused,
    listClusterObjects: unused,
    getClusterObject: unused,
    readConfigMap: unused,
    createConfigMap: unused,
    replaceConfigMap: unused,
    mergePatchConfigMap: unused,
    readDaemonSet: unused,
    readDeployment: unused,
    patchWorkload: unused,
    createDaemonSet: unused,
    replaceDaemonSet: unused,
    hasCrd: unused,
    getNamespacedObject: unused,
    createNamespacedObject: unused,
    mergePatchNamespacedObject: unused,
    async exec(namespace, pod, container, argv): Promise<ExecResult> {
      execs.push([namespace, pod, container, ...argv]);
      if (pod === 'antrea-agent-node-b') return { stdout: '', stderr: 'Error: connection reset', exitCode: 1 };
      return { stdout: IP_J_MROUTE, stderr: '', exitCode: 0 };
    },
  };
  return fake;
}

describe('a command in-process against a fake cluster', () => {
  it('get mroute prints the routes of the Node that answered and names the one that failed (exit 3)', async () => {
    const stdout = capture();
    const stderr = capture();
    const execs: string[][] = [];
    const code = await runCli(['get', 'mroute', '--group', '239.255.12.43'], { stdout, stderr, env: {}, cluster: async () => fakeCluster(execs) });
    expect(stdout.text()).toBe(
      [
        'NODE     SOURCE       GROUP           IIF          OIFS                      STATE      PACKETS     BYTES',
        'node-a   10.10.1.5    239.255.12.43   antrea-gw0   eth0(ttl 3),eth1(ttl 3)   resolved   <unknown>   <unknown>',
        'node-a   172.18.0.3   239.255.12.43   antrea-gw0   eth0                      resolved   12          17976',
        '',
      ].join('\n'),
    );
    expect(stderr.text()).toBe('error: node-b: "ip -j -s mroute" exited with code 1: Error: connection reset\n');
    expect(code).toBe(3);
    expect(execs.sort()).toEqual([
      ['kube-system', 'antrea-agent-node-a', 'antrea-agent', 'ip', '-j', '-s', 'mroute'],
      ['kube-system', 'antrea-agent-node-b', 'antrea-agent', 'ip', '-j', '-s', 'mroute'],
    ]);
  });

  it('a bad flag value fails in parse, before the cluster is asked anything', async () => {
    const stderr = capture();
    let asked = false;
    const code = await runCli(['get', 'mroute', '--concurrency', '0'], {
      stdout: capture(),
      stderr,
      env: {},
      cluster: async () => {
        asked = true;
        return fakeCluster([]);
      },
    });
    expect(stderr.text()).toBe('error: invalid value "0" for --concurrency: must be an integer from 1 to 1000\n');
    expect(code).toBe(2);
    expect(asked).toBe(false);
  });
});

describe('the command table', () => {
  it('each runnable command parses exactly the flags the table declares for it', async () => {
    const runnable = [...walkCommands(commandTable)].filter(([, spec]) => spec.load);
    expect(runnable.length).toBe(15);
    for (const [path, spec] of runnable) {
      const command = await spec.load!();
      expect(command.flags, path.join(' ')).toBe(spec.flags);
    }
  });
});
